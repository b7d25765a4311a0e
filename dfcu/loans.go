package dfcu

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// Loans is a customer's outstanding loans.
type Loans struct {
	CustomerID   string
	CustomerName string
	// Account is the account number the loans belong to.
	Account string
	// Loans is empty (not an error) when the account has no loans.
	Loans []Loan
}

// Loan is one outstanding loan.
type Loan struct {
	ID string
	// Disbursed is when the loan was paid out, in UTC.
	Disbursed time.Time
	// Outstanding is the amount owed in Uganda shillings (no minor unit).
	Outstanding int64
}

// maxAccountLen bounds an account number; DFCU's have 10 digits.
const maxAccountLen = 34

// Loans returns the outstanding loans of an account (POST
// api/accounts/loans/). The account number is trimmed and sent as a JSON
// string. An account without loans gives an empty result; an unknown one an
// *Error matching banklink.ErrNotFound; an empty one an *Error matching
// banklink.ErrInvalidRequest, before anything is sent.
func (c *Client) Loans(ctx context.Context, account string) (*Loans, error) {
	account = strings.TrimSpace(account)
	switch {
	case account == "":
		return nil, invalid("account", "an account number is required")
	case len(account) > maxAccountLen || strings.ContainsFunc(account, isControlOrSpace):
		return nil, invalid("account", "not an account number")
	}
	body, err := json.Marshal(loansRequest{Account: account})
	if err != nil {
		return nil, err
	}
	var out *Loans
	err = c.t.Do(ctx, &transport.Op{
		Name: "loans", Method: http.MethodPost, Path: "api/accounts/loans/", Body: body,
		ContentType: "application/json", Idempotent: true, Auth: true,
	}, func(r *transport.Response) (err error) {
		out, err = decodeLoans(r, account)
		return err
	})
	return out, err
}

func isControlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

type loansRequest struct {
	Account string `json:"account"`
}

type loansEnvelope struct {
	Response json.RawMessage `json:"response"`
}

type customerLoans struct {
	CustomerID      flexString `json:"customer_id"`
	CustomerName    string     `json:"customer_name"`
	CustomerAccount flexString `json:"customer_account"`
	CustomerLoans   []wireLoan `json:"customer_loans"`
}

type wireLoan struct {
	LoanID            flexString      `json:"loan_id"`
	DisbursementDate  string          `json:"disbursement_date"`
	OutstandingAmount json.RawMessage `json:"outstanding_amount"`
}

// decodeLoans reads {"response": object} on success and the string forms
// the server sends with the same HTTP 200.
func decodeLoans(r *transport.Response, account string) (*Loans, error) {
	if r.StatusCode != http.StatusOK {
		return nil, decodeError(r)
	}
	var env loansEnvelope
	if err := json.Unmarshal(r.Body, &env); err != nil || len(env.Response) == 0 {
		return nil, shapeError(r, `no "response" object`)
	}
	if env.Response[0] == '"' {
		var msg string
		if err := json.Unmarshal(env.Response, &msg); err != nil {
			return nil, shapeError(r, `"response" is not a valid string`)
		}
		return loansMessage(r, account, msg)
	}
	var cl customerLoans
	if err := json.Unmarshal(env.Response, &cl); err != nil {
		return nil, shapeError(r, `"response" is neither a string nor a customer`)
	}
	out := &Loans{CustomerID: string(cl.CustomerID), CustomerName: cl.CustomerName, Account: string(cl.CustomerAccount)}
	if out.Account == "" {
		out.Account = account
	}
	out.Loans = make([]Loan, 0, len(cl.CustomerLoans))
	for _, wl := range cl.CustomerLoans {
		l, ok := wl.loan()
		if !ok {
			return nil, shapeError(r, "loan "+string(wl.LoanID)+" has an unreadable date or amount")
		}
		out.Loans = append(out.Loans, l)
	}
	return out, nil
}

// loansMessage classifies the "response" strings of real servers:
// "No Loans found for account - X" (an empty result), "An error ocurred.
// The Account number (X) provided does not exist." and "You need to provide
// account number.".
func loansMessage(r *transport.Response, account, msg string) (*Loans, error) {
	lower := strings.ToLower(msg)
	var kind banklink.Category
	switch {
	case strings.Contains(lower, "no loans found"):
		return &Loans{Account: account, Loans: []Loan{}}, nil
	case strings.Contains(lower, "does not exist"), strings.Contains(lower, "not found"):
		kind = banklink.ErrNotFound
	case strings.Contains(lower, "provide account number"):
		kind = banklink.ErrInvalidRequest
	}
	return nil, &Error{ResponseInfo: r.Info(), Kind: kind, Message: r.Redact(msg)}
}

func (wl wireLoan) loan() (Loan, bool) {
	at, ok := parseDate(wl.DisbursementDate)
	if !ok {
		return Loan{}, false
	}
	amount, ok := parseAmount(wl.OutstandingAmount)
	if !ok {
		return Loan{}, false
	}
	return Loan{ID: string(wl.LoanID), Disbursed: at, Outstanding: amount}, true
}

// parseDate reads RFC 3339 (with or without fractions) and the zone-less
// forms Django emits with USE_TZ off, as UTC.
func parseDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range [...]string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseAmount reads a whole number of shillings sent as a JSON number or
// string; "2000000.00" is accepted, a real fraction is not (it would be
// lost).
func parseAmount(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
		s = strings.TrimSpace(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || strings.Trim(frac, "0") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	return n, err == nil
}

// flexString decodes a JSON string or number as its text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n)
	return nil
}
