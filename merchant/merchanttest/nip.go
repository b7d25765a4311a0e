package merchanttest

import (
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/internal/fake"
)

// NIP route names, for InjectFaults and Calls.
const (
	RouteNIPAccount = "nip_account"
	RouteNIPBanks   = "nip_banks"
)

// The NIP fake's defaults: its credentials and a known account.
const (
	NIPUsername     = "test"
	NIPPassword     = "test"
	NIPAccount      = "1018996198"
	NIPBank         = "110000"
	NIPAccountName  = "NNAJI, JOSHUA & VIVIAN"
	NIPUnknownAccnt = "0000000000"
)

// NIPAnswer is a scripted answer for one account number.
type NIPAnswer struct {
	Status  int    // HTTP status (the service sends failures under 200, 400, 401, 500)
	Code    string // responseCode
	Message string // responseMessage, sent as is (leading spaces included)
}

// NIP is a running NIP fake. Its methods are safe for concurrent use.
type NIP struct {
	banklinktest.Controls
	// URL is the base URL to give the client (…/postingrest/).
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	answers map[string]NIPAnswer
}

// NewNIP starts a NIP fake. Close it when done.
func NewNIP() *NIP {
	n := &NIP{answers: map[string]NIPAnswer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /postingrest/GetNIPAccount", n.Route(RouteNIPAccount, n.account))
	mux.HandleFunc("GET /postingrest/GetNIPBanks", n.Route(RouteNIPBanks, n.banks))
	n.srv = httptest.NewServer(mux)
	n.URL = n.srv.URL + "/postingrest/"
	return n
}

// Close shuts the server down.
func (n *NIP) Close() { n.srv.Close() }

// Answer scripts the answer for an account number.
func (n *NIP) Answer(account string, a NIPAnswer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.answers[account] = a
}

func failure(status int, code, msg string) (int, map[string]any) {
	return status, map[string]any{"requestSuccessful": false, "responseMessage": msg, "responseCode": code}
}

func (n *NIP) account(w http.ResponseWriter, r *http.Request) {
	m := readJSON(r)
	n.mu.Lock()
	scripted, ok := n.answers[m["accountNumber"]]
	n.mu.Unlock()
	var status int
	var body map[string]any
	switch {
	case m["userName"] != NIPUsername || m["password"] != NIPPassword:
		status, body = failure(http.StatusUnauthorized, "11", "Error Completing Operation")
	case ok:
		status, body = failure(scripted.Status, scripted.Code, scripted.Message)
	case m["accountNumber"] == NIPAccount && m["beneficiaryBank"] == NIPBank:
		status, body = http.StatusOK, map[string]any{"bankCode": NIPBank, "accountName": NIPAccountName, "transactionReference": "",
			"bvn": "", "responseMessage": "Approved or completed successfully", "accountNumber": NIPAccount, "responseCode": "00"}
	default:
		status, body = failure(http.StatusOK, "07", "Invalid Account")
	}
	if status == 0 {
		status = http.StatusOK
	}
	fake.WriteJSON(w, status, body)
}

func (n *NIP) banks(w http.ResponseWriter, _ *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"banks": []map[string]string{
		{"bankCode": "110000", "bankName": "PROVIDUS BANK"}, {"bankCode": "000013", "bankName": "GTBANK PLC"},
	}, "responseCode": "00", "responseMessage": "Approved or completed successfully"})
}
