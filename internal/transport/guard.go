package transport

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// credentialError carries a failure to obtain a session token out of an
// attempt, so the retry loop stops and Do returns it as it is.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// originGuard sends only requests for the configured origin. Attempts
// put credentials on their requests and redirects elsewhere are refused
// before they are sent (checkRedirect), so nothing else should reach it;
// it stands as the last check that no credential-carrying request ever
// leaves for another host.
type originGuard struct {
	t    *Transport
	next http.RoundTripper
}

func (g *originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !g.t.sameOrigin(req.URL) {
		closeBody(req)
		return nil, fmt.Errorf("%w: a request for %s://%s, outside the configured origin, was not sent", errs.ErrRedirectRefused, req.URL.Scheme, req.URL.Host)
	}
	return g.next.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the transport below.
func (g *originGuard) CloseIdleConnections() {
	type closeIdler interface{ CloseIdleConnections() }
	if ci, ok := g.next.(closeIdler); ok {
		ci.CloseIdleConnections()
	}
}

// rotate adopts the token pair the response to an authenticated request
// carries, when it carries both headers and differs from the pair sent,
// and returns what shares it (the store, the hook) once the body is read;
// nil when nothing rotated. The swap is atomic and conditional: the new
// pair replaces the one the request sent, and only if that is still the
// current pair, so a rotated pair is never half-applied and a late answer
// to an older request never brings back a pair that has since been
// replaced. (Login and refresh answers are read by the provider, which
// stores their pair itself.)
func rotate(ctx context.Context, tokens *credential.Cache, sent *credential.Token, h http.Header) (share func()) {
	access, refresh := h.Get("X-Access-Token"), h.Get("X-Refresh-Token")
	if access == "" || refresh == "" || (access == sent.Access && refresh == sent.Refresh) {
		return nil
	}
	return tokens.Rotate(ctx, sent, &credential.Token{Access: access, Refresh: refresh, Obtained: time.Now()})
}

// checkRedirect follows redirects only within the configured origin: a
// redirect elsewhere would carry credential headers (net/http strips only
// Authorization and Cookie) and, on 307/308, a body holding credentials.
// The hops belong to one attempt: its timeout covers them all.
func (t *Transport) checkRedirect(req *http.Request, via []*http.Request) error {
	if !t.sameOrigin(req.URL) {
		return fmt.Errorf("%w: the server redirected to another origin (%s://%s); credentials are never sent there", errs.ErrRedirectRefused, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 5 {
		return fmt.Errorf("%w: more than 5 redirects", errs.ErrRedirectRefused)
	}
	return nil
}
