package fintiv_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

func TestEveryCallAgainstTheFake(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()

	s, err := c.Login(ctx)
	require.NoError(t, err)
	assert.Equal(t, fintivtest.DefaultUserID, s.UUID)
	assert.Equal(t, fintivtest.Tenant, s.Tenant)
	assert.WithinDuration(t, time.Now().Add(3599*time.Second), s.AccessExpiry, 5*time.Second)
	assert.False(t, s.LastSignOn.IsZero())

	me, err := c.Me(ctx)
	require.NoError(t, err)
	assert.Equal(t, fintivtest.Username, me.Username)
	assert.Equal(t, "ACTIVE", me.Status)
	assert.Equal(t, 2019, me.Created.Year(), "unix milliseconds")
	assert.NotContains(t, fmt.Sprintf("%+v", me), "fakehash", "personCredentials are not kept")

	ok, err := c.ValidatePIN(ctx, s.UUID, fintivtest.PIN)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.ValidatePIN(ctx, s.UUID, "9999")
	require.NoError(t, err)
	assert.False(t, ok, "a wrong PIN is false, not an error")

	_, err = c.ValidatePIN(ctx, "someone-else", fintivtest.PIN)
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 200, e.StatusCode)
	assert.Equal(t, "VALIDATION", e.Code)
	assert.Equal(t, "The provided data in request body is not valid!: You can't access different user's security information.", e.Message)
	assert.Equal(t, "You can't access different user's security information.", detail(t, err).AdditionalMessage)
	assert.Equal(t, "JANUS", detail(t, err).Tenant)

	require.NoError(t, c.ChangePIN(ctx, fintivtest.PIN, "4321"))
	require.NoError(t, c.ChangePassword(ctx, fintivtest.Password, "Test2345!"))
	assert.Equal(t, "Test2345!", srv.Password(fintivtest.Username))
	err = c.ChangePassword(ctx, "wrong", "Test3456!")
	assert.ErrorIs(t, err, banklink.ErrInvalidRequest)

	qs, err := c.SecurityQuestions(ctx)
	require.NoError(t, err)
	require.Len(t, qs, 2)
	assert.Equal(t, fintiv.SecurityQuestion{ID: 1, Question: "In which city were you born?"}, qs[0])

	exists, err := c.UserExists(ctx, fintivtest.Username)
	require.NoError(t, err)
	assert.True(t, exists)
	exists, err = c.UserExists(ctx, "nobody")
	require.NoError(t, err)
	assert.False(t, exists)

	info, err := c.CheckToken(ctx)
	require.NoError(t, err)
	assert.True(t, info.Active)
	assert.Equal(t, fintivtest.Username, info.UserName)
	assert.Equal(t, []string{"read", "write"}, info.Scope)

	require.NoError(t, c.ResetPIN(ctx, fintiv.Reset{Username: fintivtest.Username, SecurityQuestionID: fintivtest.QuestionID, Answer: "kampala"}))
	require.NoError(t, c.RequestTemporaryPassword(ctx, fintivtest.Username))
	err = c.ResetPassword(ctx, fintiv.Reset{Username: "test20190417x", SecurityQuestionID: 1, Answer: "x"})
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "The request parameters were not valid!: The request test20190417x does not exist!", e.Message)
	assert.Equal(t, "The request test20190417x does not exist!", detail(t, err).AdditionalMessage)
	require.NoError(t, c.ResetPassword(ctx, fintiv.Reset{Username: fintivtest.Username, SecurityQuestionID: fintivtest.QuestionID, Answer: fintivtest.Answer}))

	type pin struct {
		PinValidated bool `json:"pinValidated"`
	}
	_, err = fintiv.Do[pin](ctx, c, banklink.Request{Method: "POST", Path: "/auth/api/validate/pin", Body: map[string]string{"pin": "0000", "uuid": s.UUID}, Auth: true})
	require.ErrorIs(t, err, banklink.ErrInvalidRequest, "after the reset the service wants a password change")
	require.ErrorAs(t, err, &e)
	assert.Contains(t, detail(t, err).AdditionalMessage, "must change the password")

	// Every request carried the APP key and the tenant.
	seen := srv.SeenHeaders()
	require.NotEmpty(t, seen)
	for _, h := range seen {
		assert.Equal(t, fintivtest.APIKey, h.APIKey, h.Route)
		assert.Equal(t, fintivtest.Tenant, h.Tenant, h.Route)
		assert.Equal(t, h.Route != fintivtest.RouteToken && h.Route != fintivtest.RouteCheckToken && h.Route != fintivtest.RouteUserExists &&
			h.Route != fintivtest.RouteResetPassword && h.Route != fintivtest.RouteResetPIN, h.Authorization, "Bearer only on user calls: %s", h.Route)
	}
}

