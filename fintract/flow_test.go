package fintract_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

func TestWholeAccountLifecycle(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()

	u, err := c.Register(ctx, fintract.RegisterRequest{
		Email: "jane@example.com", Username: "Jane01", Name: "Jane", UserType: "developer",
		Password: "jane@#pw1", Password2: "jane@#pw1", Phone: "1234567000", Gender: fintract.Female,
	})
	require.NoError(t, err)
	assert.Equal(t, fintract.Developer, u.UserType)
	assert.NotZero(t, u.ID)
	assert.NotEmpty(t, u.CustomerID)

	_, err = c.Login(ctx, fintract.LoginRequest{Email: "jane@example.com", Password: "jane@#pw1"})
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.ErrorContains(t, err, "Email is not verified")
	require.NoError(t, c.ResendVerification(ctx, "jane@example.com"))
	srv.VerifyEmail("jane@example.com")

	s := login(t, c, srv, fintract.LoginRequest{Email: "jane@example.com", Password: "jane@#pw1"})
	assert.Equal(t, u.ID, s.UserID)
	assert.Equal(t, "Jane01", s.Username)
	assert.True(t, s.VerificationStatus)
	assert.False(t, s.AccessExpiry.IsZero())

	require.NoError(t, c.UpdateUserInfo(ctx, s.UserID, fintract.UserUpdate{Country: new("Uganda"), Address: new("Plot 1")}))
	require.NoError(t, c.UpdateUsername(ctx, "Jane02", "Jane B"))
	info, err := c.UserInfo(ctx, s.UserID)
	require.NoError(t, err)
	assert.Equal(t, "Uganda", info.Country)
	assert.Equal(t, "Plot 1", info.Address)
	assert.Equal(t, "Jane02", info.Username)
	assert.Equal(t, "jane@example.com", info.Email, "fields not set were not blanked")
	assert.Equal(t, u.CustomerID, info.CustomerID)

	url, err := c.UploadFile(ctx, fintract.File{Name: "passport.pdf", Body: strings.NewReader("%PDF-1.4 passport")})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(url, "https://openbankingapp.s3.amazonaws.com/"))
	assert.True(t, strings.HasSuffix(url, ".pdf"))
	withAvatar, err := c.UploadAvatar(ctx, s.UserID, fintract.File{Name: "me.png", Body: bytes.NewReader([]byte("\x89PNG\r\n\x1a\nxx"))})
	require.NoError(t, err)
	assert.NotEmpty(t, withAvatar.Avatar)
	ups := srv.Uploads()
	require.Len(t, ups, 2)
	assert.Equal(t, "application/pdf", ups[0].ContentType)
	assert.Equal(t, "image/png", ups[1].ContentType)

	require.NoError(t, c.Deactivate(ctx))
	require.NoError(t, c.DeleteAccount(ctx))
	assert.False(t, srv.UserExists("jane@example.com"))
	_, err = c.UserInfo(ctx, s.UserID)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "user_not_found", e.Code)
}

func TestAdminApprovalNeedsAnAdmin(t *testing.T) {
	srv := newFake(t)
	ctx := context.Background()
	customer := newClient(t, srv)
	cs := login(t, customer, srv, customerLogin)

	err := customer.ApproveUser(ctx, cs.CustomerID)
	require.ErrorIs(t, err, banklink.ErrForbidden, "the role refusal comes as a 400")
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)
	assert.Equal(t, "This user is not an FINTRACT admin", e.Message)

	admin := newClient(t, srv)
	login(t, admin, srv, fintract.LoginRequest{Email: fintracttest.AdminEmail, Password: fintracttest.AdminPassword, UserType: fintract.FintractAdmin})
	require.NoError(t, admin.ApproveUser(ctx, cs.CustomerID))
	assert.ErrorIs(t, admin.ApproveUser(ctx, "  "), banklink.ErrInvalidRequest)
}

