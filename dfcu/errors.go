package dfcu

import (
	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
	"net/http"
)

// decodeError turns a non-success response into a [*banklink.Error]: DRF bodies
// ({"detail","code"}, field maps), the documented {"error"} and anything
// else (HTML debug pages, proxies' pages, empty bodies) by status.
func decodeError(r *transport.Response) error {
	p := envelope.DRF(r.Body)
	kind := errs.ForStatus(r.StatusCode)
	if kind == "" {
		kind = banklink.ErrServerError // a 1xx/3xx/2xx that is not the call's success
	}
	if code, msg, ok := envelope.Foreign(r.StatusCode, p); ok {
		// Not the API's answer: never a refusal of the credentials, never
		// the API's own "not found" (Code says which).
		kind = banklink.ErrServerError
		if r.StatusCode == http.StatusNotFound {
			kind = banklink.ErrNotFound
		}
		p.Code, p.Message = code, msg
	}
	e := r.Fail(kind, p.Code, p.Message)
	e.FieldErrors = r.RedactFields(p.Fields)
	return e
}

// shapeError reports a success status whose body is not what the API sends.
func shapeError(r *transport.Response, what string) error {
	return r.Fail(banklink.ErrServerError, "", "unexpected response: "+what)
}

// invalid is a check of op's input that failed before anything was sent.
func invalid(op, field, msg string) error { return errs.Invalid("dfcu", op, field, msg) }
