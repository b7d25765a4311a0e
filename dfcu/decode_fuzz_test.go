package dfcu

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// FuzzDecodeLoans feeds the loans decoder arbitrary bodies under the
// statuses real servers use: it must never panic, and must return exactly
// one of a result or an *banklink.Error.
func FuzzDecodeLoans(f *testing.F) {
	seeds := []string{
		`{"response": {"customer_id": "C001", "customer_name": "Paul Logan", "customer_account": "1002000989", "customer_loans": [{"loan_id": "L000001", "disbursement_date": "2023-03-01T12:09:05Z", "outstanding_amount": 2000000}]}}`,
		`{"response": "No Loans found for account - 6010105070"}`,
		`{"response": "An error ocurred. The Account number (9999999999) provided does not exist."}`,
		`{"response": "You need to provide account number."}`,
		`{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid or expired"}]}`,
		`{"error": "Invalid Auth Token."}`,
		`<!DOCTYPE html><html><head><title>KeyError at /api/accounts/loans/</title>`,
		`{"response": null}`, `{"response": 5}`, `{"response": {"customer_loans": null}}`, ``,
	}
	for _, s := range seeds {
		for _, status := range []int{200, 401, 500} {
			f.Add(status, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: status, Method: "POST", Path: "/api/accounts/loans/"}, Header: http.Header{}, Body: body}
		loans, err := decodeLoans(r, "1002000989")
		var e *banklink.Error
		switch {
		case err == nil && loans == nil:
			t.Fatal("neither a result nor an error")
		case err != nil && loans != nil:
			t.Fatal("both a result and an error")
		case err != nil && !errors.As(err, &e):
			t.Fatalf("untyped error %T", err)
		case err != nil:
			_ = e.Error()
		}
	})
}

// FuzzDecodeTokens: the token decoder never panics and never accepts a
// body without an access token.
func FuzzDecodeTokens(f *testing.F) {
	f.Add(200, []byte(`{"refresh":"r","access":"a"}`))
	f.Add(401, []byte(`{"detail":"No active account found with the given credentials"}`))
	f.Add(400, []byte(`{"username":["This field is required."]}`))
	f.Add(200, []byte(`{"access":""}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: status}, Header: http.Header{}, Body: body}
		var pair tokenPair
		if err := decodeTokens(r, &pair, true); err == nil && (pair.Access == "" || pair.Refresh == "") {
			t.Fatal("accepted a token response without tokens")
		}
	})
}

// FuzzParseDate: the fast date reader agrees with time.Parse wherever it
// accepts a string.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2023-03-01T12:09:05Z", "2023-02-30T00:00:00Z", "2023-03-01T24:00:00Z", "0000-01-01T00:00:00Z", "2023-03-01T12:09:05.5Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseUTCSeconds(s)
		if !ok {
			return
		}
		slow, err := time.Parse(time.RFC3339, s)
		if err != nil || !fast.Equal(slow) {
			t.Fatalf("%q: fast %v, time.Parse %v (%v)", s, fast, slow, err)
		}
	})
}

// FuzzFastLoans: wherever the reflection-free reader accepts an answer,
// encoding/json reads it to the same loans.
func FuzzFastLoans(f *testing.F) {
	for _, s := range []string{
		`{"response":{"customer_id":"C001","customer_name":"Paul Logan","customer_account":"1002000989","customer_loans":[{"loan_id":"L000001","disbursement_date":"2023-03-01T12:09:05Z","outstanding_amount":2000000}]}}`,
		`{"response":{"customer_loans":[]}}`, `{"response":{}}`, `{"extra":1,"response":{"x":[{}]}}`,
		`{"response":{"customer_loans":[{"loan_id":"L1","disbursement_date":"2023-02-30T00:00:00Z","outstanding_amount":-5}]}}`,
		`{"response":{"Customer_ID":"C"}}`, `{"response":"No Loans found for account - 6010105070"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := fastLoans(body, "1002000989")
		if !ok {
			return
		}
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: 200, Method: "POST", Path: "/api/accounts/loans/"}, Header: http.Header{}, Body: body}
		slow, err := reflectLoans(r, "1002000989")
		if err != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v; encoding/json %+v, %v", body, fast, slow, err)
		}
	})
}
