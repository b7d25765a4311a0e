package transport

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/errs"
)

// CustomOp builds the operation of a provider's Do from the caller's
// request, checked before anything is sent: a method, a plain relative
// path (no dot segment, query, fragment, escape or scheme), a body that
// encodes as JSON. secrets are body values to redact (a provider's own
// calls pass them).
func (t *Transport) CustomOp(name string, req banklink.Request, secrets ...string) (*Op, error) {
	path := strings.TrimPrefix(req.Path, "/")
	if err := checkMethod(strings.ToUpper(req.Method)); err != nil {
		return nil, errs.Invalid(t.cfg.Provider, name, "method", "an HTTP method is required: "+err.Error())
	}
	if err := checkPath(path); path == "" || err != nil {
		return nil, errs.Invalid(t.cfg.Provider, name, "path", "must be a plain path under the base URL")
	}
	op := &Op{Name: name, Method: strings.ToUpper(req.Method), Path: path, Query: req.Query,
		Auth: req.Auth, Idempotent: req.Idempotent, Redact: secrets}
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return nil, errs.Invalid(t.cfg.Provider, name, "body", "does not encode as JSON")
		}
		op.Body, op.ContentType = b, "application/json"
	}
	return op, nil
}

// DoRequest sends a provider's Do request (see CustomOp) and decodes the
// answer into a T with decode.
func DoRequest[T any](ctx context.Context, t *Transport, req banklink.Request, decode func(r *Response, out *T) error) (T, error) {
	var out T
	op, err := t.CustomOp("custom", req)
	if err != nil {
		return out, err
	}
	err = t.Do(ctx, op, func(r *Response) error { return decode(r, &out) })
	return out, err
}
