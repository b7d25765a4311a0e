package fintiv

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/banklink/banklink-go/internal/transport"
)

// Request is a call to any service API of the gateway, for Do.
type Request struct {
	// Method is the HTTP method (GET, POST, PUT, …).
	Method string
	// Path is the service path, "/auth/..." (or "auth/..."), without query.
	Path string
	// Query is sent as the query string (never logged or reported).
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	// Auth sends the session's Bearer token (and logs in if needed).
	Auth bool
	// Idempotent allows re-sending after a failure that may have reached the
	// service. Leave it false for anything with side effects.
	Idempotent bool

	secrets []string // values of the body to redact from errors and logs
}

// Do calls any service API with the client's key, tenant, session, retries
// and envelope handling, and decodes responseData into a T. Use it for the
// service APIs this package has no method for:
//
//	type limits struct{ Daily int64 `json:"dailyLimit"` }
//	l, err := fintiv.Do[limits](ctx, c, fintiv.Request{Method: "GET", Path: "/auth/api/myinfo/limits", Auth: true, Idempotent: true})
func Do[T any](ctx context.Context, c *Client, req Request) (T, error) {
	var out T
	err := c.call(ctx, "custom", req, &out)
	return out, err
}

// call sends req and decodes the envelope's responseData into out (which
// may be nil).
func (c *Client) call(ctx context.Context, name string, req Request, out any) error {
	path := strings.TrimPrefix(req.Path, "/")
	switch {
	case req.Method == "" || strings.ContainsAny(req.Method, " \r\n"):
		return invalid(name, "method", "an HTTP method is required")
	case !strings.HasPrefix(path, "auth/") || strings.Contains(path, "..") || strings.ContainsAny(path, "?#%\\ \r\n\t") || strings.Contains(path, "//"):
		return invalid(name, "path", "must be a plain service path under /auth/")
	}
	op := &transport.Op{Name: name, Method: strings.ToUpper(req.Method), Path: path, Query: req.Query, Auth: req.Auth, Idempotent: req.Idempotent, Secrets: req.secrets}
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return invalid(name, "body", "does not encode as JSON: "+err.Error())
		}
		op.Body, op.ContentType = b, "application/json"
	}
	err := c.t.Do(ctx, op, func(r *transport.Response) error { return decodeEnvelope(r, out) })
	if d, ok := DetailOf(err); ok && req.Auth {
		if f := c.facts.Load(); f != nil && f.NeedChangePassword {
			d.NeedChangePassword = true
		}
	}
	return err
}

// get, post and put are the package's own calls.
func (c *Client) get(ctx context.Context, name, path string, q url.Values, auth bool, out any) error {
	return c.call(ctx, name, Request{Method: http.MethodGet, Path: path, Query: q, Auth: auth, Idempotent: true}, out)
}

// send's secrets are values its body carries (a PIN, a password, an
// answer): redacted from the call's errors and logs.
func (c *Client) send(ctx context.Context, name, method, path string, body any, auth, idempotent bool, out any, secrets ...string) error {
	return c.call(ctx, name, Request{Method: method, Path: path, Body: body, Auth: auth, Idempotent: idempotent, secrets: secrets}, out)
}
