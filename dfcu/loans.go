package dfcu

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/jsonread"
	"github.com/banklink/banklink-go/internal/transport"
)

// Loans is a customer's loans, as the server lists them: closed ones may
// be among them (the answer carries no status; a closed loan may show an
// Outstanding of 0).
type Loans struct {
	CustomerID   string
	CustomerName string
	// Account is the account number the loans belong to.
	Account string
	// Loans is empty (not an error) when the account has no loans.
	Loans []Loan
}

// Loan is one loan of the customer.
type Loan struct {
	ID string
	// Disbursed is when the loan was paid out, in UTC.
	Disbursed time.Time
	// Outstanding is the amount owed in Uganda shillings (no minor unit).
	Outstanding int64
}

// maxAccountLen bounds an account number; DFCU's have 10 digits.
const maxAccountLen = 34

// Loans returns the loans of an account, closed ones included when the
// server lists them (POST
// api/accounts/loans/). The account number is trimmed and sent as a JSON
// string. An account without loans gives an empty result; an unknown one an
// [*banklink.Error] matching [banklink.ErrNotFound]; an empty one an error matching
// [banklink.ErrInvalidRequest], before anything is sent.
func (c *Client) Loans(ctx context.Context, account string) (*Loans, error) {
	account = strings.TrimSpace(account)
	switch {
	case account == "":
		return nil, invalid("loans", "account", "an account number is required")
	case len(account) > maxAccountLen || strings.ContainsFunc(account, isControlOrSpace):
		return nil, invalid("loans", "account", "not an account number")
	}
	// {"account": "<number>"}, built without reflection: this is the hot call.
	body := append(envelope.AppendString(append(make([]byte, 0, 16+len(account)), `{"account":`...), account), '}')
	var out *Loans
	err := c.t.Do(ctx, &transport.Op{
		Name: "loans", Method: http.MethodPost, Path: "api/accounts/loans/", Body: body,
		ContentType: "application/json", Idempotent: true, Auth: true, Account: account,
	}, func(r *transport.Response) (err error) {
		out, err = decodeLoans(r, account)
		return err
	})
	return out, err
}

func isControlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

// loansEnvelope decodes a success in one pass into plain strings. A
// "response" string (the server's other answers) or a number where a
// string was documented make that fail with a type error; the body is then
// decoded again, as a message or with lenient field types.
type loansEnvelope[S ~string] struct {
	Response *customerLoans[S] `json:"response"`
}

type loansMessageEnvelope struct {
	Response *string `json:"response"`
}

type customerLoans[S ~string] struct {
	CustomerID      S             `json:"customer_id"`
	CustomerName    string        `json:"customer_name"`
	CustomerAccount S             `json:"customer_account"`
	CustomerLoans   []wireLoan[S] `json:"customer_loans"`
}

type wireLoan[S ~string] struct {
	LoanID            S           `json:"loan_id"`
	DisbursementDate  string      `json:"disbursement_date"`
	OutstandingAmount json.Number `json:"outstanding_amount"`
}

// decodeLoans reads {"response": object} on success and the string forms
// the server sends with the same HTTP 200.
func decodeLoans(r *transport.Response, account string) (*Loans, error) {
	if r.StatusCode != http.StatusOK {
		return nil, decodeError(r)
	}
	if out, ok := fastLoans(r.Body, account); ok {
		return out, nil
	}
	return reflectLoans(r, account)
}

// reflectLoans reads any answer with HTTP 200 through encoding/json.
func reflectLoans(r *transport.Response, account string) (*Loans, error) {
	var env loansEnvelope[string]
	if err := json.Unmarshal(r.Body, &env); err == nil {
		return toLoans(r, env.Response, account)
	}
	var msg loansMessageEnvelope
	if json.Unmarshal(r.Body, &msg) == nil && msg.Response != nil {
		return loansMessage(r, account, *msg.Response)
	}
	var lenient loansEnvelope[envelope.FlexString]
	if json.Unmarshal(r.Body, &lenient) == nil {
		return toLoans(r, lenient.Response, account)
	}
	if !json.Valid(r.Body) {
		return nil, shapeError(r, "the body is not valid JSON")
	}
	return nil, shapeError(r, `"response" is neither a customer nor a message`)
}