func TestNeedChangePasswordIsSurfaced(t *testing.T) {
	srv := newFake(t, fintivtest.WithUser(fintivtest.User{UUID: "u-2", Username: "newbie", Password: "Temp-1", PIN: "1111", NeedChangePassword: true}))
	c := newClient(t, srv, fintiv.WithCredentials("newbie", "Temp-1"))
	ctx := context.Background()
	s, err := c.Login(ctx)
	require.NoError(t, err)
	assert.True(t, s.NeedChangePassword)

	_, err = c.ValidatePIN(ctx, "u-2", "1111")
	require.ErrorIs(t, err, fintiv.ErrPasswordChangeRequired)
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)

	require.NoError(t, c.ChangePassword(ctx, "Temp-1", "Better-2"))
	s, _ = c.Session()
	assert.False(t, s.NeedChangePassword)
	ok, err := c.ValidatePIN(ctx, "u-2", "1111")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestOneRefreshGrantFor100CallersAcrossAnExpiry(t *testing.T) {
	for _, as200 := range []bool{false, true} {
		t.Run(fmt.Sprintf("SECURITY-as-200=%v", as200), func(t *testing.T) {
			var opts []fintivtest.Option
			if as200 {
				opts = append(opts, fintivtest.WithSecurityAs200())
			}
			srv := newFake(t, opts...)
			c := newClient(t, srv)
			_, err := c.Login(context.Background())
			require.NoError(t, err)
			srv.ExpireAccessTokens()

			testutil.RunConcurrently(t, 100, func() error {
				_, err := c.Me(context.Background())
				return err
			})
			assert.Equal(t, 1, srv.Grants("refresh_token"))
			assert.Equal(t, 1, srv.Grants("password"), "only the first login")
		})
	}
}

func TestExpiresInDrivesAProactiveRefresh(t *testing.T) {
	srv := newFake(t)
	first := newClient(t, srv)
	saved, err := first.Login(context.Background())
	require.NoError(t, err)
	saved.AccessExpiry = time.Now().Add(-time.Second)

	c := newClient(t, srv, fintiv.WithSession(saved))
	testutil.RunConcurrently(t, 100, func() error {
		_, err := c.Me(context.Background())
		return err
	})
	assert.Equal(t, 1, srv.Grants("refresh_token"))
	assert.Equal(t, 100, srv.Calls(fintivtest.RouteMyInfo), "no call went out with the expired token")
}

func TestFailedRefreshGrantFallsBackToOnePasswordGrant(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	testutil.RunConcurrently(t, 100, func() error {
		_, err := c.Me(context.Background())
		return err
	})
	assert.Equal(t, 1, srv.Grants("refresh_token"))
	assert.Equal(t, 2, srv.Grants("password"), "the first login and exactly one more")
}

func TestFailedRefreshWithoutCredentialsIsSessionExpired(t *testing.T) {
	srv := newFake(t)
	saved, err := newClient(t, srv).Login(context.Background())
	require.NoError(t, err)
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant), fintiv.WithSession(saved))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	_, err = c.Me(context.Background())
	require.ErrorIs(t, err, banklink.ErrSessionExpired)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "invalid_token", detail(t, err).OAuthError)
	assert.Equal(t, "Invalid refresh token (expired)", detail(t, err).AdditionalMessage)
}