func TestOTPRules(t *testing.T) {
	srv := newFake(t) // OTPs live 10 minutes: nothing below races them
	c := newClient(t, srv)
	ctx := context.Background()

	ch, err := c.Login(ctx, customerLogin)
	require.NoError(t, err)
	otp, _ := srv.OTP(customerLogin.Email)
	_, err = c.VerifyOTP(ctx, ch.UserID, "000000x")
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.ErrorContains(t, err, "Invalid OTP")
	_, err = c.VerifyOTP(ctx, ch.UserID, " "+otp+" ")
	require.NoError(t, err, "trimmed, sent as a JSON string")
	_, err = c.VerifyOTP(ctx, ch.UserID, otp)
	assert.ErrorContains(t, err, "Invalid OTP", "single use")

	// An OTP past its lifetime: a server whose OTPs live 50ms, and a wait
	// six times as long (a sleep never ends early).
	short := newFake(t, fintracttest.WithOTPLifetime(50*time.Millisecond))
	sc := newClient(t, short)
	ch, err = sc.Login(ctx, customerLogin)
	require.NoError(t, err)
	otp, _ = short.OTP(customerLogin.Email)
	time.Sleep(300 * time.Millisecond)
	_, err = sc.VerifyOTP(ctx, ch.UserID, otp)
	require.ErrorIs(t, err, banklink.ErrSessionExpired, `"Sesssion Expired, Login again"`)

	_, err = c.VerifyOTP(ctx, 99999, "123456")
	require.ErrorIs(t, err, banklink.ErrServerError, "unknown id: the server's HTML 500")
	assert.ErrorContains(t, err, "DoesNotExist at /auth/login/99999/")

	before := srv.Requests()
	_, err = c.VerifyOTP(ctx, ch.UserID, "  ")
	assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
	_, err = c.VerifyOTP(ctx, 0, "123456")
	assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.Equal(t, before, srv.Requests(), "invalid input sends nothing")
}

func TestLoginFailures(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()

	// An unknown address is refused like a wrong password (the recorded
	// server; the fake used to answer 200 {"data": {"error": …}}).
	_, err := c.Login(ctx, fintract.LoginRequest{Email: "nobody@example.com", Password: "long-enough-1"})
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, "Invalid credentials, try again", e.Message)

	_, err = c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: "wrong-pw-canary"})
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.ErrorContains(t, err, "Invalid credentials, try again")
	assert.NotContains(t, err.Error(), "wrong-pw-canary")

	before := srv.Requests()
	for _, bad := range []fintract.LoginRequest{
		{Email: "", Password: "x"}, {Email: "not-an-email", Password: "x"}, {Email: "a@b.co", Password: ""},
		{Email: "a@b.co", Password: "x", OTPType: "SMS"}, {Email: "a@b.co", Password: "x", UserType: "ROOT"},
		{Email: "a@b.co", Password: "short"}, // the server wants 6 characters at least
	} {
		_, err := c.Login(ctx, bad)
		assert.ErrorIs(t, err, banklink.ErrInvalidRequest, "%+v", bad.Email)
	}
	assert.Equal(t, before, srv.Requests())
}

func TestRegisterFailures(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	ok := fintract.RegisterRequest{Email: "x@example.com", Username: "x1", Name: "Xavi Probe", Password: "p", Password2: "p", Phone: "1"}

	dup := ok
	dup.Email, dup.Username = fintracttest.CustomerEmail, "JohnDoe0303"
	_, err := c.Register(ctx, dup)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.Equal(t, []string{"custom user with this email address already exists."}, e.FieldErrors["email"])
	assert.Contains(t, e.FieldErrors, "username")

	org := ok
	org.Email, org.Username, org.UserType = "boss@gmail.com", "boss1", fintract.OrgAdmin
	_, err = c.Register(ctx, org)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "Use Your Organisation Email Address only", e.Message, `{"error": [...]} as a list`)

	// No user type: the SDK sends CUSTOMER (the server refuses none).
	u, err := c.Register(ctx, ok)
	require.NoError(t, err)
	assert.Equal(t, fintract.Customer, u.UserType)

	before := srv.Requests()
	for _, bad := range []func(*fintract.RegisterRequest){
		func(r *fintract.RegisterRequest) { r.Password2 = "q" },
		func(r *fintract.RegisterRequest) { r.Email = "" },
		func(r *fintract.RegisterRequest) { r.Username = " " },
		func(r *fintract.RegisterRequest) { r.Phone = "" },
		func(r *fintract.RegisterRequest) { r.Gender = "OTHER" },
		func(r *fintract.RegisterRequest) { r.UserType = "ROOT" },
		func(r *fintract.RegisterRequest) { r.Name = "" },
		func(r *fintract.RegisterRequest) { r.Name = "Ivy2" },
		func(r *fintract.RegisterRequest) { r.Username = "bad-name" },
	} {
		req := ok
		bad(&req)
		_, err := c.Register(ctx, req)
		assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
	}
	assert.Equal(t, before, srv.Requests(), "invalid input sends nothing")
}

