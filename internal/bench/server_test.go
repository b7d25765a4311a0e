package bench

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// serveEnv makes the test binary serve the DFCU fake instead of running
// tests: the stampede benchmark's server runs in a process of its own.
const serveEnv = "BANKLINK_BENCH_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "dfcu" {
		srv := dfcutest.NewServer()
		fmt.Println(srv.URL)
		_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes it
		srv.Close()
		return
	}
	os.Exit(m.Run())
}

// separateServer starts this test binary again as the DFCU fake and
// returns its URL. A server in the same process shares the client's
// goroutine scheduler: under a burst of 1,000 goroutines its answers wait
// behind them, which is not what a real server does.
func separateServer(b *testing.B) string {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"=dfcu")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("the server process did not start: %v", err)
	}
	return strings.TrimSpace(line)
}

// counting counts the refresh requests that go through it.
type counting struct {
	*http.Transport
	refreshes atomic.Int64
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/token/refresh/") {
		c.refreshes.Add(1)
	}
	return c.Transport.RoundTrip(r)
}

// Tokens whose exp (2100-01-01) keeps them valid.
const (
	access  = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln"
	refresh = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln"
	apiKey  = "bench-api-key"
)

// The answers, as the real servers send them.
const (
	loansBody    = `{"response":{"customer_id":"C001","customer_name":"Paul Logan","customer_account":"1002000989","customer_loans":[{"loan_id":"L000001","disbursement_date":"2023-03-01T12:09:05Z","outstanding_amount":2000000},{"loan_id":"L000002","disbursement_date":"2023-03-15T08:30:00Z","outstanding_amount":750000}]}}`
	infoBody     = `{"id":93,"email":"johndoe@gmail.com","avatar":"","gender":"MALE","username":"JohnDoe0303","name":"John","net balance":0,"customer-id":"2160658639884","verification_status":true,"phone":"1234567890","country":"","citizenship":"","national_id":"","address":"","bank_name":""}`
	myinfoBody   = `{"contextResponse":{"tenantName":null,"statusCode":"SUCCESS","statusMessage":null,"additionalStatusCode":null,"additionalStatusMessage":null},"responseData":{"id":"6f1c2a9e-3b7d-4c55-9a0e-2f8d1b7c4e10","username":"test20190417","firstName":"Test","lastName":"User","status":"ACTIVE","personType":"SUBSCRIBER","enabled":true,"accountNonLocked":true,"credentialsNonExpired":true,"needChangePassword":false,"loginAttempt":0,"lastLoginDatetime":1700000000000,"createdDate":1555459200000,"preferredLanguage":"en"}}`
	profileBody  = `{"status":true,"data":{"email":"merchant1@mailinator.com","id":"e84a4677-3158-40ba-8967-f523c2315cf9","lastName":"Obagunwa","mode":"SANDBOX","role":"Admin","firstName":"Samson","owner":false,"review":"PENDING","businessName":"Caleb","businessType":"Restaurants","createdAt":"2022-05-03T10:18:19.172Z","updatedAt":"2022-05-03T10:18:19.172Z"}}`
	uploadAnswer = `{"url":"https://openbankingapp.s3.amazonaws.com/c3510aee.bin"}`
)

// handler answers the four providers' calls with fixed bodies, checking
// only that the credentials came along, so every client does the same work.
func handler() http.Handler {
	mux := http.NewServeMux()
	answer := func(check func(*http.Request) bool, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if !check(r) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		}
	}
	bearer := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+access }
	mux.HandleFunc("POST /api/accounts/loans/", answer(bearer, loansBody))
	mux.HandleFunc("GET /auth/info/93/", answer(bearer, infoBody))
	mux.HandleFunc("GET /auth/api/myinfo", answer(func(r *http.Request) bool { return bearer(r) && r.Header.Get("api-key") == apiKey }, myinfoBody))
	mux.HandleFunc("GET /api/v1/merchant/profile", answer(func(r *http.Request) bool {
		return r.Header.Get("X-Access-Token") == access && r.Header.Get("X-Refresh-Token") == refresh
	}, profileBody))
	mux.HandleFunc("POST /auth/upload/", func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			_, _ = io.Copy(io.Discard, part)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, uploadAnswer)
	})
	return mux
}

func newServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(handler())
	b.Cleanup(srv.Close)
	return srv
}

// pooled is the transport every client under test gets: the SDK's defaults.
func pooled() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 100
	tr.MaxIdleConnsPerHost = 64
	return tr
}
