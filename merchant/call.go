package merchant

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Request is an authenticated call to any wallet API, for Do.
type Request struct {
	Method string
	// Path is relative to the base URL, e.g. "/merchant/profile".
	Path  string
	Query map[string][]string
	// Body, when not nil, is sent as JSON.
	Body any
	// Idempotent allows re-sending after a failure that may have reached
	// the wallet. Leave it false for anything that moves money.
	Idempotent bool
}

// Do sends an authenticated wallet call with the session pair (logging in
// first if needed), takes any rotated pair from the answer, refreshes and
// replays once on 401/403, and decodes the answer's "data" into a T.
func Do[T any](ctx context.Context, c *Client, req Request) (T, error) {
	var out T
	path := strings.TrimPrefix(req.Path, "/")
	switch {
	case req.Method == "" || strings.ContainsAny(req.Method, " \r\n"):
		return out, invalid("custom", "method", "an HTTP method is required")
	case path == "" || strings.Contains(path, "..") || strings.Contains(path, "//") || strings.ContainsAny(path, "?#%\\ \r\n\t") || strings.Contains(path, ":"):
		return out, invalid("custom", "path", "must be a plain path under the base URL")
	}
	op := &transport.Op{Name: "custom", Method: strings.ToUpper(req.Method), Path: path, Query: req.Query, Auth: true, Idempotent: req.Idempotent}
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return out, invalid("custom", "body", "does not encode as JSON")
		}
		op.Body, op.ContentType = b, "application/json"
	}
	err := c.t.Do(ctx, op, func(r *transport.Response) error {
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			// One pass for the common case: "data" decodes straight into out.
			fast := struct {
				Status *bool           `json:"status"`
				Data   any             `json:"data"`
				Error  json.RawMessage `json:"error"`
			}{Data: &out}
			if json.Unmarshal(r.Body, &fast) == nil && fast.Status != nil && *fast.Status && noError(fast.Error) {
				return nil
			}
		}
		b, err := decodeWallet(r, false)
		if err != nil {
			return err
		}
		if data := bytes.TrimSpace(b.Data); len(data) > 0 && string(data) != "null" {
			if json.Unmarshal(data, &out) != nil {
				return r.Fail(banklink.ErrServerError, "", "unexpected response: data does not decode")
			}
		}
		return nil
	})
	return out, err
}
