package fintiv

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// ErrPasswordChangeRequired matches a [*banklink.Error] from a session whose token
// response said need_change_password: the user must change the password
// (ChangePassword) before the service allows other calls.
const ErrPasswordChangeRequired banklink.Category = "password change required"

// The contextResponse status codes with a known meaning.
const (
	StatusSuccess    = "SUCCESS"
	StatusValidation = "VALIDATION"
	StatusSecurity   = "SECURITY"
	StatusFailure    = "FAILURE"
)

// ErrorDetail is the Detail of a Fintiv [*banklink.Error]: the parts of the
// service's answer the shared error has no field for. Read it with
// DetailOf, or e.Detail.(*fintiv.ErrorDetail).
//
// A Fintiv error's Code is contextResponse.statusCode (e.g. "VALIDATION",
// kept verbatim for codes the client does not know), or the token
// endpoint's OAuth "error" when there is none; its Message is
// statusMessage (with additionalStatusMessage after it), the OAuth
// error_description or an HTML page's title; its FieldErrors are the
// entries of contextResponse.errors that name a field. VALIDATION is
// [banklink.ErrInvalidRequest], SECURITY [banklink.ErrUnauthorized] and
// FAILURE [banklink.ErrServerError], whatever the HTTP status.
type ErrorDetail struct {
	// AdditionalCode and AdditionalMessage are the envelope's
	// additionalStatusCode and additionalStatusMessage (the token endpoint
	// sends them at the top level).
	AdditionalCode    string
	AdditionalMessage string
	// Tenant is contextResponse.tenantName.
	Tenant string
	// Errors are contextResponse.errors, when sent; nil otherwise.
	Errors []ErrorEntry
	// OAuthError is the token endpoint's "error" (e.g. "invalid_grant").
	OAuthError string
	// NeedChangePassword is set when the session's token response said the
	// user must change the password first; the error then also matches
	// ErrPasswordChangeRequired.
	NeedChangePassword bool
}

// ErrorEntry is one entry of contextResponse.errors.
type ErrorEntry struct {
	Code    string
	Field   string
	Message string
}

// Is reports whether the detail adds the category target to its error:
// ErrPasswordChangeRequired when NeedChangePassword is set.
func (d *ErrorDetail) Is(target error) bool {
	return target == ErrPasswordChangeRequired && d.NeedChangePassword
}

// DetailOf returns the Fintiv detail of err when err is, or wraps, a
// [*banklink.Error] from this package.
func DetailOf(err error) (*ErrorDetail, bool) {
	var e *banklink.Error
	if !errors.As(err, &e) {
		return nil, false
	}
	d, ok := e.Detail.(*ErrorDetail)
	return d, ok
}

// contextResponse is the envelope's status part.
type contextResponse struct {
	TenantName              *string              `json:"tenantName"`
	StatusCode              *string              `json:"statusCode"`
	StatusMessage           *string              `json:"statusMessage"`
	AdditionalStatusCode    *envelope.FlexString `json:"additionalStatusCode"`
	AdditionalStatusMessage *string              `json:"additionalStatusMessage"`
	Errors                  []wireErrorEntry     `json:"errors"`
}

type wireErrorEntry struct {
	ErrorCode    envelope.FlexString `json:"errorCode"`
	Code         envelope.FlexString `json:"code"`
	Field        string              `json:"field"`
	ErrorMessage string              `json:"errorMessage"`
	Message      string              `json:"message"`
}

// body is every shape the service answers with: the envelope, and the
// token endpoint's flat fields.
type body struct {
	ContextResponse         *contextResponse     `json:"contextResponse"`
	ResponseData            json.RawMessage      `json:"responseData"`
	Error                   json.RawMessage      `json:"error"`
	ErrorDescription        string               `json:"error_description"`
	AdditionalStatusCode    *envelope.FlexString `json:"additionalStatusCode"`
	AdditionalStatusMessage *string              `json:"additionalStatusMessage"`
	Message                 string               `json:"message"`
}

func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// kindOf classifies a status code, falling back on the HTTP status. Every
// known code has a category (VALIDATION: invalid request, SECURITY:
// unauthorized, FAILURE: server error, whatever the HTTP status); an
// unknown code under HTTP 200 is kept verbatim with no category.
func kindOf(code string, httpStatus int) banklink.Category {
	switch strings.ToUpper(code) {
	case StatusValidation:
		return banklink.ErrInvalidRequest
	case StatusSecurity:
		return banklink.ErrUnauthorized
	case StatusFailure:
		return banklink.ErrServerError
	}
	if k := errs.ForStatus(httpStatus); k != "" {
		return k
	}
	if httpStatus >= 200 && httpStatus < 300 {
		return "" // an unknown business code with HTTP 200: kept verbatim, no category
	}
	return banklink.ErrServerError
}

