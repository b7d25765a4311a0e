package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/merchant"
)

// echoServer refuses every request with a 400 whose body echoes the
// request's, raw, JSON-escaped as Python writes it, form-encoded,
// HTML-escaped (named and decimal entities) and JSON-escaped as PHP
// writes it ("/" as "\/"): what a careless server does with a field it
// did not like.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var fields map[string]any
		_ = json.Unmarshal(b, &fields)
		var msg strings.Builder
		for k, v := range fields {
			s := fmt.Sprint(v)
			q, _ := json.Marshal(s)
			fmt.Fprintf(&msg, "%s=%s raw:%s form:%s html:%s entities:%s php:%s; ", k, q, s, url.QueryEscape(s),
				html.EscapeString(s), decimalEntities(s), strings.ReplaceAll(string(q), "/", `\/`))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"detail": %q, "body": %q, "contextResponse": {"statusCode": "VALIDATION", "statusMessage": %q}, "status": false, "message": %q}`,
			msg.String(), string(b), msg.String(), msg.String())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Regression (#11.4): per-call secrets (a PIN, an OTP, a new password, a
// security answer, a reset code) were redacted only when they were the
// client's own static secrets; echoed back by a server they reached the
// error and the debug log.
func TestPerCallSecretsNeverShow(t *testing.T) {
	const (
		loginPW  = "CANARY-login-pw-4e1d"
		regPW    = "CANARY-reg-pw-ä9c2"
		otp      = "739214"
		pin      = "5820"
		newPIN   = "9137"
		curPW    = "CANARY-cur-pw-71aa"
		nextPW   = "CANARY-next-pw-c0de"
		answer   = "CANARY-first pet: Rex & co <'/\">"
		reset    = "CANARY-reset-3f3f"
		resetPW  = "CANARY-reset-pw-8d8d"
		apiKey   = "CANARY-key-e4e4"
		fintivPW = "CANARY-fintiv-login-6b6b"
	)
	srv := echoServer(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	common := []banklink.Option{banklink.WithBaseURL(srv.URL), banklink.WithLogger(log), banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1})}
	ctx := context.Background()
	var errs []error

	ft, err := fintract.New(common...)
	require.NoError(t, err)
	defer ft.CloseIdleConnections()
	_, err = ft.Login(ctx, fintract.LoginRequest{Email: "a@b.co", Password: loginPW})
	errs = append(errs, err)
	_, err = ft.Register(ctx, fintract.RegisterRequest{Email: "a@b.co", Username: "ab", Name: "Reg Probe", Password: regPW, Password2: regPW, Phone: "1"})
	errs = append(errs, err)
	_, err = ft.VerifyOTP(ctx, 7, otp)
	errs = append(errs, err)

	fv, err := fintiv.New(append(common, fintiv.WithAPIKey(apiKey), fintiv.WithSession(fintiv.Session{Access: "at", Refresh: "rt"}))...)
	require.NoError(t, err)
	defer fv.CloseIdleConnections()
	_, err = fv.ValidatePIN(ctx, "u-1", pin)
	errs = append(errs, err)
	errs = append(errs, fv.ChangePIN(ctx, pin, newPIN))
	errs = append(errs, fv.ChangePassword(ctx, curPW, nextPW))
	errs = append(errs, fv.ResetPassword(ctx, fintiv.Reset{Username: "ab", SecurityQuestionID: 1, Answer: answer}))
	errs = append(errs, fv.ResetPIN(ctx, fintiv.Reset{Username: "ab", SecurityQuestionID: 1, Answer: answer}))

	mc, err := merchant.New(append(common, merchant.WithCredentials("a@b.co", "CANARY-merchant-"+fintivPW))...)
	require.NoError(t, err)
	defer mc.CloseIdleConnections()
	errs = append(errs, mc.ResetPassword(ctx, reset, resetPW))

	var all strings.Builder
	for _, e := range errs {
		require.Error(t, e)
		fmt.Fprintf(&all, "%v|%+v|%#v|%s\n", e, e, e, e.Error())
	}
	mu.Lock()
	all.WriteString(logs.String())
	mu.Unlock()
	assert.Contains(t, all.String(), "banklink: http attempt")
	for _, s := range []string{loginPW, regPW, otp, pin, newPIN, curPW, nextPW, answer, reset, resetPW, apiKey} {
		q, _ := json.Marshal(s)
		for _, form := range []string{s, string(q[1 : len(q)-1]), url.QueryEscape(s), html.EscapeString(s), decimalEntities(s),
			strings.ReplaceAll(string(q[1:len(q)-1]), "/", `\/`)} {
			assertNoSecret(t, all.String(), form, "secret %q", s)
		}
	}
}

// Regression (#11.4): request types that hold secrets printed them under
// %v, %+v and %#v.
func TestRequestTypesMaskTheirSecrets(t *testing.T) {
	for _, v := range []any{
		fintract.LoginRequest{Email: "a@b.co", Password: "CANARY-p1"},
		fintract.RegisterRequest{Email: "a@b.co", Password: "CANARY-p2", Password2: "CANARY-p3"},
		fintiv.Reset{Username: "u", SecurityQuestionID: 2, Answer: "CANARY-a1"},
		&fintiv.Reset{Answer: "CANARY-a2"},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			got := fmt.Sprintf(verb, v)
			assert.NotContains(t, got, "CANARY", "%s of %T", verb, v)
		}
	}
}

// decimalEntities escapes s's HTML-special characters as decimal entities.
func decimalEntities(s string) string {
	return strings.NewReplacer("&", "&#38;", "<", "&#60;", ">", "&#62;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
