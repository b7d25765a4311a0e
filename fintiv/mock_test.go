package fintiv_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
)

const mockBase = "https://gw.fintiv.test:8080/"

// mocked returns a client on httpmock (under the credential layer) and
// the transport; every request must carry the APP key and the tenant.
func mocked(t *testing.T, opts ...fintiv.Option) (*fintiv.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]fintiv.Option{banklink.WithBaseURL(mockBase), banklink.WithTransport(mt), banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}),
		fintiv.WithAPIKey("mock-key-1"), fintiv.WithTenant("JANUS"), fintiv.WithCredentials("test20190417", "Test1234!")}, opts...)
	c, err := fintiv.New(all...)
	require.NoError(t, err)
	return c, mt
}

// respond registers a responder that checks the key and tenant headers.
func respond(t *testing.T, mt *httpmock.MockTransport, method, path string, status int, body string, check func(*http.Request, string)) {
	mt.RegisterResponder(method, mockBase+path, func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "mock-key-1", r.Header.Get("api-key"), path)
		assert.Equal(t, "JANUS", r.Header.Get("tenantName"), path)
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		if check != nil {
			check(r, string(b))
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

const tokenBody = `{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.sig","token_type":"bearer","refresh_token":"rt-1","expires_in":3599,"scope":"read write","jti":"j","tenant_name":"JANUS","last_signon_timestamp":1700000000000,"uuid":"u-1","user_type":"SUBSCRIBER","app_name":"app"}`

func TestPasswordGrantOnTheWire(t *testing.T) {
	c, mt := mocked(t)
	respond(t, mt, "POST", "auth/oauth/token", 200, tokenBody, func(r *http.Request, body string) {
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		assert.Empty(t, r.Header.Get("Authorization"))
		form, err := url.ParseQuery(body)
		require.NoError(t, err)
		assert.Equal(t, url.Values{"grant_type": {"password"}, "username": {"test20190417"}, "password": {"Test1234!"}}, form)
	})
	respond(t, mt, "GET", "auth/api/myinfo", 200, `{"contextResponse":{"tenantName":null,"statusCode":"SUCCESS","statusMessage":null,"additionalStatusCode":null,"additionalStatusMessage":null},"responseData":{"id":"u-1","username":"test20190417","status":"ACTIVE","lastLoginDatetime":"1700000000000","unknownField":[1]}}`,
		func(r *http.Request, _ string) {
			assert.Equal(t, "Bearer eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.sig", r.Header.Get("Authorization"))
		})
	p, err := c.Me(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "u-1", p.ID)
	assert.Equal(t, int64(1700000000000), p.LastLogin.UnixMilli())
	s, _ := c.Session()
	assert.Equal(t, "SUBSCRIBER", s.UserType)
}

func TestCallsOnTheWire(t *testing.T) {
	ok := `{"contextResponse":{"tenantName":null,"statusCode":"SUCCESS","statusMessage":null,"additionalStatusCode":null,"additionalStatusMessage":null},"responseData":%s}`
	env := func(data string) string { return strings.Replace(ok, "%s", data, 1) }
	cases := []struct {
		name, method, path, response, wantBody string
		bearer                                 bool
		call                                   func(c *fintiv.Client) error
	}{
		{"change password", "PUT", "auth/api/myinfo/changePassword", env("null"), `{"currentPassword": "Test1234!", "newPassword": "Test2345!"}`, true,
			func(c *fintiv.Client) error { return c.ChangePassword(context.Background(), "Test1234!", "Test2345!") }},
		{"change pin", "PUT", "auth/api/myinfo/changePin", env("null"), `{"currentPin":"1234","newPin":"4321"}`, true,
			func(c *fintiv.Client) error { return c.ChangePIN(context.Background(), "1234", "4321") }},
		{"validate pin", "POST", "auth/api/validate/pin", env(`{"pinValidated": false}`), `{"pin":"1234","uuid":"u-1"}`, true,
			func(c *fintiv.Client) error {
				ok, err := c.ValidatePIN(context.Background(), "u-1", "1234")
				if ok {
					t.Error("pinValidated false read as true")
				}
				return err
			}},
		{"reset password", "POST", "auth/api/reset/password", env("null"), `{"username":"u","securityQuestionId":3,"answer":"a"}`, false,
			func(c *fintiv.Client) error {
				return c.ResetPassword(context.Background(), fintiv.Reset{Username: "u", SecurityQuestionID: 3, Answer: "a"})
			}},
		{"temporary password", "POST", "auth/api/reset/password", env("null"), `{"username":"u"}`, false,
			func(c *fintiv.Client) error { return c.RequestTemporaryPassword(context.Background(), "u") }},
		{"reset pin", "POST", "auth/api/reset/pin", env("null"), `{"username":"u","securityQuestionId":3,"answer":"a"}`, false,
			func(c *fintiv.Client) error {
				return c.ResetPIN(context.Background(), fintiv.Reset{Username: "u", SecurityQuestionID: 3, Answer: "a"})
			}},
		{"user exists", "GET", "auth/api/checkUserExist?username=u", env(`{"userExist": true}`), "", false,
			func(c *fintiv.Client) error {
				ok, err := c.UserExists(context.Background(), "u")
				if !ok {
					t.Error("userExist true read as false")
				}
				return err
			}},
		{"security questions", "GET", "auth/api/myinfo/securityQuestions", env(`[{"securityQuestionId": 7, "securityQuestion": "Pet?"}]`), "", true,
			func(c *fintiv.Client) error {
				qs, err := c.SecurityQuestions(context.Background())
				if err == nil && (len(qs) != 1 || qs[0].ID != 7 || qs[0].Question != "Pet?") {
					t.Errorf("questions %+v", qs)
				}
				return err
			}},
		{"check token", "GET", "auth/oauth/check_token?token=at-1", `{"active":true,"exp":4102444800,"user_name":"u","client_id":"mobile","scope":["read"]}`, "", false,
			func(c *fintiv.Client) error {
				info, err := c.CheckToken(context.Background())
				if err == nil && (!info.Active || info.Expiry.Year() != 2100) {
					t.Errorf("token info %+v", info)
				}
				return err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mocked(t, fintiv.WithSession(fintiv.Session{Access: "at-1", Refresh: "rt-1"}))
			calls := 0
			respond(t, mt, tc.method, tc.path, 200, tc.response, func(r *http.Request, body string) {
				calls++
				if tc.bearer {
					assert.Equal(t, "Bearer at-1", r.Header.Get("Authorization"))
				} else {
					assert.Empty(t, r.Header.Get("Authorization"))
				}
				if tc.wantBody != "" {
					assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
					assert.JSONEq(t, tc.wantBody, body)
				}
			})
			require.NoError(t, tc.call(c))
			assert.Equal(t, 1, calls)
		})
	}
}

// Every envelope case of the reference.
func TestEnvelopeCases(t *testing.T) {
	seed := `{"contextResponse":{"tenantName":"JANUS","statusCode":"VALIDATION","statusMessage":"The provided data in request body is not valid!","additionalStatusCode":null,"additionalStatusMessage":"You can't access different user's security information."},"responseData":null}`
	cases := []struct {
		name       string
		status     int
		body       string
		kind       error
		code       string
		message    string
		additional string
	}{
		{"seed VALIDATION verbatim with 200", 200, seed, banklink.ErrInvalidRequest, "VALIDATION", "The provided data in request body is not valid!", "You can't access different user's security information."},
		{"seed second example", 200, `{"contextResponse":{"tenantName":"JANUS","statusCode":"VALIDATION","statusMessage":"The request parameters were not valid!","additionalStatusCode":null,"additionalStatusMessage":"The request test20190417 does not exist!"},"responseData":null}`,
			banklink.ErrInvalidRequest, "VALIDATION", "The request parameters were not valid!", "The request test20190417 does not exist!"},
		// Regression (#11.5b): FAILURE under HTTP 200 matched no category.
		{"FAILURE with errors[]", 200, `{"contextResponse":{"tenantName":"JANUS","statusCode":"FAILURE","errors":[{"errorCode":"E42","field":"pin","errorMessage":"PIN locked"}]},"responseData":null}`,
			banklink.ErrServerError, "FAILURE", "PIN locked", ""},
		{"unknown code kept verbatim", 200, `{"contextResponse":{"statusCode":"LIMIT_EXCEEDED","statusMessage":"Too many attempts","additionalStatusCode":"4012"},"responseData":null}`,
			nil, "LIMIT_EXCEEDED", "Too many attempts", ""},
		{"400 with envelope", 400, `{"contextResponse":{"statusCode":"VALIDATION","statusMessage":"Bad request"},"responseData":null}`, banklink.ErrInvalidRequest, "VALIDATION", "Bad request", ""},
		{"404 with envelope", 404, `{"contextResponse":{"statusCode":"NOT_FOUND","statusMessage":"No such resource"},"responseData":null}`, banklink.ErrNotFound, "NOT_FOUND", "No such resource", ""},
		{"500 with envelope", 500, `{"contextResponse":{"statusCode":"FAILURE","statusMessage":"Backend down"},"responseData":null}`, banklink.ErrServerError, "FAILURE", "Backend down", ""},
		{"SUCCESS with a 502", 502, `{"contextResponse":{"statusCode":"SUCCESS"},"responseData":null}`, banklink.ErrServerError, "SUCCESS", "", ""},
		{"HTML 502 from a proxy", 502, `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`, banklink.ErrServerError, "", "502 Bad Gateway", ""},
		{"empty 503", 503, ``, banklink.ErrServerError, "", "", ""},
		{"HTML with 200", 200, `<html><title>Maintenance</title></html>`, banklink.ErrServerError, "", "Maintenance", ""},
		{"JSON without envelope with 200", 200, `{"pinValidated": true}`, banklink.ErrServerError, "", "unexpected response: no contextResponse", ""},
		{"responseData of the wrong shape", 200, `{"contextResponse":{"statusCode":"SUCCESS"},"responseData":{"pinValidated":"yes"}}`, banklink.ErrServerError, "SUCCESS", "unexpected response: responseData does not decode", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mocked(t, fintiv.WithSession(fintiv.Session{Access: "at-1", Refresh: "rt-1"}))
			respond(t, mt, "POST", "auth/api/validate/pin", tc.status, tc.body, nil)
			_, err := c.ValidatePIN(context.Background(), "u-1", "1234")
			require.Error(t, err)
			if tc.kind != nil {
				assert.ErrorIs(t, err, tc.kind)
			} else {
				for _, k := range []error{banklink.ErrServerError, banklink.ErrInvalidRequest, banklink.ErrUnauthorized, banklink.ErrNotFound} {
					assert.NotErrorIs(t, err, k, "an unknown code keeps no category")
				}
			}
			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, joined(tc.message, tc.additional), e.Message)
			assert.Equal(t, tc.additional, detail(t, err).AdditionalMessage)
			assert.NotContains(t, err.Error(), "mock-key-1")
		})
	}
}

