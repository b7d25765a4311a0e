package transport

import (
	"errors"
	"github.com/banklink/banklink-go/internal/redact"
	"net/http"
	"strings"

	"github.com/banklink/banklink-go/internal/callopt"
)

// credentialHeader reports whether an answer header (canonical name)
// carries credentials: a captured answer never shows those.
func credentialHeader(k string) bool {
	switch k {
	case "X-Access-Token", "X-Refresh-Token", "Set-Cookie", "Authorization", "Www-Authenticate":
		return true
	}
	return false
}

// checkCallOptions refuses per-call headers that could split a request.
func checkCallOptions(o *callopt.Options) error {
	if o == nil {
		return nil
	}
	if !validHeaderValue(o.IdempotencyKey) {
		return errors.New("the idempotency key holds a control character")
	}
	for k, vs := range o.Header {
		if k == "" || strings.IndexFunc(k, notTokenChar) >= 0 {
			return errors.New("a per-call header name is not an HTTP token")
		}
		for _, v := range vs {
			if !validHeaderValue(v) {
				return errors.New("per-call header " + k + " holds a control character")
			}
		}
	}
	return nil
}

// addCallHeaders puts the caller's per-call headers and idempotency key
// on the request, before the SDK's own, which overwrite any of the same
// name (credentials are set per attempt, after these).
func (c *call) addCallHeaders() {
	for k, v := range c.opts.Header {
		c.header[k] = v
	}
	if c.opts.IdempotencyKey != "" {
		c.header["Idempotency-Key"] = []string{c.opts.IdempotencyKey}
	}
}

// capture hands the caller the final answer's metadata, credentials
// removed.
func (c *call) capture(resp *http.Response) {
	a := callopt.Answer{Method: c.op.Method, Path: c.req.URL.Path, Attempts: c.attempts}
	if resp != nil {
		a.StatusCode = resp.StatusCode
		a.Header = resp.Header.Clone()
		secrets := c.t.secrets(c.op)
		for k, vs := range a.Header {
			if credentialHeader(k) {
				delete(a.Header, k)
				continue
			}
			for i, v := range vs { // a gateway may echo a credential under a name of its own
				vs[i] = redact.String(v, secrets...)
			}
		}
		a.RequestID = requestID(resp.Header)
	}
	c.opts.Capture(a)
}