// fastLoans reads the usual success answer without reflection: it is what
// most of a loans call's client-side time went to. Anything unusual (an
// escape, a string where a number belongs, an unreadable date, a message
// instead of a customer) makes it give up, and decodeLoans reads the body
// with encoding/json; where it succeeds, the result is the same (a fuzz
// test holds the two paths to that).
func fastLoans(body []byte, account string) (*Loans, bool) {
	r := jsonread.Of(body)
	var out *Loans
	ok := r.Fields([]string{"response"}, func(int) bool {
		out = &Loans{Loans: []Loan{}}
		return r.Fields([]string{"customer_id", "customer_name", "customer_account", "customer_loans"}, func(i int) (ok bool) {
			switch i {
			case 0:
				out.CustomerID, ok = r.Text()
			case 1:
				out.CustomerName, ok = r.Text()
			case 2:
				out.Account, ok = r.Text()
			default:
				ok = r.Array(func() bool {
					l, ok := fastLoan(&r)
					out.Loans = append(out.Loans, l)
					return ok
				})
			}
			return ok
		})
	})
	if !ok || !r.Done() || out == nil {
		return nil, false
	}
	if out.Account == "" {
		out.Account = account
	}
	return out, true
}

// fastLoan reads one loan for fastLoans; a date or an amount missing or
// unreadable fails it.
func fastLoan(r *jsonread.Reader) (Loan, bool) {
	var l Loan
	var dated, counted bool
	ok := r.Fields([]string{"loan_id", "disbursement_date", "outstanding_amount"}, func(i int) (ok bool) {
		switch i {
		case 0:
			l.ID, ok = r.Text()
		case 1:
			var b []byte
			if b, ok = r.Bytes(); ok {
				l.Disbursed, dated = parseUTCSeconds(b)
			}
		default:
			var b []byte
			if b, ok = r.Number(); ok {
				l.Outstanding, counted = parseWhole(b)
			}
		}
		return ok
	})
	return l, ok && dated && counted
}

func toLoans[S ~string](r *transport.Response, cl *customerLoans[S], account string) (*Loans, error) {
	if cl == nil {
		return nil, shapeError(r, `no "response" object`)
	}
	out := &Loans{CustomerID: string(cl.CustomerID), CustomerName: cl.CustomerName, Account: string(cl.CustomerAccount)}
	if out.Account == "" {
		out.Account = account
	}
	out.Loans = make([]Loan, 0, len(cl.CustomerLoans))
	for _, wl := range cl.CustomerLoans {
		at, okDate := parseDate(wl.DisbursementDate)
		amount, okAmount := parseAmount(wl.OutstandingAmount)
		if !okDate || !okAmount {
			return nil, shapeError(r, "loan "+string(wl.LoanID)+" has an unreadable date or amount")
		}
		out.Loans = append(out.Loans, Loan{ID: string(wl.LoanID), Disbursed: at, Outstanding: amount})
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
	return nil, r.Fail(kind, "", msg)
}

// parseDate reads RFC 3339 (with or without fractions) and the zone-less
// forms Django emits with USE_TZ off, as UTC.
func parseDate(s string) (time.Time, bool) {
	if t, ok := parseUTCSeconds(s); ok {
		return t, true
	}
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

// parseUTCSeconds reads the form the API sends, "2023-03-01T12:09:05Z",
// without time.Parse's generality.
func parseUTCSeconds[T string | []byte](s T) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 2023-02-30 would roll over: not a date
		return time.Time{}, false
	}
	return t, true
}

// parseWhole reads a plain integer of up to 18 digits: the usual amount,
// for the fast path; other forms are left to parseAmount.
func parseWhole(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseAmount reads a whole number of shillings (a JSON number, or a
// string holding one); "2000000.00" is accepted, a real fraction is not
// (it would be lost).
func parseAmount(n json.Number) (int64, bool) {
	s := strings.TrimSpace(string(n))
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || strings.Trim(frac, "0") != "" {
		return 0, false
	}
	v, err := strconv.ParseInt(whole, 10, 64)
	return v, err == nil
}
