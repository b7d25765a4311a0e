package envelope

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDRFShapes(t *testing.T) {
	cases := []struct {
		body    string
		message string
		code    string
		fields  map[string][]string
	}{
		{`{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken"}]}`, "Given token not valid for any token type", "token_not_valid", nil},
		{`{"error": "Invalid Auth Token."}`, "Invalid Auth Token.", "", nil},
		{`{"error":["Passwords should be same"]}`, "Passwords should be same", "", nil},
		{`{"msg":"This user is not an FINTRACT admin"}`, "This user is not an FINTRACT admin", "", nil},
		{`{"message":"Updated Successfully"}`, "Updated Successfully", "", nil},
		{`{"username":["This field is required."],"password":["This field may not be blank."]}`, "password: This field may not be blank.; username: This field is required.", "",
			map[string][]string{"username": {"This field is required."}, "password": {"This field may not be blank."}}},
		{`{"non_field_errors":["Unable to log in."]}`, "Unable to log in.", "", nil},
		{`<html><head><title>KeyError at /x/</title></head></html>`, "KeyError at /x/", "", nil},
		{`Bad Gateway`, "Bad Gateway", "", nil},
		{``, "", "", nil},
		{`null`, "", "", nil},
		{`[1,2]`, "", "", nil},
		{`{"detail": 5}`, "", "", nil},
	}
	for _, tc := range cases {
		p := DRF([]byte(tc.body))
		assert.Equal(t, tc.message, p.Message, tc.body)
		assert.Equal(t, tc.code, p.Code, tc.body)
		assert.Equal(t, tc.fields, p.Fields, tc.body)
	}
}

func FuzzDRF(f *testing.F) {
	for _, seed := range []string{
		`{"detail":"No active account found with the given credentials"}`,
		`{"detail":"Token is invalid or expired","code":"token_not_valid"}`,
		`{"username":["This field is required."],"password":["x"]}`,
		`{"error":["Passwords should be same"]}`,
		`{"errors":{"detail":"Invalid credentials, try again"}}`,
		`<!DOCTYPE html><title>KeyError at /api/accounts/loans/</title>`,
		`{"response": "No Loans found for account - 6010105070"}`,
		``, `{`, `<title>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := DRF(body)
		if len(p.Message) > len(body)+len(p.Fields)*4+16 && !p.JSON {
			t.Fatalf("message longer than the body: %q", p.Message)
		}
	})
}