func TestNonIdempotentCallsAreNeverResent(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	srv.InjectFaults(fintracttest.RouteLogin, fintracttest.Fault{Status: 503})
	_, err := c.Login(ctx, customerLogin)
	require.ErrorIs(t, err, banklink.ErrServerError)
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteLogin), "login step 1 mails an OTP: never re-sent")

	srv.InjectFaults(fintracttest.RouteRegister, fintracttest.Fault{Status: 500, Body: "<html><title>SMTPException</title></html>"})
	_, err = c.Register(ctx, fintract.RegisterRequest{Email: "y@example.com", Username: "y", Name: "Yan", Password: "p", Password2: "p", Phone: "1"})
	require.ErrorIs(t, err, banklink.ErrServerError)
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteRegister))

	login(t, c, srv, customerLogin)
	srv.InjectFaults(fintracttest.RouteUpload, fintracttest.Fault{Status: 503})
	_, err = c.UploadFile(ctx, fintract.File{Name: "a.csv", Body: io.MultiReader(strings.NewReader("a,b\n")), Size: 4})
	require.ErrorIs(t, err, banklink.ErrServerError)
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteUpload), "a plain reader is sent once")

	srv.InjectFaults(fintracttest.RouteUpload, fintracttest.Fault{Status: 429, RetryAfter: "0"})
	_, err = c.UploadFile(ctx, fintract.File{Name: "a.csv", Body: io.MultiReader(strings.NewReader("a,b\n")), Size: 4})
	require.ErrorIs(t, err, banklink.ErrRateLimited)
	assert.Equal(t, 2, srv.Calls(fintracttest.RouteUpload), "not even after a 429")

	srv.InjectFaults(fintracttest.RouteUpload, fintracttest.Fault{Status: 429, RetryAfter: "0"})
	_, err = c.UploadFile(ctx, fintract.File{Name: "a.csv", Body: strings.NewReader("a,b\n")})
	require.NoError(t, err, "a rewindable source is sent again after a 429 (refused unprocessed)")
	assert.Equal(t, 4, srv.Calls(fintracttest.RouteUpload))
	ups := srv.Uploads()
	assert.Equal(t, int64(4), ups[len(ups)-1].Size, "the second attempt sent the whole file")
}

func TestExpiredAccessTokenRefreshesOnceFor50Callers(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	s := login(t, c, srv, customerLogin)
	srv.ExpireAccessTokens()

	testutil.RunConcurrently(t, 50, func() error {
		_, err := c.UserInfo(context.Background(), s.UserID)
		return err
	})
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteRefresh))
	assert.Equal(t, 0, srv.Calls(fintracttest.RouteLogin))
}

func TestRefusedRefreshWithCallbackLogsInOnce(t *testing.T) {
	srv := newFake(t)
	var asked sync.Map
	calls := 0
	var mu sync.Mutex
	c := newClient(t, srv, fintract.WithCredentials(customerLogin), fintract.WithOTPCallback(func(ctx context.Context, ch fintract.Challenge) (string, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		asked.Store(ch.UserID, true)
		return fakeOTP(srv)(ctx, ch)
	}))
	s := login(t, c, srv, customerLogin)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	testutil.RunConcurrently(t, 50, func() error {
		_, err := c.UserInfo(context.Background(), s.UserID)
		return err
	})
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteRefresh))
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteLogin), "one new login")
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteVerifyOTP), "one OTP verification")
	assert.Equal(t, 1, calls)
	_, ok := asked.Load(s.UserID)
	assert.True(t, ok)
}

