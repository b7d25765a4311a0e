package merchant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// NIPClient calls the bank's NIP name enquiry service. It is safe for
// concurrent use.
type NIPClient struct {
	t   *transport.Transport
	cfg *nipConfig // behind a pointer: printing a client never shows the password
}

type nipConfig struct {
	username, password string
}

// NewNIP returns a NIP client. It needs the service's base URL
// ([banklink.WithBaseURL], e.g. ".../postingrest/") and WithNIPCredentials.
// The documented test URL is plain http to a public address: it is refused
// unless [banklink.WithInsecureHTTP] is given too, since the credentials
// travel in every request body.
func NewNIP(opts ...Option) (*NIPClient, error) {
	n := &NIPClient{cfg: &nipConfig{}}
	s, err := transport.Collect(n.cfg, opts)
	if err != nil {
		return nil, errs.Config("merchant", err)
	}
	if n.cfg.username == "" {
		return nil, errs.Config("merchant", errors.New("no NIP credentials: use merchant.WithNIPCredentials"))
	}
	n.t, err = transport.New(transport.Config{Provider: "merchant", Secrets: []string{n.cfg.password}}, s)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// CloseIdleConnections closes idle keep-alive connections, as
// Client.CloseIdleConnections does.
func (n *NIPClient) CloseIdleConnections() { n.t.CloseIdleConnections() }

// NIPAccount is a successful name enquiry.
type NIPAccount struct {
	AccountNumber        string
	AccountName          string
	BankCode             string
	BVN                  string // often empty
	TransactionReference string // often empty
	ResponseMessage      string
}

// nipBody is every field either NIP call answers with. All are strings.
type nipBody struct {
	BankCode             string `json:"bankCode"`
	AccountName          string `json:"accountName"`
	TransactionReference string `json:"transactionReference"`
	BVN                  string `json:"bvn"`
	ResponseMessage      string `json:"responseMessage"`
	AccountNumber        string `json:"accountNumber"`
	ResponseCode         string `json:"responseCode"`
	Banks                []Bank `json:"banks"`
}

// Bank is one NIBSS institution.
type Bank struct {
	Code string `json:"bankCode"`
	Name string `json:"bankName"`
}

// AccountName looks up the name on an account (POST /GetNIPAccount).
// accountNumber must be a 10-digit NUBAN and bankCode a 6-digit NIBSS
// institution code; both are checked before anything is sent. Only
// responseCode "00" is success: any other code is a [*banklink.Error] whose Code is it
// (07, 25, 01: [banklink.ErrNotFound]; 91: ErrBankUnavailable; 09, 97:
// ErrIndeterminate; 11, 03, 96: [banklink.ErrServerError]), whatever the
// HTTP status, except that "11" under 401 (how the service refuses the
// configured credentials) is [banklink.ErrUnauthorized].
func (n *NIPClient) AccountName(ctx context.Context, accountNumber, bankCode string) (*NIPAccount, error) {
	accountNumber, bankCode = strings.TrimSpace(accountNumber), strings.TrimSpace(bankCode)
	if !digits(accountNumber, 10) {
		return nil, invalid("nip_account", "accountNumber", "must be a 10-digit NUBAN")
	}
	if !digits(bankCode, 6) {
		return nil, invalid("nip_account", "beneficiaryBank", "must be a 6-digit NIBSS institution code")
	}
	body, err := json.Marshal(map[string]string{"accountNumber": accountNumber, "beneficiaryBank": bankCode, "userName": n.cfg.username, "password": n.cfg.password})
	if err != nil {
		return nil, err
	}
	var out *NIPAccount
	err = n.t.Do(ctx, &transport.Op{
		Name: "nip_account", Method: http.MethodPost, Path: "GetNIPAccount", Body: body, ContentType: "application/json", Idempotent: true,
		Account: accountNumber,
	}, func(r *transport.Response) error {
		b, err := decodeNIP(r)
		if err != nil {
			return err
		}
		out = &NIPAccount{AccountNumber: b.AccountNumber, AccountName: strings.TrimSpace(b.AccountName), BankCode: b.BankCode,
			BVN: b.BVN, TransactionReference: b.TransactionReference, ResponseMessage: strings.TrimSpace(b.ResponseMessage)}
		return nil
	})
	return out, err
}

// Banks lists the institutions the service knows (GET /GetNIPBanks).
func (n *NIPClient) Banks(ctx context.Context) ([]Bank, error) {
	var out []Bank
	err := n.t.Do(ctx, &transport.Op{Name: "nip_banks", Method: http.MethodGet, Path: "GetNIPBanks", Idempotent: true},
		func(r *transport.Response) error {
			b, err := decodeNIP(r)
			out = b.Banks
			return err
		})
	return out, err
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// decodeNIP reads a NIP answer whatever the HTTP status: success is
// responseCode "00" and nothing else.
func decodeNIP(r *transport.Response) (nipBody, error) {
	var b nipBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		kind := errs.ForStatus(r.StatusCode)
		if kind == "" {
			kind = banklink.ErrServerError
		}
		return b, r.Fail(kind, "", envelope.DRF(r.Body).Message)
	}
	code := strings.TrimSpace(b.ResponseCode)
	if code == "00" && r.StatusCode >= 200 && r.StatusCode < 300 {
		return b, nil
	}
	e := r.Fail(nipKind(code), code, strings.TrimSpace(b.ResponseMessage))
	if (r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusForbidden) && (code == "11" || code == "") {
		// The service refuses the configured credentials with its generic
		// "11" under 401: a credentials error, not a server failure. (A
		// specific code under 401 keeps its meaning.)
		e.Category = errs.ForStatus(r.StatusCode)
		return b, e
	}
	if code == "" || code == "00" { // no code, or "00" under an error status
		e.Category = errs.ForStatus(r.StatusCode)
		if e.Category == "" {
			e.Category = banklink.ErrServerError
		}
		if e.Message == "" {
			e.Message = "unexpected response: no responseCode"
		}
	}
	return b, e
}

// nipKind classifies the NIBSS response codes the service is known to pass.
func nipKind(code string) banklink.Category {
	switch code {
	case "01", "07", "25":
		return banklink.ErrNotFound
	case "91":
		return ErrBankUnavailable
	case "09", "97":
		return ErrIndeterminate
	case "03", "11", "96":
		return banklink.ErrServerError
	case "7709":
		return banklink.ErrInvalidRequest
	}
	return ""
}

// LogValue is what any slog handler prints of the client: its base URL,
// never a credential.
func (n *NIPClient) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(n)) }

// Format prints the client's base URL only, whatever the verb.
func (n *NIPClient) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "merchant.NIPClient{%s}", n.t.BaseURL())
}

// Format keeps the NIP credentials out of any printing.
func (c *nipConfig) Format(f fmt.State, _ rune) { fmt.Fprint(f, "merchant.nipConfig{[REDACTED]}") }