// newError builds the error of a response whose body b was decoded (or
// not, when b is nil).
func newError(r *transport.Response, b *body) *banklink.Error {
	d := &ErrorDetail{}
	var code, msg string
	if b != nil && b.ContextResponse != nil {
		cr := b.ContextResponse
		code, msg, d.Tenant = deref(cr.StatusCode), deref(cr.StatusMessage), deref(cr.TenantName)
		d.AdditionalCode, d.AdditionalMessage = deref(cr.AdditionalStatusCode), deref(cr.AdditionalStatusMessage)
		for _, w := range cr.Errors {
			ecode := string(w.ErrorCode)
			if ecode == "" {
				ecode = string(w.Code)
			}
			emsg := w.ErrorMessage
			if emsg == "" {
				emsg = w.Message
			}
			d.Errors = append(d.Errors, ErrorEntry{Code: ecode, Field: w.Field, Message: r.Redact(emsg)})
		}
		if msg == "" && len(d.Errors) > 0 {
			msg = d.Errors[0].Message
		}
	}
	if b != nil {
		var oauth string
		if json.Unmarshal(b.Error, &oauth) == nil {
			d.OAuthError = oauth
		}
		if msg == "" {
			msg = b.ErrorDescription
		}
		if msg == "" {
			msg = b.Message
		}
		if d.AdditionalCode == "" {
			d.AdditionalCode = deref(b.AdditionalStatusCode)
		}
		if d.AdditionalMessage == "" {
			d.AdditionalMessage = deref(b.AdditionalStatusMessage)
		}
	}
	if b == nil {
		msg = envelope.DRF(r.Body).Message // an HTML title or short text
	}
	d.AdditionalMessage = r.Redact(d.AdditionalMessage)
	if d.AdditionalMessage != "" && d.AdditionalMessage != msg {
		if msg != "" {
			msg += ": "
		}
		msg += d.AdditionalMessage
	}
	kind := kindOf(code, r.StatusCode)
	if d.OAuthError == "invalid_token" && code == "" {
		kind = banklink.ErrUnauthorized
	}
	if code == "" {
		code = d.OAuthError
	}
	if b == nil {
		if fcode, fmsg, ok := envelope.Foreign(r.StatusCode, envelope.Problem{Message: msg}); ok {
			// Not the service's answer (a gateway's or a firewall's page):
			// never a refusal of the credentials.
			kind, code, msg = banklink.ErrServerError, fcode, fmsg
			if r.StatusCode == http.StatusNotFound {
				kind = banklink.ErrNotFound
			}
		}
	}
	e := r.Fail(kind, code, msg)
	e.Detail = d
	for _, entry := range d.Errors {
		if entry.Field != "" {
			if e.FieldErrors == nil {
				e.FieldErrors = map[string][]string{}
			}
			e.FieldErrors[entry.Field] = append(e.FieldErrors[entry.Field], entry.Message)
		}
	}
	return e
}

// decodeEnvelope checks a service answer and decodes responseData into
// out (when not nil). Success is contextResponse.statusCode == "SUCCESS"
// and nothing else, whatever the HTTP status.
func decodeEnvelope(r *transport.Response, out any) error {
	if p, ok := out.(*Person); ok && r.StatusCode >= 200 && r.StatusCode < 300 && readPerson(r.Body, p) {
		return nil // the usual answer of Me, read without reflection
	}
	if out != nil && r.StatusCode >= 200 && r.StatusCode < 300 {
		// One pass for the common case: responseData decodes straight into
		// out (Unmarshal fills the pointer an interface holds).
		fast := struct {
			ContextResponse *contextResponse `json:"contextResponse"`
			ResponseData    any              `json:"responseData"`
		}{ResponseData: out}
		if json.Unmarshal(r.Body, &fast) == nil && fast.ContextResponse != nil && deref(fast.ContextResponse.StatusCode) == StatusSuccess {
			return nil
		}
	}
	var b body
	if err := json.Unmarshal(r.Body, &b); err != nil {
		e := newError(r, nil)
		if e.Category == "" {
			e.Category = banklink.ErrServerError // not JSON, whatever the status
		}
		return e
	}
	if b.ContextResponse == nil || deref(b.ContextResponse.StatusCode) != StatusSuccess {
		e := newError(r, &b)
		if b.ContextResponse == nil && r.StatusCode >= 200 && r.StatusCode < 300 {
			e.Category, e.Message = banklink.ErrServerError, "unexpected response: no contextResponse"
		}
		return e
	}
	if r.StatusCode < 200 || r.StatusCode >= 300 {
		return newError(r, &b) // SUCCESS with an error status: trust the status
	}
	if out == nil {
		return nil
	}
	data := bytes.TrimSpace(b.ResponseData)
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		e := newError(r, &b)
		e.Category, e.Message = banklink.ErrServerError, "unexpected response: responseData does not decode"
		return e
	}
	return nil
}

// invalid is a check of op's input that failed before anything was sent.
func invalid(op, field, msg string) error { return errs.Invalid("fintiv", op, field, msg) }

// tokenRefused reports whether err is the service refusing the session
// token: HTTP 401, or statusCode SECURITY whatever the HTTP status.
func tokenRefused(err error) bool {
	var e *banklink.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusUnauthorized || strings.EqualFold(e.Code, StatusSecurity)
}
