package merchant

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

// ErrIndeterminate matches a NIP answer that leaves the outcome unknown
// (09 pending, 97 timed out): ask again later rather than assume either way.
const ErrIndeterminate banklink.Category = "indeterminate"

// ErrBankUnavailable matches NIP code 91: the beneficiary bank is not
// reachable now.
const ErrBankUnavailable banklink.Category = "beneficiary bank unavailable"

// Error is a failure reported by the wallet ({"status": false, "message"}
// or {"error"}) or the NIP service (a responseCode other than "00"), or
// found by the client's own checks before sending (then StatusCode is 0).
// It never holds a token, password or request body.
type Error struct {
	banklink.ResponseInfo

	// Kind is the error's category.
	Kind banklink.Category
	// ResponseCode is the NIP responseCode (e.g. "07"), for NIP calls.
	ResponseCode string
	// Message is the server's message, trimmed.
	Message string
	// Field names the input a client-side check refused.
	Field string
}

// Error describes the failure.
func (e *Error) Error() string {
	provider := "merchant"
	if e.ResponseCode != "" {
		provider = "merchant NIP"
	}
	return errs.Describe(provider, e.ResponseInfo, e.Kind, e.ResponseCode, e.Message)
}

// Is reports whether e belongs to the category target.
func (e *Error) Is(target error) bool {
	return errs.Matches(e.Kind, target)
}

// walletBody is the wallet's envelope.
type walletBody struct {
	Status  *bool           `json:"status"`
	Message json.RawMessage `json:"message"`
	Error   json.RawMessage `json:"error"`
	Data    json.RawMessage `json:"data"`
}

// decodeWallet checks a wallet answer: a 2xx whose body says
// "status": true (or, where allowEmpty, an empty body: logout). It returns
// the decoded envelope.
func decodeWallet(r *transport.Response, allowEmpty bool) (walletBody, error) {
	var b walletBody
	empty := len(strings.TrimSpace(string(r.Body))) == 0
	jsonErr := json.Unmarshal(r.Body, &b)
	ok2xx := r.StatusCode >= 200 && r.StatusCode < 300
	switch {
	case ok2xx && empty && allowEmpty:
		return b, nil
	case ok2xx && jsonErr == nil && b.Status != nil && *b.Status && noError(b.Error):
		return b, nil
	case ok2xx && jsonErr == nil && b.Status == nil && noError(b.Error) && len(b.Message) == 0:
		return b, &Error{ResponseInfo: r.Info(), Kind: banklink.ErrServerError, Message: `unexpected response: no "status": true`}
	case ok2xx && empty:
		return b, &Error{ResponseInfo: r.Info(), Kind: banklink.ErrServerError, Message: "unexpected response: empty body"}
	}
	e := &Error{ResponseInfo: r.Info(), Kind: errs.ForStatus(r.StatusCode)}
	if jsonErr == nil {
		e.Message = text(b.Message)
		if e.Message == "" {
			e.Message = text(b.Error)
		}
	} else {
		e.Message = envelope.DRF(r.Body).Message // an HTML title or short text
	}
	e.Message = r.Redact(strings.TrimSpace(e.Message))
	if e.Kind == "" {
		e.Kind = banklink.ErrInvalidRequest // "status": false with a 2xx
		if jsonErr != nil || !ok2xx {
			e.Kind = banklink.ErrServerError
		}
	}
	return b, e
}

// noError reports whether an "error" member says there is none: absent,
// null, false or "" (servers put all of them on successful answers).
func noError(raw json.RawMessage) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "", "null", "false", `""`:
		return true
	}
	return false
}

// text reads a JSON string, or the strings of a list.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	return ""
}

// invalid is a check that failed before any request was sent.
func invalid(field, msg string) error {
	return &Error{Kind: banklink.ErrInvalidRequest, Field: field, Message: field + ": " + msg}
}

// sessionRefused reports whether an authenticated call's error means the
// session pair was refused: the wallet's expiry status is undocumented, so
// both 401 and 403 count.
func sessionRefused(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden)
}
