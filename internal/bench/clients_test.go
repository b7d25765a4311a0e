package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

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
		for k, v := range handHeaders {
			req.Header.Set(k, v)
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

// rawBoundedCall is the raw call with the bound a careful hand-written
// client sets: each call under a context.WithTimeout (the SDK's attempt
// timeout), so a server that never answers cannot hold it forever.
func rawBoundedCall(b *testing.B, base string) call {
	c := rawCall(b, base)
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return c(ctx)
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

// handHeaders are the headers every hand-written request sends besides
// its credentials, as the SDK's do: the same request, the same bytes for
// the server to parse.
var handHeaders = map[string]string{"Accept": "application/json", "User-Agent": "hand-written/1.0 (bench; go1.26)"}

// What the hand-written calls decode into: the answer's fields, typed, as
// a hand-written client would declare them.
type (
	rawInfo struct {
		ID                 int    `json:"id"`
		Email              string `json:"email"`
		Avatar             string `json:"avatar"`
		Gender             string `json:"gender"`
		Username           string `json:"username"`
		Name               string `json:"name"`
		NetBalance         any    `json:"net balance"`
		CustomerID         string `json:"customer-id"`
		VerificationStatus bool   `json:"verification_status"`
		Phone              string `json:"phone"`
		Country            string `json:"country"`
		Citizenship        string `json:"citizenship"`
		NationalID         string `json:"national_id"`
		Address            string `json:"address"`
		BankName           string `json:"bank_name"`
	}
	rawMyinfo struct {
		ContextResponse struct {
			StatusCode string `json:"statusCode"`
		} `json:"contextResponse"`
		ResponseData struct {
			ID                    string `json:"id"`
			Username              string `json:"username"`
			FirstName             string `json:"firstName"`
			LastName              string `json:"lastName"`
			Status                string `json:"status"`
			PersonType            string `json:"personType"`
			Enabled               bool   `json:"enabled"`
			AccountNonLocked      bool   `json:"accountNonLocked"`
			CredentialsNonExpired bool   `json:"credentialsNonExpired"`
			NeedChangePassword    bool   `json:"needChangePassword"`
			LoginAttempt          int    `json:"loginAttempt"`
			LastLogin             int64  `json:"lastLoginDatetime"`
			Created               int64  `json:"createdDate"`
			PreferredLanguage     string `json:"preferredLanguage"`
		} `json:"responseData"`
	}
	rawProfile struct {
		Status bool `json:"status"`
		Data   struct {
			ID           string    `json:"id"`
			Email        string    `json:"email"`
			FirstName    string    `json:"firstName"`
			LastName     string    `json:"lastName"`
			Mode         string    `json:"mode"`
			Role         string    `json:"role"`
			Owner        bool      `json:"owner"`
			Review       string    `json:"review"`
			BusinessName string    `json:"businessName"`
			BusinessType string    `json:"businessType"`
			CreatedAt    time.Time `json:"createdAt"`
			UpdatedAt    time.Time `json:"updatedAt"`
		} `json:"data"`
	}
)

// rawGet is a GET by hand: the URL, handHeaders and the credentials,
// the answer decoded into a new value of out's type.
func rawGet[T any](b *testing.B, url string, credentials map[string]string) call {
	tr := pooled()
	b.Cleanup(tr.CloseIdleConnections)
	return rawVia[T](tr, url, credentials)
}

// rawVia is rawGet through the RoundTripper rt.
func rawVia[T any](rt http.RoundTripper, url string, credentials map[string]string) call {
	hc := &http.Client{Transport: rt}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for k, v := range handHeaders {
			req.Header.Set(k, v)
		}
		for k, v := range credentials {
			req.Header.Set(k, v)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out T
		return json.NewDecoder(resp.Body).Decode(&out)
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
