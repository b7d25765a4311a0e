package dfcu

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Do calls any DFCU API under the base URL and decodes a 2xx JSON answer
// into a T (an empty body leaves T's zero value). With req.Auth it sends
// the session's Bearer token (logging in first if needed) and refreshes
// and replays once when the token is refused. Any other status is a
// [*banklink.Error], decoded as the package's own calls decode theirs.
//
//	type statement struct{ Balance int64 `json:"balance"` }
//	s, err := dfcu.Do[statement](ctx, c, banklink.Request{Method: "GET", Path: "api/accounts/1002000989/statement/", Auth: true})
func Do[T any](ctx context.Context, c *Client, req banklink.Request) (T, error) {
	return transport.DoRequest(ctx, c.t, req, func(r *transport.Response, out *T) error {
		if r.StatusCode < 200 || r.StatusCode >= 300 {
			return decodeError(r)
		}
		if len(bytes.TrimSpace(r.Body)) == 0 {
			return nil
		}
		if json.Unmarshal(r.Body, out) != nil {
			return shapeError(r, "the body does not decode")
		}
		return nil
	})
}
