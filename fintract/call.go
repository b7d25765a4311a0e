package fintract

import (
	"context"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Do calls any Fintract API under the base URL and decodes the JSON answer
// into a T. With req.Auth it sends the session's Bearer token and
// refreshes and replays once when the token is refused. Errors are found
// as the package's own calls find them, in any status and any of the
// server's envelopes ({"errors": …}, {"data": {"error": …}} with HTTP
// 200, DRF field maps), and come as a [*banklink.Error].
//
//	type org struct{ Name string `json:"name"` }
//	o, err := fintract.Do[org](ctx, c, banklink.Request{Method: "GET", Path: "auth/org/3/", Auth: true})
func Do[T any](ctx context.Context, c *Client, req banklink.Request) (T, error) {
	return transport.DoRequest(ctx, c.t, req, func(r *transport.Response, out *T) error { return decodeJSON(r, out) })
}
