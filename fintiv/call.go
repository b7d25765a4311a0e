package fintiv

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Do calls any service API with the client's key, tenant, session, retries
// and envelope handling, and decodes responseData into a T. Use it for the
// service APIs this package has no method for:
//
//	type limits struct{ Daily int64 `json:"dailyLimit"` }
//	l, err := fintiv.Do[limits](ctx, c, banklink.Request{Method: "GET", Path: "/auth/api/myinfo/limits", Auth: true, Idempotent: true})
//
// The path must be a service path under /auth/.
func Do[T any](ctx context.Context, c *Client, req banklink.Request) (T, error) {
	var out T
	err := c.call(ctx, "custom", req, &out)
	return out, err
}

// call sends req and decodes the envelope's responseData into out (which
// may be nil).
//
// call's secrets are values its body carries (a PIN, a password, an
// answer): redacted from the call's errors and logs.
func (c *Client) call(ctx context.Context, name string, req banklink.Request, out any, secrets ...string) error {
	if !strings.HasPrefix(strings.TrimPrefix(req.Path, "/"), "auth/") {
		return invalid(name, "path", "must be a plain service path under /auth/")
	}
	op, err := c.t.CustomOp(name, req, secrets...)
	if err != nil {
		return err
	}
	err = c.t.Do(ctx, op, func(r *transport.Response) error { return decodeEnvelope(r, out) })
	if d, ok := DetailOf(err); ok && req.Auth {
		if f := c.factsOf(); f != nil && f.NeedChangePassword {
			d.NeedChangePassword = true
		}
	}
	return err
}

// get, post and put are the package's own calls.
func (c *Client) get(ctx context.Context, name, path string, q url.Values, auth bool, out any) error {
	return c.call(ctx, name, banklink.Request{Method: http.MethodGet, Path: path, Query: q, Auth: auth, Idempotent: true}, out)
}

// send's secrets are values its body carries (a PIN, a password, an
// answer): redacted from the call's errors and logs.
func (c *Client) send(ctx context.Context, name, method, path string, body any, auth, idempotent bool, out any, secrets ...string) error {
	return c.call(ctx, name, banklink.Request{Method: method, Path: path, Body: body, Auth: auth, Idempotent: idempotent}, out, secrets...)
}