func TestAPIKeyNeverLeaks(t *testing.T) {
	const canary = "CANARY-api-key-5f2e9d"
	srv := newFake(t, fintivtest.WithAPIKey(canary))
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv, fintiv.WithAPIKey(canary), banklink.WithLogger(log))
	ctx := context.Background()

	var errs []error
	_, err := c.Me(ctx)
	errs = append(errs, err)
	_, err = c.ValidatePIN(ctx, "other", "1234")
	errs = append(errs, err)
	srv.ExpireAccessTokens()
	_, err = c.CheckToken(ctx)
	errs = append(errs, err)

	wrong, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey("CANARY-wrong-key-77"), fintiv.WithCredentials("u", "CANARY-pw-1"), banklink.WithLogger(log))
	require.NoError(t, err)
	t.Cleanup(wrong.CloseIdleConnections)
	_, err = wrong.Me(ctx)
	require.ErrorIs(t, err, banklink.ErrUnauthorized, "a wrong APP key: the flat 401")
	errs = append(errs, err)
	s, _ := c.Session()

	out := logs.String()
	assert.Contains(t, out, "banklink: http attempt")
	for _, secret := range []string{canary, "CANARY-wrong-key-77", "CANARY-pw-1", s.Access, s.Refresh} {
		assert.NotContains(t, out, secret)
		for _, err := range errs {
			if err != nil {
				assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), secret)
			}
		}
	}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", s, s, s), s.Access)
}

func TestGenericDoReachesAnyServiceAPI(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	type exists struct {
		UserExist bool `json:"userExist"`
	}
	got, err := fintiv.Do[exists](ctx, c, banklink.Request{Method: http.MethodGet, Path: "/auth/api/checkUserExist",
		Query: map[string][]string{"username": {fintivtest.Username}}, Idempotent: true})
	require.NoError(t, err)
	assert.True(t, got.UserExist)

	_, err = fintiv.Do[exists](ctx, c, banklink.Request{Method: "GET", Path: "/auth/api/nope", Idempotent: true})
	require.ErrorIs(t, err, banklink.ErrNotFound)

	before := srv.Requests()
	for _, bad := range []banklink.Request{
		{Method: "GET", Path: "https://evil.example/auth/x"},
		{Method: "GET", Path: "/auth/../admin"},
		{Method: "GET", Path: "/other/x"},
		{Method: "GET", Path: "/auth/x?token=1"},
		{Method: "", Path: "/auth/x"},
		{Method: "POST", Path: "/auth/x", Body: func() {}},
	} {
		_, err := fintiv.Do[exists](ctx, c, bad)
		assert.ErrorIs(t, err, banklink.ErrInvalidRequest, "%+v", bad.Path)
	}
	assert.Equal(t, before, srv.Requests())
}

func TestInputChecksSendNothing(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	checks := []error{
		c.ChangePassword(ctx, "", "x"), c.ChangePassword(ctx, "x", ""), c.ChangePassword(ctx, "x", "x"),
		c.ChangePIN(ctx, "12a4", "1234"), c.ChangePIN(ctx, "1234", ""),
		c.ResetPassword(ctx, fintiv.Reset{Username: "u", Answer: "a"}), c.ResetPIN(ctx, fintiv.Reset{SecurityQuestionID: 1, Answer: "a"}),
		c.ResetPIN(ctx, fintiv.Reset{Username: "u", SecurityQuestionID: 1, Answer: " "}), c.RequestTemporaryPassword(ctx, " "),
	}
	_, err := c.ValidatePIN(ctx, "", "1234")
	checks = append(checks, err)
	_, err = c.UserExists(ctx, "")
	checks = append(checks, err)
	for i, err := range checks {
		assert.ErrorIs(t, err, banklink.ErrInvalidRequest, "check %d", i)
	}
	assert.Zero(t, srv.Requests())

	_, err = fintiv.New(banklink.WithBaseURL(srv.URL))
	assert.ErrorContains(t, err, "no APP key")
	_, err = fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey("k\r\nX-Evil: 1"))
	assert.Error(t, err)
}