func TestUnauthorizedAnswersRefreshThenReplay(t *testing.T) {
	cases := map[string]struct {
		status int
		body   string
	}{
		"401 with envelope":    {401, `{"contextResponse":{"statusCode":"SECURITY","statusMessage":"Access token expired"},"responseData":null}`},
		"401 without envelope": {401, `{"error":"invalid_token","error_description":"Access token expired: at-1"}`},
		"401 empty":            {401, ``},
		"SECURITY with 200":    {200, `{"contextResponse":{"statusCode":"SECURITY","statusMessage":"Access token expired"},"responseData":null}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, mt := mocked(t, fintiv.WithSession(fintiv.Session{Access: "at-1", Refresh: "rt-1"}))
			respond(t, mt, "POST", "auth/oauth/token", 200, strings.Replace(tokenBody, "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.sig", "at-2", 1), func(_ *http.Request, body string) {
				assert.Equal(t, "grant_type=refresh_token&refresh_token=rt-1", body)
			})
			var auths []string
			respond(t, mt, "GET", "auth/api/myinfo", 200, "", nil)
			mt.RegisterResponder("GET", mockBase+"auth/api/myinfo", func(r *http.Request) (*http.Response, error) {
				auths = append(auths, r.Header.Get("Authorization"))
				if r.Header.Get("Authorization") == "Bearer at-1" {
					return httpmock.NewStringResponse(tc.status, tc.body), nil
				}
				return httpmock.NewStringResponse(200, `{"contextResponse":{"statusCode":"SUCCESS"},"responseData":{"id":"u-1"}}`), nil
			})
			p, err := c.Me(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "u-1", p.ID)
			assert.Equal(t, []string{"Bearer at-1", "Bearer at-2"}, auths)
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		kind       error
		oauth      string
		message    string
		additional string
	}{
		{"bad credentials", 400, `{"error":"invalid_grant","error_description":"Bad credentials"}`, banklink.ErrUnauthorized, "invalid_grant", "Bad credentials", ""},
		{"expired with additional fields", 401, `{"error":"invalid_token","error_description":"Token has expired","additionalStatusCode":null,"additionalStatusMessage":"Token has expired"}`, banklink.ErrUnauthorized, "invalid_token", "Token has expired", "Token has expired"},
		{"only additional fields", 400, `{"additionalStatusCode":"AUTH-7","additionalStatusMessage":"Invalid refresh token (expired)"}`, banklink.ErrUnauthorized, "", "", "Invalid refresh token (expired)"},
		{"enveloped", 200, `{"contextResponse":{"statusCode":"VALIDATION","statusMessage":"Tenant unknown"},"responseData":null}`, banklink.ErrInvalidRequest, "", "Tenant unknown", ""},
		{"HTML 500", 500, `<html><title>Internal Server Error</title></html>`, banklink.ErrServerError, "", "Internal Server Error", ""},
		{"no token in 200", 200, `{"token_type":"bearer"}`, banklink.ErrServerError, "", "unexpected response: no access_token", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mocked(t)
			respond(t, mt, "POST", "auth/oauth/token", tc.status, tc.body, nil)
			_, err := c.Login(context.Background())
			require.ErrorIs(t, err, tc.kind)
			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.oauth, detail(t, err).OAuthError)
			assert.Equal(t, joined(tc.message, tc.additional), e.Message)
			assert.Equal(t, tc.additional, detail(t, err).AdditionalMessage)
			assert.NotContains(t, err.Error(), "Test1234!")
			assert.Equal(t, 1, mt.GetCallCountInfo()["POST "+mockBase+"auth/oauth/token"], "token calls are never retried on 4xx")
		})
	}
}

// Regression (#11.5b): a SUCCESS answer whose responseData could not be
// read (null, missing, another key, a string) read as "username is free".
func TestUserExistsNeverGuessesFree(t *testing.T) {
	for _, data := range []string{`null`, ``, `{"available":true}`, `"yes"`} {
		body := `{"contextResponse":{"statusCode":"SUCCESS"}` + map[bool]string{true: "", false: `,"responseData":` + data}[data == ""] + `}`
		c, mt := mocked(t)
		respond(t, mt, "GET", "auth/api/checkUserExist", 200, body, nil)
		_, err := c.UserExists(context.Background(), "ada")
		require.ErrorIs(t, err, banklink.ErrServerError, body)
		assert.Contains(t, err.Error(), "unexpected response", body)
	}
	for data, want := range map[string]bool{`true`: true, `false`: false, `{"userExist":true}`: true, `{"exists":false}`: false} {
		c, mt := mocked(t)
		respond(t, mt, "GET", "auth/api/checkUserExist", 200, `{"contextResponse":{"statusCode":"SUCCESS"},"responseData":`+data+`}`, nil)
		got, err := c.UserExists(context.Background(), "ada")
		require.NoError(t, err, data)
		assert.Equal(t, want, got, data)
	}
}

// Regression (#11.5): an absurd expires_in overflowed into the past, so
// every call refreshed first.
func TestAbsurdExpiresInIsClamped(t *testing.T) {
	c, mt := mocked(t)
	absurd := strings.Replace(tokenBody, `"expires_in":3599`, `"expires_in":9223372036854775807`, 1)
	respond(t, mt, "POST", "auth/oauth/token", 200, absurd, nil)
	s, err := c.Login(context.Background())
	require.NoError(t, err)
	assert.True(t, s.AccessExpiry.After(time.Now()), "in the future: %s", s.AccessExpiry)
	assert.True(t, s.AccessExpiry.Before(time.Now().Add(25*time.Hour)), "a day at most: %s", s.AccessExpiry)
}

// detail returns the Fintiv detail of err, failing the test without one.
func detail(t *testing.T, err error) *fintiv.ErrorDetail {
	t.Helper()
	d, ok := fintiv.DetailOf(err)
	require.True(t, ok, "no Fintiv detail in %v", err)
	return d
}

// joined is a Fintiv error's Message: the status message, then the
// additional message when it says something more.
func joined(message, additional string) string {
	switch {
	case additional == "" || additional == message:
		return message
	case message == "":
		return additional
	}
	return message + ": " + additional
}
