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

// ErrPasswordChangeRequired matches an *Error from a session whose token
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

// Error is a failure reported by the Fintiv service (a non-SUCCESS
// contextResponse, whatever the HTTP status; a flat OAuth error from the
// token endpoint; or a body that is neither), or found by the client's own
// checks before sending (then StatusCode is 0). It never holds the API key,
// a token, a password or a PIN.
type Error struct {
	banklink.ResponseInfo

	// Kind is the error's category: VALIDATION is an invalid request,
	// SECURITY unauthorized; other codes take the HTTP status's category.
	Kind banklink.Category
	// Code is contextResponse.statusCode (e.g. "VALIDATION"), kept verbatim
	// for codes the client does not know.
	Code string
	// Message is contextResponse.statusMessage, or the OAuth
	// error_description, or an HTML page's title.
	Message string
	// AdditionalCode and AdditionalMessage are the envelope's
	// additionalStatusCode and additionalStatusMessage (the token endpoint
	// sends them at the top level).
	AdditionalCode    string
	AdditionalMessage string
	// Tenant is contextResponse.tenantName.
	Tenant string
	// Errors are contextResponse.errors, when sent.
	Errors []ErrorDetail
	// OAuthError is the token endpoint's "error" (e.g. "invalid_grant").
	OAuthError string
	// NeedChangePassword is set when the session's token response said the
	// user must change the password first.
	NeedChangePassword bool
}

// ErrorDetail is one entry of contextResponse.errors.
type ErrorDetail struct {
	Code    string
	Field   string
	Message string
}

// Error describes the failure.
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = e.OAuthError
	}
	msg := e.Message
	if e.AdditionalMessage != "" && e.AdditionalMessage != msg {
		if msg != "" {
			msg += ": "
		}
		msg += e.AdditionalMessage
	}
	return errs.Describe("fintiv", e.ResponseInfo, e.Kind, code, msg)
}

// Is reports whether e belongs to the category target.
func (e *Error) Is(target error) bool {
	if target == ErrPasswordChangeRequired {
		return e.NeedChangePassword
	}
	return errs.Matches(e.Kind, target)
}

// contextResponse is the envelope's status part.
type contextResponse struct {
	TenantName              *string              `json:"tenantName"`
	StatusCode              *string              `json:"statusCode"`
	StatusMessage           *string              `json:"statusMessage"`
	AdditionalStatusCode    *envelope.FlexString `json:"additionalStatusCode"`
	AdditionalStatusMessage *string              `json:"additionalStatusMessage"`
	Errors                  []wireErrorDetail    `json:"errors"`
}

type wireErrorDetail struct {
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

// newError builds the *Error of a response whose body b was decoded (or
// not, when b is nil).
func newError(r *transport.Response, b *body) *Error {
	e := &Error{ResponseInfo: r.Info()}
	if b != nil && b.ContextResponse != nil {
		cr := b.ContextResponse
		e.Code, e.Message, e.Tenant = deref(cr.StatusCode), deref(cr.StatusMessage), deref(cr.TenantName)
		e.AdditionalCode, e.AdditionalMessage = deref(cr.AdditionalStatusCode), deref(cr.AdditionalStatusMessage)
		for _, d := range cr.Errors {
			code := string(d.ErrorCode)
			if code == "" {
				code = string(d.Code)
			}
			msg := d.ErrorMessage
			if msg == "" {
				msg = d.Message
			}
			e.Errors = append(e.Errors, ErrorDetail{Code: code, Field: d.Field, Message: r.Redact(msg)})
		}
		if e.Message == "" && len(e.Errors) > 0 {
			e.Message = e.Errors[0].Message
		}
	}
	if b != nil {
		var oauth string
		if json.Unmarshal(b.Error, &oauth) == nil {
			e.OAuthError = oauth
		}
		if e.Message == "" {
			e.Message = b.ErrorDescription
		}
		if e.Message == "" {
			e.Message = b.Message
		}
		if e.AdditionalCode == "" {
			e.AdditionalCode = deref(b.AdditionalStatusCode)
		}
		if e.AdditionalMessage == "" {
			e.AdditionalMessage = deref(b.AdditionalStatusMessage)
		}
	}
	if b == nil {
		e.Message = envelope.DRF(r.Body).Message // an HTML title or short text
	}
	e.Message, e.AdditionalMessage = r.Redact(e.Message), r.Redact(e.AdditionalMessage)
	e.Kind = kindOf(e.Code, r.StatusCode)
	if e.OAuthError == "invalid_token" && e.Code == "" {
		e.Kind = banklink.ErrUnauthorized
	}
	return e
}

// decodeEnvelope checks a service answer and decodes responseData into
// out (when not nil). Success is contextResponse.statusCode == "SUCCESS"
// and nothing else, whatever the HTTP status.
func decodeEnvelope(r *transport.Response, out any) error {
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
		if e.Kind == "" {
			e.Kind = banklink.ErrServerError // not JSON, whatever the status
		}
		return e
	}
	if b.ContextResponse == nil || deref(b.ContextResponse.StatusCode) != StatusSuccess {
		e := newError(r, &b)
		if b.ContextResponse == nil && r.StatusCode >= 200 && r.StatusCode < 300 {
			e.Kind, e.Message = banklink.ErrServerError, "unexpected response: no contextResponse"
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
		e.Kind, e.Message = banklink.ErrServerError, "unexpected response: responseData does not decode"
		return e
	}
	return nil
}

// invalid is a check that failed before any request was sent.
func invalid(field, msg string) error {
	return &Error{Kind: banklink.ErrInvalidRequest, Code: "", Message: field + ": " + msg,
		Errors: []ErrorDetail{{Field: field, Message: msg}}}
}

// tokenRefused reports whether err is the service refusing the session
// token: HTTP 401, or statusCode SECURITY whatever the HTTP status.
func tokenRefused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusUnauthorized || strings.EqualFold(e.Code, StatusSecurity)
}
