package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-resty/resty/v2"
	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/merchant"
)

// rawLoansAnswer is what a DFCU loans call decodes into, by hand.
type rawLoansAnswer struct {
	Response struct {
		CustomerID      string `json:"customer_id"`
		CustomerName    string `json:"customer_name"`
		CustomerAccount string `json:"customer_account"`
		CustomerLoans   []struct {
			LoanID            string `json:"loan_id"`
			DisbursementDate  string `json:"disbursement_date"`
			OutstandingAmount int64  `json:"outstanding_amount"`
		} `json:"customer_loans"`
	} `json:"response"`
}

// call is one client making the loans call.
type call func(ctx context.Context) error

// rawCall is the floor: net/http + encoding/json, Bearer set by hand.
func rawCall(b *testing.B, base string) call {
	hc := &http.Client{Transport: pooled()}
	b.Cleanup(hc.CloseIdleConnections)
	return rawLoans(hc, base+"/api/accounts/loans/")
}

// rawLoans makes the loans call through hc by hand.
func rawLoans(hc *http.Client, url string) call {
	body := []byte(`{"account":"1002000989"}`)
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+access)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out rawLoansAnswer
		return json.NewDecoder(resp.Body).Decode(&out)
	}
}

// retryableCall is go-retryablehttp used directly, as its README shows.
func retryableCall(b *testing.B, base string) call {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Transport: pooled()}
	b.Cleanup(rc.HTTPClient.CloseIdleConnections)
	return retryableLoans(rc, base+"/api/accounts/loans/")
}

// retryableLoans makes the loans call through rc.
func retryableLoans(rc *retryablehttp.Client, url string) call {
	body := []byte(`{"account":"1002000989"}`)
	return func(ctx context.Context) error {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+access)
		req.Header.Set("Content-Type", "application/json")
		resp, err := rc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out rawLoansAnswer
		return json.NewDecoder(resp.Body).Decode(&out)
	}
}

// restyCall is resty v2 with its JSON result binding.
func restyCall(b *testing.B, base string) call {
	rc := resty.New().SetTransport(pooled()).SetBaseURL(base).SetAuthToken(access)
	b.Cleanup(func() { rc.GetClient().CloseIdleConnections() })
	body := []byte(`{"account":"1002000989"}`)
	return func(ctx context.Context) error {
		var out rawLoansAnswer
		_, err := rc.R().SetContext(ctx).SetHeader("Content-Type", "application/json").SetBody(body).SetResult(&out).Post("/api/accounts/loans/")
		return err
	}
}

// banklinkCall is the SDK's typed loans call.
func banklinkCall(b *testing.B, base string) call {
	c, err := dfcu.New(banklink.WithBaseURL(base), dfcu.WithSession(dfcu.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return func(ctx context.Context) error {
		_, err := c.Loans(ctx, "1002000989")
		return err
	}
}

// The other providers: the SDK's call and the same request by hand.

func rawGet(b *testing.B, url string, headers map[string]string, out func() any) call {
	hc := &http.Client{Transport: pooled()}
	b.Cleanup(hc.CloseIdleConnections)
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(out())
	}
}

func fintractCall(b *testing.B, base string) call {
	c, err := fintract.New(banklink.WithBaseURL(base), fintract.WithSession(fintract.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return func(ctx context.Context) error {
		_, err := c.UserInfo(ctx, 93)
		return err
	}
}

func fintivCall(b *testing.B, base string) call {
	c, err := fintiv.New(banklink.WithBaseURL(base), fintiv.WithAPIKey(apiKey), fintiv.WithSession(fintiv.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return func(ctx context.Context) error {
		_, err := c.Me(ctx)
		return err
	}
}

func merchantCall(b *testing.B, base string) call {
	c, err := merchant.New(banklink.WithBaseURL(base+"/api/v1/"), merchant.WithSession(merchant.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return func(ctx context.Context) error {
		_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: http.MethodGet, Path: "/merchant/profile", Auth: true})
		return err
	}
}
