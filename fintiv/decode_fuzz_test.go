package fintiv

import (
	"errors"
	"net/http"
	"testing"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

// FuzzDecoders: no body, under any status, makes the envelope or token
// decoders panic or return an untyped error, and success is only ever
// reported for statusCode SUCCESS.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`{"contextResponse":{"tenantName":null,"statusCode":"SUCCESS","statusMessage":null,"additionalStatusCode":null,"additionalStatusMessage":null},"responseData":{"pinValidated":false}}`,
		`{"contextResponse":{"tenantName":"JANUS","statusCode":"VALIDATION","statusMessage":"The provided data in request body is not valid!","additionalStatusCode":null,"additionalStatusMessage":"You can't access different user's security information."},"responseData":null}`,
		`{"contextResponse":{"statusCode":"FAILURE","errors":[{"errorMessage":"x","errorCode":7}]}}`,
		`{"error":"invalid_grant","error_description":"Bad credentials"}`,
		`{"additionalStatusCode":null,"additionalStatusMessage":"Invalid refresh token (expired)"}`,
		`{"access_token":"a","expires_in":3599,"refresh_token":"r"}`,
		`<html><title>502</title></html>`, ``, `null`, `{"contextResponse":null}`, `{"contextResponse":{"statusCode":5}}`,
	} {
		for _, st := range []int{200, 400, 401, 500} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: status, Method: "POST", Path: "/auth/api/validate/pin"}, Header: http.Header{}, Body: body}
		var out struct {
			PinValidated bool `json:"pinValidated"`
		}
		err := decodeEnvelope(r, &out)
		var e *banklink.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("untyped error %T", err)
		}
		if err == nil && (status < 200 || status > 299) {
			t.Fatalf("success with HTTP %d", status)
		}
		if err != nil {
			_ = err.Error()
		}
		if terr := tokenError(r); !errors.As(terr, &e) {
			t.Fatalf("untyped token error %T", terr)
		}
	})
}
