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
		return b, r.Fail(banklink.ErrServerError, "", `unexpected response: no "status": true`)
	case ok2xx && empty:
		return b, r.Fail(banklink.ErrServerError, "", "unexpected response: empty body")
	}
	var msg string
	if jsonErr == nil {
		msg = text(b.Message)
		if msg == "" {
			msg = text(b.Error)
		}
	} else {
		msg = envelope.DRF(r.Body).Message // an HTML title or short text
	}
	e := r.Fail(errs.ForStatus(r.StatusCode), "", strings.TrimSpace(msg))
	if jsonErr != nil {
		if code, fmsg, ok := envelope.Foreign(r.StatusCode, envelope.Problem{Message: strings.TrimSpace(msg)}); ok {
			// Not the wallet's answer (its refusals are {"status": false}):
			// a proxy's or a firewall's page is never a refusal.
			e = r.Fail(banklink.ErrServerError, code, fmsg)
			if r.StatusCode == http.StatusNotFound {
				e.Category = banklink.ErrNotFound
			}
		}
	}
	if e.Category == "" {
		e.Category = banklink.ErrInvalidRequest // "status": false with a 2xx
		if jsonErr != nil || !ok2xx {
			e.Category = banklink.ErrServerError
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

// invalid is a check of op's input that failed before anything was sent.
func invalid(op, field, msg string) error {
	return errs.Invalid("merchant", op, field, msg)
}

// sessionRefused reports whether an authenticated call's error means the
// session pair was refused: the wallet's expiry status is undocumented, so
// both 401 and 403 count.
func sessionRefused(err error) bool {
	var e *banklink.Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden)
}
