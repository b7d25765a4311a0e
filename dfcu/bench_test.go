package dfcu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
)

const benchBody = `{"response":{"customer_id":"C001","customer_name":"Paul Logan","customer_account":"1002000989","customer_loans":[{"loan_id":"L000001","disbursement_date":"2023-03-01T12:09:05Z","outstanding_amount":2000000},{"loan_id":"L000002","disbursement_date":"2023-03-15T08:30:00Z","outstanding_amount":750000}]}}`

// benchServer answers every request with the same loans body, checking only
// that a Bearer token came along, so both clients do the same work.
func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// rawLoans is the floor: a hand-written net/http + encoding/json call.
func rawLoans(hc *http.Client, url string) error {
	body, _ := json.Marshal(map[string]string{"account": "1002000989"})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/api/accounts/loans/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+mockAccess)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			CustomerID    string `json:"customer_id"`
			CustomerName  string `json:"customer_name"`
			CustomerLoans []struct {
				LoanID            string `json:"loan_id"`
				DisbursementDate  string `json:"disbursement_date"`
				OutstandingAmount int64  `json:"outstanding_amount"`
			} `json:"customer_loans"`
		} `json:"response"`
	}
	return json.NewDecoder(resp.Body).Decode(&out)
}

func BenchmarkLoans(b *testing.B) {
	srv := benchServer(b)
	b.Run("raw-net-http", func(b *testing.B) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		hc := &http.Client{Transport: tr}
		b.Cleanup(hc.CloseIdleConnections)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := rawLoans(hc, srv.URL); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("banklink-dfcu", func(b *testing.B) {
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithSession(dfcu.Session{Access: mockAccess, Refresh: mockRefresh}))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.CloseIdleConnections)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Loans(context.Background(), "1002000989"); err != nil {
					b.Error(err)
				}
			}
		})
	})
}
