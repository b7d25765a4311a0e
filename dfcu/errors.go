package dfcu

import (
	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// Error is a failure reported by the DFCU API, or found by the client's own
// checks before sending (then StatusCode is 0). Match its category with
// errors.Is(err, banklink.ErrNotFound) and friends; read the details with
// errors.As. It never holds a token, password or request body.
type Error struct {
	banklink.ResponseInfo

	// Kind is the error's category; empty for a business message the
	// client does not recognise.
	Kind banklink.Category
	// Code is the server's machine code, e.g. "token_not_valid" or
	// "user_not_found"; empty when the server sent none.
	Code string
	// Message is the server's message: DRF "detail", "error", the loans
	// call's "response" string, or an HTML page's title.
	Message string
	// FieldErrors are per-field messages (DRF serializer errors, or the
	// client's own input checks).
	FieldErrors map[string][]string
}

// Error describes the failure: provider, method, path, status, message, code.
func (e *Error) Error() string {
	return errs.Describe("dfcu", e.ResponseInfo, e.Kind, e.Code, e.Message)
}

// Is reports whether e belongs to the category target.
func (e *Error) Is(target error) bool {
	return errs.Matches(e.Kind, target)
}

// decodeError turns a non-success response into an *Error: DRF bodies
// ({"detail","code"}, field maps), the documented {"error"} and anything
// else (HTML debug pages, proxies' pages, empty bodies) by status.
func decodeError(r *transport.Response) error {
	p := envelope.DRF(r.Body)
	kind := errs.ForStatus(r.StatusCode)
	if kind == "" {
		kind = banklink.ErrServerError // a 1xx/3xx/2xx that is not the call's success
	}
	return &Error{
		ResponseInfo: r.Info(),
		Kind:         kind,
		Code:         p.Code,
		Message:      r.Redact(p.Message),
		FieldErrors:  r.RedactFields(p.Fields),
	}
}

// shapeError reports a success status whose body is not what the API sends.
func shapeError(r *transport.Response, what string) error {
	return &Error{ResponseInfo: r.Info(), Kind: banklink.ErrServerError, Message: "unexpected response: " + what}
}

// invalid is a check that failed before any request was sent.
func invalid(field, msg string) error {
	return &Error{
		Kind:        banklink.ErrInvalidRequest,
		Message:     field + ": " + msg,
		FieldErrors: map[string][]string{field: {msg}},
	}
}
