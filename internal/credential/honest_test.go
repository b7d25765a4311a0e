package credential

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/internal/errs"
)

var outage = &errs.CallError{Provider: "t", Op: "token_refresh", Category: errs.ErrUnavailable, Err: errors.New("connection refused")}

// Regression (#11.2): an outage during a refresh or a first login came
// back as SessionExpiredError, matching ErrUnauthorized: a network blip
// told users their credentials were bad.
func TestAnOutageIsNeverAnAuthFailure(t *testing.T) {
	for name, src := range map[string]*source{
		"refresh down, no login": {refreshErr: outage, loginErr: fmt.Errorf("x: %w", ErrNoLogin)},
		"refresh and login down": {refreshErr: outage, loginErr: outage},
		"5xx on login":           {refreshErr: outage, loginErr: fmt.Errorf("503: %w", errs.ErrServerError)},
	} {
		c := NewCache(src, Policy{}, nil, "t")
		stale := pastExpiry()
		c.Store(stale)
		_, err := c.Token(context.Background())
		require.Error(t, err, name)
		assert.NotErrorIs(t, err, errs.ErrUnauthorized, name)
		assert.NotErrorIs(t, err, errs.ErrSessionExpired, name)
		assert.NotErrorIs(t, err, errs.ErrReauthRequired, name)
		assert.Same(t, stale, c.Current(), "%s: the session is kept for the next call", name)
	}
	c := NewCache(&source{loginErr: outage}, Policy{}, nil, "t")
	_, err := c.Token(context.Background())
	require.ErrorIs(t, err, errs.ErrUnavailable, "first login")
	assert.NotErrorIs(t, err, errs.ErrUnauthorized)
}

// Regression (#11.2): a 404 on the token endpoint says the base URL is
// wrong.
func TestMissingTokenEndpointSaysCheckTheBaseURL(t *testing.T) {
	notFound := fmt.Errorf("t: POST /wrong/token/: 404: %w", errs.ErrNotFound)
	c := NewCache(&source{loginErr: notFound}, Policy{}, nil, "t")
	_, err := c.Token(context.Background())
	require.ErrorIs(t, err, errs.ErrNotFound)
	assert.NotErrorIs(t, err, errs.ErrUnauthorized)
	assert.Contains(t, err.Error(), "token endpoint was not found, check the base URL")
}

// Regression (#11.2): a dead session (refresh refused, nothing to log in
// with) sent a refresh on every later call; now they fail locally.
func TestADeadSessionFailsFast(t *testing.T) {
	src := &source{refreshErr: fmt.Errorf("401: %w", errs.ErrUnauthorized), loginErr: fmt.Errorf("x: %w", ErrNoLogin)}
	c := NewCache(src, Policy{}, nil, "t")
	c.Store(pastExpiry())
	_, first := c.Token(context.Background())
	require.ErrorIs(t, first, errs.ErrSessionExpired)
	for range 3 {
		_, err := c.Token(context.Background())
		assert.Same(t, first, err)
		_, err = c.Renew(context.Background(), c.Current())
		assert.Same(t, first, err)
	}
	assert.Equal(t, int32(1), src.refreshes.Load(), "one refresh, then local failures")
	c.Store(&Token{Access: "new"}) // a new session revives the cache
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "new", tok.Access)
}

// panicSource panics while renewing.
type panicSource struct{}

func (panicSource) Refresh(context.Context, *Token) (*Token, error) {
	panic("decoder bug near token SECRET-refresh-77")
}
func (panicSource) Login(context.Context) (*Token, error) {
	panic(errors.New("otp callback got SECRET-otp-4411"))
}

// Regression (#11.3): a panic in a token source killed the process from
// the renewal's goroutine; it is that flight's error.
func TestAPanicInTheSourceIsTheFlightsError(t *testing.T) {
	c := NewCache(panicSource{}, Policy{}, nil, "t")
	_, err := c.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panicked (a *errors.errorString in github.com/banklink/banklink-go/internal/credential.panicSource.Login)")
	assert.NotContains(t, err.Error(), "SECRET", "a panic's value may carry a secret: never in the error")
	c.Store(pastExpiry())
	_, err = c.Token(context.Background())
	assert.Contains(t, err.Error(), "panicked (a string in github.com/banklink/banklink-go/internal/credential.panicSource.Refresh)")
	assert.NotContains(t, err.Error(), "SECRET")
}

// gatedSource refreshes only once released.
type gatedSource struct {
	started chan struct{}
	release chan struct{}
	n       atomic.Int32
}

func (g *gatedSource) Refresh(ctx context.Context, _ *Token) (*Token, error) {
	g.n.Add(1)
	close(g.started)
	<-g.release
	return &Token{Access: "refreshed", Obtained: time.Now()}, nil
}
func (g *gatedSource) Login(context.Context) (*Token, error) { return nil, ErrNoLogin }

// Regression (#11.5): a Logout racing a refresh in flight was undone when
// the refresh stored its token.
func TestLogoutDuringARefreshStaysLoggedOut(t *testing.T) {
	g := &gatedSource{started: make(chan struct{}), release: make(chan struct{})}
	c := NewCache(g, Policy{}, nil, "t")
	c.Store(pastExpiry())
	done := make(chan error, 1)
	go func() {
		_, err := c.Token(context.Background())
		done <- err
	}()
	<-g.started
	c.Store(nil) // Logout
	close(g.release)
	err := <-done
	require.ErrorIs(t, err, errs.ErrSessionExpired)
	assert.Contains(t, err.Error(), "ended (logout)")
	assert.Nil(t, c.Current(), "the session stays gone")
}

func (panicSource) LoginKind() LoginKind  { return LoginUnattended }
func (*gatedSource) LoginKind() LoginKind { return LoginUnattended }
