package merchant

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// FuzzDecoders: the wallet and NIP decoders never panic, always return
// typed errors, and NIP success is only ever responseCode "00" under 2xx.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`{"status":true,"data":{"id":"x"},"merchant":{"mode":"SANDBOX"}}`,
		`{"status":false,"message":"Invalid refresh token provided."}`,
		`{"error":"Bad request"}`, `{"status":false,"message":["a","b"]}`,
		`{"bankCode":"110000","accountName":"NNAJI, JOSHUA & VIVIAN","transactionReference":"","bvn":"","responseMessage":"Approved or completed successfully","accountNumber":"1018996198","responseCode":"00"}`,
		`{"requestSuccessful": false, "responseMessage": " Error Completing Operation", "responseCode": "11"}`,
		`{"responseCode": 0}`, `<html><title>500</title></html>`, ``, `null`,
	} {
		for _, st := range []int{200, 400, 401, 500} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: status, Method: "POST", Path: "/x"}, Header: http.Header{}, Body: body}
		var e *banklink.Error
		if _, err := decodeWallet(r, false); err != nil && !errors.As(err, &e) {
			t.Fatalf("untyped wallet error %T", err)
		}
		b, err := decodeNIP(r)
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("untyped NIP error %T", err)
		}
		if err == nil && (strings.TrimSpace(b.ResponseCode) != "00" || status < 200 || status > 299) {
			t.Fatalf("NIP success with code %q and HTTP %d", b.ResponseCode, status)
		}
	})
}
