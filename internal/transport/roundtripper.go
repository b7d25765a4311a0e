package transport

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/redact"
)

// credentialError carries a failure to obtain a session token out of the
// RoundTripper, so the retry loop stops and Do returns it unwrapped.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// credentialRoundTripper attaches credentials to every attempt, and only to
// requests for the configured origin: a request for any other host (a
// redirect that slipped through, a URL built elsewhere) goes out bare.
// It works on a copy of the request, because net/http builds redirected
// requests from the original's headers.
type credentialRoundTripper struct {
	t    *Transport
	next http.RoundTripper
}

func (rt *credentialRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	t := rt.t
	if !t.sameOrigin(req.URL) {
		return rt.next.RoundTrip(req)
	}
	c := callOf(req.Context())
	// Credentials go on a copy of the header map, except on a call's first
	// attempt, whose request nothing else holds yet. (A redirect can only
	// stay within the origin, and later attempts may share the map with an
	// earlier attempt's connection still writing it.)
	out := req
	if c == nil || c.attempts > 0 {
		out = new(http.Request)
		*out = *req
		out.Header = make(http.Header, len(req.Header)+len(t.cfg.Headers)+2)
		for k, v := range req.Header {
			out.Header[k] = v
		}
	}
	if c != nil {
		c.attempts++
		c.read, c.decided = false, nil
	}
	for k, v := range t.cfg.Headers {
		out.Header[k] = v
	}
	if c != nil {
		for k, v := range c.op.Secret {
			out.Header[k] = v
		}
	}
	var tok *credential.Token
	if c != nil && c.op.Auth && t.tokens != nil {
		var err error
		if tok, err = t.tokens.Token(req.Context()); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, &credentialError{err}
		}
		c.token = tok
		switch t.cfg.Scheme {
		case SchemeBearer:
			out.Header["Authorization"] = tok.BearerHeader()
		case SchemeHeaderPair:
			out.Header["X-Access-Token"] = []string{tok.Access}
			out.Header["X-Refresh-Token"] = []string{tok.Refresh}
		}
	}
	if c != nil {
		out = c.beginAttempt(out)
	}
	logging := t.log != nil && t.log.Enabled(req.Context(), slog.LevelDebug)
	var start time.Time
	if logging {
		start = time.Now()
	}
	resp, err := rt.next.RoundTrip(out)
	if err != nil && c != nil && c.endAttempt() {
		err = &attemptTimeout{after: t.timeout}
	}
	if err == nil && tok != nil && t.cfg.Scheme == SchemeHeaderPair {
		rotate(t.tokens, tok, resp.Header)
	}
	if logging {
		rt.logAttempt(req, c, resp, err, time.Since(start))
	}
	return resp, err
}

// rotate stores the token pair the response to an authenticated request
// carries, when it carries both headers and differs from the pair sent.
// The swap is atomic and conditional: the new pair replaces the one the
// request sent, and only if that is still the stored pair, so a rotated
// pair is never half-applied and a late answer to an older request never
// brings back a pair that has since been replaced. (Login and refresh
// answers are read by the provider, which stores their pair itself.)
func rotate(tokens *credential.Cache, sent *credential.Token, h http.Header) {
	access, refresh := h.Get("X-Access-Token"), h.Get("X-Refresh-Token")
	if access == "" || refresh == "" || (access == sent.Access && refresh == sent.Refresh) {
		return
	}
	tokens.Swap(sent, &credential.Token{Access: access, Refresh: refresh, Obtained: time.Now()})
}

func (rt *credentialRoundTripper) logAttempt(req *http.Request, c *call, resp *http.Response, err error, d time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("provider", rt.t.cfg.Provider))
	if c != nil {
		attrs = append(attrs, slog.String("op", c.op.Name), slog.Int("attempt", c.attempts))
	}
	attrs = append(attrs, slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Duration("elapsed", d))
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(redactURLError(err).Error(), rt.t.secrets()...)))
	}
	rt.t.log.LogAttrs(req.Context(), slog.LevelDebug, "banklink: http attempt", attrs...)
}

// checkRedirect follows redirects only within the configured origin: a
// redirect elsewhere would carry credential headers (net/http strips only
// Authorization and Cookie) and, on 307/308, a body holding credentials.
func (t *Transport) checkRedirect(req *http.Request, via []*http.Request) error {
	if !t.sameOrigin(req.URL) {
		return fmt.Errorf("%w: the server redirected to another origin (%s://%s); credentials are never sent there", errs.ErrRedirectRefused, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 5 {
		return fmt.Errorf("%w: more than 5 redirects", errs.ErrRedirectRefused)
	}
	return nil
}
