package fintract

import (
	"errors"
	"net/http"
	"testing"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/transport"
)

var fuzzSeeds = []string{
	`{"errors": {"detail": "Invalid credentials, try again"}}`,
	`{"errors": {"email": ["Enter a valid email address."]}}`,
	`{"data": {"error": "Invalid email provided"}}`,
	`{"data": {"id": 93}}`,
	`{"error":["Passwords should be same"]}`,
	`{"error":"Sesssion Expired, Login again"}`,
	`{"msg":"This user is not an FINTRACT admin"}`,
	`{"detail":"Given token not valid for any token type","code":"token_not_valid"}`,
	`{"id": 93, "email": "johndoe@gmail.com", "net balance": 0, "customer-id": "2160658639884", "verification_status": true}`,
	`{"id": 93, "net_balance": 12.5, "customer-id ": 2160658639884}`,
	`{"user": {"id": 93, "password": "x", "avatar": "https://a/b.jpg"}}`,
	`<!DOCTYPE html><title>KeyError at /auth/register/</title>`,
	``, `null`, `{"data": null}`, `{"errors": "x"}`,
}

// FuzzDecoders: no body, under any status, makes a decoder panic or return
// an untyped error, and a 2xx never yields both a value and an error.
func FuzzDecoders(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, st := range []int{200, 201, 400, 401, 500} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		r := &transport.Response{ResponseInfo: banklink.ResponseInfo{StatusCode: status, Method: "GET", Path: "/auth/info/93/"}, Header: http.Header{}, Body: body}
		typed := func(err error) {
			var e *banklink.Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		info, err := decodeUserInfo(r)
		typed(err)
		if (info == nil) == (err == nil) {
			t.Fatal("user info: exactly one of a value and an error expected")
		}
		u, err := decodeUser(r, true)
		typed(err)
		if (u == nil) == (err == nil) {
			t.Fatal("user: exactly one of a value and an error expected")
		}
		typed(decodeJSON(r, nil))
		_ = decodeError(r).Error()
	})
}