func TestRefusedRefreshWithoutCallbackNeedsReauthentication(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	s := login(t, c, srv, customerLogin)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	_, err := c.UserInfo(context.Background(), s.UserID)
	require.ErrorIs(t, err, banklink.ErrReauthRequired)
	require.ErrorIs(t, err, banklink.ErrSessionExpired)
	var e *banklink.Error
	require.ErrorAs(t, err, &e, "the refused refresh is kept")
	assert.Equal(t, "token_not_valid", e.Code)
	assert.Equal(t, 0, srv.Calls(fintracttest.RouteLogin))
}

func TestSessionRestore(t *testing.T) {
	srv := newFake(t)
	first := newClient(t, srv)
	saved := login(t, first, srv, customerLogin)

	c := newClient(t, srv, fintract.WithSession(saved))
	info, err := c.UserInfo(context.Background(), saved.UserID)
	require.NoError(t, err)
	assert.Equal(t, "JohnDoe0303", info.Username)
	restored, ok := c.Session()
	require.True(t, ok)
	assert.Equal(t, saved.UserID, restored.UserID)
	assert.NotContains(t, fmtAll(restored), saved.Access)
}

func TestUserInfoKeyVariants(t *testing.T) {
	for _, keys := range []fintracttest.InfoKeys{fintracttest.InfoKeysSeed, fintracttest.InfoKeysTrailing, fintracttest.InfoKeysSnake} {
		srv := newFake(t, fintracttest.WithInfoKeys(keys))
		c := newClient(t, srv)
		s := login(t, c, srv, customerLogin)
		info, err := c.UserInfo(context.Background(), s.UserID)
		require.NoError(t, err)
		assert.Equal(t, s.CustomerID, info.CustomerID, "variant %d", keys)
		n, err := info.NetBalance.Int64()
		require.NoError(t, err, "variant %d", keys)
		assert.Equal(t, int64(1500), n)
	}
}

func TestUploadStreamsAndHashesMatch(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	login(t, c, srv, customerLogin)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	sum := sha256.Sum256(data)
	for _, f := range []fintract.File{
		{Name: "a.bin", Body: bytes.NewReader(data)},
		{Name: "b.bin", Body: io.MultiReader(bytes.NewReader(data)), Size: int64(len(data))},
		{Name: "c.bin", Body: io.MultiReader(bytes.NewReader(data))}, // chunked
		{Name: "d.bin", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, Size: int64(len(data))},
	} {
		_, err := c.UploadFile(context.Background(), f)
		require.NoError(t, err, f.Name)
	}
	for _, up := range srv.Uploads() {
		assert.Equal(t, int64(len(data)), up.Size, up.FileName)
		assert.Equal(t, hex.EncodeToString(sum[:]), up.SHA256, up.FileName)
	}
	_, err := c.UploadFile(context.Background(), fintract.File{Name: "x\ny", Body: bytes.NewReader(data)})
	assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
}

// An upload reports its progress: from 0, growing, to the whole content,
// with the total when it is known (-1 when it is not).
func TestUploadReportsProgress(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	login(t, c, srv, customerLogin)
	data := bytes.Repeat([]byte("x"), 300_000)
	for _, tc := range []struct {
		name  string
		body  io.Reader
		total int64
	}{{"known.bin", bytes.NewReader(data), int64(len(data))}, {"unknown.bin", io.MultiReader(bytes.NewReader(data)), -1}} {
		var reports [][2]int64
		_, err := c.UploadFile(context.Background(), fintract.File{Name: tc.name, Body: tc.body,
			Progress: func(sent, total int64) { reports = append(reports, [2]int64{sent, total}) }})
		require.NoError(t, err)
		require.Greater(t, len(reports), 2, tc.name)
		assert.Equal(t, [2]int64{0, tc.total}, reports[0], tc.name)
		assert.Equal(t, [2]int64{int64(len(data)), tc.total}, reports[len(reports)-1], tc.name)
		for i := 1; i < len(reports); i++ {
			assert.GreaterOrEqual(t, reports[i][0], reports[i-1][0], "progress only grows")
		}
	}
}
