package fintract

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// roleRefusal matches the 400 answers the server gives a user whose role
// may not make the call ("This user is not an FINTRACT admin").
// and the answers for accounts not yet cleared ("has not been
// admin_approved", "has not been email verified"): valid credentials, not
// allowed this call, like a 403.
var roleRefusal = regexp.MustCompile(`(?i)\bnot an? [a-z_ ]*admin\b|\bnot allowed to\b|\bpermission\b|\bnot been (?:admin[_ ]approved|approved|e-?mail[_ ]verified|verified)\b`)

// problem reads an error body: the login views wrap it in {"errors": …}
// (or {"data": {"error": …}} with HTTP 200); the others send it plain.
func problem(body []byte) envelope.Problem {
	var w struct {
		Errors json.RawMessage `json:"errors"`
		Data   json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &w) == nil {
		if inner := bytes.TrimSpace(w.Errors); len(inner) > 0 && inner[0] == '{' {
			return envelope.DRF(inner)
		}
		if inner := bytes.TrimSpace(w.Data); len(inner) > 0 && inner[0] == '{' {
			if p := envelope.DRF(inner); p.Message != "" {
				return p
			}
		}
	}
	return envelope.DRF(body)
}

// decodeError turns a failed response into a [*banklink.Error].
func decodeError(r *transport.Response) error {
	p := problem(r.Body)
	kind := errs.ForStatus(r.StatusCode)
	lower := strings.ToLower(p.Message)
	switch {
	case kind == "":
		kind = banklink.ErrInvalidRequest // an error sent with a 2xx status
		if r.StatusCode < 200 || r.StatusCode >= 300 {
			kind = banklink.ErrServerError
		}
	case (r.StatusCode == http.StatusBadRequest || r.StatusCode == http.StatusUnauthorized) && roleRefusal.MatchString(p.Message):
		kind = banklink.ErrForbidden
	case r.StatusCode == http.StatusBadRequest && strings.Contains(lower, "expired"):
		kind = banklink.ErrSessionExpired // "Sesssion Expired, Login again": the OTP challenge is over
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

// errorIn200 reports whether a 2xx body carries an error: a top-level
// "error" or "errors", or {"data": {"error": …}}.
func errorIn200(body []byte) bool {
	var m struct {
		Error  json.RawMessage `json:"error"`
		Errors json.RawMessage `json:"errors"`
		Data   *struct {
			Error json.RawMessage `json:"error"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	present := func(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }
	return present(m.Error) || present(m.Errors) || (m.Data != nil && present(m.Data.Error))
}

// decodeJSON checks the status and the body for errors, then decodes the
// body into out (when out is not nil). A 2xx body that is not JSON is an
// error too: a cut-off or foreign answer is never taken for success.
func decodeJSON(r *transport.Response, out any) error {
	if r.StatusCode < 200 || r.StatusCode >= 300 || errorIn200(r.Body) {
		return decodeError(r)
	}
	if !json.Valid(r.Body) {
		return shapeError(r, "the body is not JSON")
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return shapeError(r, "the body is not the expected JSON")
	}
	return nil
}

// decodeMessage checks the answer of a call whose success is only a
// message: {"msg": …} or {"message": …}, as every server version sends.
func decodeMessage(r *transport.Response) error {
	var m struct {
		Msg     *string `json:"msg"`
		Message *string `json:"message"`
	}
	if err := decodeJSON(r, &m); err != nil {
		return err
	}
	if m.Msg == nil && m.Message == nil {
		return shapeError(r, "no msg or message")
	}
	return nil
}

// shapeError reports a success status whose body is not what the API sends.
func shapeError(r *transport.Response, what string) error {
	return r.Fail(banklink.ErrServerError, "", "unexpected response: "+what)
}

// invalid is a check of op's input that failed before anything was sent.
func invalid(op, field, msg string) error { return errs.Invalid("fintract", op, field, msg) }

// tokenRefused reports whether err is the server refusing the access token
// in a way a refresh can cure.
func tokenRefused(err error) bool {
	var e *banklink.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized || e.Category == banklink.ErrForbidden {
		return false
	}
	return e.Code != "user_not_found" && e.Code != "user_inactive"
}
