package merchant

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Do calls any wallet API under the base URL and decodes the answer's
// "data" into a T. With req.Auth it sends the session pair (logging in
// first if needed), takes any rotated pair from the answer, and refreshes
// and replays once on 401/403. An answer without "status": true is a
// [*banklink.Error].
//
//	p, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true, Idempotent: true})
func Do[T any](ctx context.Context, c *Client, req banklink.Request) (T, error) {
	return transport.DoRequest(ctx, c.t, req, func(r *transport.Response, out *T) error {
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			if readEnvelope(r.Body, out) {
				return nil // the usual answer, read without reflection
			}
			// One pass for the common case: "data" decodes straight into out.
			fast := struct {
				Status *bool           `json:"status"`
				Data   any             `json:"data"`
				Error  json.RawMessage `json:"error"`
			}{Data: out}
			if json.Unmarshal(r.Body, &fast) == nil && fast.Status != nil && *fast.Status && noError(fast.Error) {
				return nil
			}
		}
		b, err := decodeWallet(r, false)
		if err != nil {
			return err
		}
		if data := bytes.TrimSpace(b.Data); len(data) > 0 && string(data) != "null" {
			if json.Unmarshal(data, out) != nil {
				return r.Fail(banklink.ErrServerError, "", "unexpected response: data does not decode")
			}
		}
		return nil
	})
}
