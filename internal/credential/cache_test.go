package credential

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go/internal/errs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// source is a scripted Source.
type source struct {
	refreshes, logins atomic.Int32
	refreshErr        error
	loginErr          error
	delay             time.Duration
	gate              chan struct{} // when set, a refresh waits for it to close
	ttl               time.Duration
}

func (s *source) token(kind string, n int32) *Token {
	now := time.Now()
	t := &Token{Access: fmt.Sprintf("%s-%d", kind, n), Refresh: "refresh", Obtained: now}
	if s.ttl > 0 {
		t.AccessExpiry = now.Add(s.ttl)
	}
	return t
}

func (s *source) Refresh(ctx context.Context, _ *Token) (*Token, error) {
	n := s.refreshes.Add(1)
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.refreshErr != nil {
		return nil, s.refreshErr
	}
	return s.token("refreshed", n), nil
}

func (s *source) Login(context.Context) (*Token, error) {
	n := s.logins.Add(1)
	if s.loginErr != nil {
		return nil, s.loginErr
	}
	return s.token("login", n), nil
}

func pastExpiry() *Token {
	return &Token{Access: "old", Refresh: "refresh", AccessExpiry: time.Now().Add(-time.Second)}
}

func TestOneRenewalForManyWaiters(t *testing.T) {
	src := &source{delay: 20 * time.Millisecond}
	c := NewCache(src, Policy{Skew: time.Second}, nil, "t")
	c.Store(pastExpiry())
	var wg sync.WaitGroup
	got := make([]*Token, 200)
	for i := range got {
		wg.Go(func() {
			tok, err := c.Token(context.Background())
			assert.NoError(t, err)
			got[i] = tok
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), src.refreshes.Load())
	assert.Equal(t, int32(0), src.logins.Load())
	for _, tok := range got {
		assert.Same(t, got[0], tok)
	}
}

// A renewal that has ended is not reused: the next expiry starts another,
// and a failure is not handed to later callers.
func TestEachExpiryGetsItsOwnRenewal(t *testing.T) {
	src := &source{refreshErr: errors.New("503"), loginErr: ErrNoLogin}
	c := NewCache(src, Policy{Skew: time.Second}, nil, "t")
	c.Store(pastExpiry())
	_, err := c.Token(context.Background())
	require.Error(t, err)
	src.refreshErr, src.loginErr = nil, nil
	c.Store(pastExpiry())
	first, err := c.Token(context.Background())
	require.NoError(t, err)
	c.Store(pastExpiry())
	second, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.NotSame(t, first, second)
	assert.Equal(t, int32(3), src.refreshes.Load())
}

func TestRenewOfAnAlreadyReplacedTokenReturnsTheNewOne(t *testing.T) {
	src := &source{}
	c := NewCache(src, Policy{}, nil, "t")
	old := &Token{Access: "a", Refresh: "r"}
	c.Store(old)
	first, err := c.Renew(context.Background(), old)
	require.NoError(t, err)
	// A caller whose request with the old token was refused late.
	second, err := c.Renew(context.Background(), old)
	require.NoError(t, err)
	assert.Same(t, first, second)
	assert.Equal(t, int32(1), src.refreshes.Load())
}

func TestRefusedRefreshFallsBackToLogin(t *testing.T) {
	src := &source{refreshErr: fmt.Errorf("401 token_not_valid: %w", errs.ErrUnauthorized)}
	c := NewCache(src, Policy{}, nil, "t")
	c.Store(pastExpiry())
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "login-1", tok.Access)
	assert.Equal(t, int32(1), src.refreshes.Load())
}

func TestNoLoginPossibleIsSessionExpiredWithTheRefreshError(t *testing.T) {
	refreshErr := fmt.Errorf("refresh refused: %w", errs.ErrInvalidRequest)
	src := &source{refreshErr: refreshErr, loginErr: fmt.Errorf("x: %w", ErrNoLogin)}
	c := NewCache(src, Policy{}, nil, "t")
	c.Store(pastExpiry())
	_, err := c.Token(context.Background())
	require.ErrorIs(t, err, errs.ErrSessionExpired)
	assert.ErrorIs(t, err, refreshErr)
	assert.ErrorIs(t, err, ErrNoLogin)
	assert.Equal(t, "session expired: refresh refused: invalid request (x: no stored credentials to log in with)", err.Error())
}

func TestExpiredRefreshTokenGoesStraightToLogin(t *testing.T) {
	src := &source{}
	c := NewCache(src, Policy{}, nil, "t")
	tok := pastExpiry()
	tok.RefreshExpiry = time.Now().Add(-time.Minute)
	c.Store(tok)
	_, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(0), src.refreshes.Load())
	assert.Equal(t, int32(1), src.logins.Load())
}

func TestAgingTokenIsUsedWhileRenewedInBackground(t *testing.T) {
	src := &source{gate: make(chan struct{}), ttl: time.Hour}
	c := NewCache(src, Policy{Margin: time.Minute, Skew: time.Second}, nil, "t")
	aging := &Token{Access: "aging", Refresh: "r", AccessExpiry: time.Now().Add(30 * time.Second), Obtained: time.Now().Add(-time.Hour)}
	c.Store(aging)
	for range 10 {
		tok, err := c.Token(context.Background())
		require.NoError(t, err)
		assert.Same(t, aging, tok, "callers do not wait for an early refresh")
	}
	close(src.gate) // the refresh finishes only now
	require.Eventually(t, func() bool { return c.Current() != aging }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, int32(1), src.refreshes.Load())
}

func TestShortLifetimesScaleTheMargin(t *testing.T) {
	c := NewCache(&source{}, Policy{Margin: time.Minute, Skew: 5 * time.Second}, nil, "t")
	now := time.Now()
	short := &Token{AccessExpiry: now.Add(8 * time.Second), Obtained: now.Add(-2 * time.Second)} // 10s life
	assert.Equal(t, fresh, c.state(short), "margin capped at a quarter of the life")
	short = &Token{AccessExpiry: now.Add(2 * time.Second), Obtained: now.Add(-8 * time.Second)}
	assert.Equal(t, aging, c.state(short), "inside the last quarter")
	short = &Token{AccessExpiry: now.Add(500 * time.Millisecond), Obtained: now.Add(-9500 * time.Millisecond)}
	assert.Equal(t, expired, c.state(short), "skew capped at a tenth of the life")
	assert.Equal(t, fresh, c.state(&Token{}), "an opaque token is used until refused")
}

func TestWaiterCancellationDoesNotCancelTheSharedRenewal(t *testing.T) {
	src := &source{gate: make(chan struct{})}
	c := NewCache(src, Policy{}, nil, "t")
	c.Store(pastExpiry())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Token(ctx); done <- err }()
	for src.refreshes.Load() == 0 {
		time.Sleep(time.Millisecond) // until the renewal is under way
	}
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled, "the waiter returns at once")
	close(src.gate)

	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "refreshed-1", tok.Access, "the shared refresh went on")
	assert.Equal(t, int32(1), src.refreshes.Load())
}

func TestTokenFormatHidesSecrets(t *testing.T) {
	tok := Token{Access: "secret-access", Refresh: "secret-refresh"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, tok)
		assert.NotContains(t, out, "secret", verb)
	}
}

func (s *source) LoginKind() LoginKind {
	if errors.Is(s.loginErr, ErrNoLogin) {
		return LoginImpossible
	}
	return LoginUnattended
}
