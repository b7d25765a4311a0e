package banklink_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// recorder is an Observer that writes down what it sees.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) StartOperation(ctx context.Context, op banklink.Operation) (context.Context, func(banklink.OperationEnd)) {
	r.add("op %s.%s %s %s account=%s", op.Provider, op.Name, op.Method, op.Path, op.Account)
	return ctx, func(e banklink.OperationEnd) {
		r.add("op end status=%d attempts=%d err=%v category=%q", e.StatusCode, e.Attempts, e.Err, e.Category)
	}
}

func (r *recorder) StartAttempt(ctx context.Context, a banklink.Attempt) (context.Context, func(banklink.AttemptEnd)) {
	r.add("attempt %d", a.Number)
	return ctx, func(e banklink.AttemptEnd) {
		r.add("attempt end status=%d category=%q retry=%t reason=%s", e.StatusCode, e.Category, e.Retry, e.RetryReason)
	}
}

func (r *recorder) StartRenewal(ctx context.Context, _ banklink.Renewal) (context.Context, func(banklink.RenewalEnd)) {
	r.add("renewal")
	return ctx, func(e banklink.RenewalEnd) { r.add("renewal end kind=%s err=%v", e.Reason, e.Err) }
}

func (r *recorder) SessionChanged(_ context.Context, ch banklink.SessionChange) {
	r.add("session %s session-bytes=%d", ch.Reason, len(ch.Session))
}

// A call that is retried twice, then finds its token refused, refreshes
// and is replayed: the observer sees each step, in order.
func TestObserverSeesOperationAttemptsAndRenewal(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	rec := &recorder{}
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		banklink.WithObserver(rec))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Login(ctx)
	require.NoError(t, err)
	rec.events = nil

	srv.ExpireAccessTokens()
	srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503})
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"op dfcu.loans POST /api/accounts/loans/ account=" + dfcutest.AccountWithLoans,
		"attempt 1",
		`attempt end status=503 category="server error" retry=true reason=http_503`,
		"attempt 2",
		`attempt end status=503 category="server error" retry=true reason=http_503`,
		"attempt 3",
		`attempt end status=401 category="unauthorized" retry=false reason=`,
		"renewal",
		"op dfcu.token_refresh POST /token/refresh/ account=", // the renewal's own call, observed as one
		"attempt 1",
		`attempt end status=200 category="" retry=false reason=`,
		`op end status=200 attempts=1 err=<nil> category=""`,
		"session refresh session-bytes=0", // an observer never gets the tokens
		"renewal end kind=refresh err=<nil>",
		"attempt 4",
		`attempt end status=200 category="" retry=false reason=`,
		`op end status=200 attempts=4 err=<nil> category=""`,
	}, rec.events)
}

// Errors reach the observer redacted, with their category.
func TestObserverSeesFailuresWithoutSecrets(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	rec := &recorder{}
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, "wrong-canary-pw-77"),
		banklink.WithObserver(rec))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	all := strings.Join(rec.events, "\n")
	assert.Contains(t, all, `category="unauthorized"`)
	assert.Contains(t, all, "renewal end kind= err=login refused: dfcu token: POST /token/: 401")
	assert.NotContains(t, all, "wrong-canary-pw-77")
}

// Logs a service can run at Info: a refresh is Info, a new login after a
// refused refresh and exhausted retries are Warn, attempts Debug only;
// every record carries the caller's context.
func TestLogLevels(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	var buf strings.Builder
	var mu sync.Mutex
	type ctxKey struct{}
	h := ctxHandler{Handler: slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelInfo}), key: ctxKey{}}
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		banklink.WithLogger(slog.New(h)))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.WithValue(context.Background(), ctxKey{}, "req-42")
	loans := func() error { _, err := c.Loans(ctx, dfcutest.AccountWithLoans); return err }
	require.NoError(t, loans())
	srv.ExpireAccessTokens()
	require.NoError(t, loans())
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()
	require.NoError(t, loans())
	srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503})
	require.ErrorIs(t, loans(), banklink.ErrRetriesExhausted)

	out := buf.String()
	assert.Contains(t, out, `level=INFO msg="banklink: logged in"`)
	assert.Contains(t, out, `level=INFO msg="banklink: session refreshed"`)
	assert.Contains(t, out, `level=WARN msg="banklink: logged in again: the session could not be refreshed"`)
	assert.Contains(t, out, `level=WARN msg="banklink: retries exhausted"`)
	assert.NotContains(t, out, "http attempt", "attempts are Debug")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		assert.Contains(t, line, "request=req-42", "the caller's context reaches every record: %s", line)
	}
}

// ctxHandler adds a value of the record's context, as a trace-aware
// handler adds the trace id.
type ctxHandler struct {
	slog.Handler
	key any
}

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if v, ok := ctx.Value(h.key).(string); ok {
		r.AddAttrs(slog.String("request", v))
	}
	return h.Handler.Handle(ctx, r)
}

type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// panicky panics while it is decoded: a caller's type gone wrong.
type panicky struct{}

func (*panicky) UnmarshalJSON([]byte) error { panic("decoder bug") }

// Regression (#21.5): a panic while an answer was decoded (a caller's
// Do[T] type) left the operation's span open and the active-operations
// count up. The attempt and the operation now end, with an error, and the
// panic goes on up to the caller.
func TestTelemetrySurvivesAPanic(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	rec := &recorder{}
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithObserver(rec))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans) // logged in
	require.NoError(t, err)
	rec.mu.Lock()
	rec.events = nil
	rec.mu.Unlock()

	assert.PanicsWithValue(t, "decoder bug", func() {
		_, _ = dfcu.Do[panicky](ctx, c, banklink.Request{Method: "POST", Path: "api/accounts/loans/", Auth: true, Idempotent: true,
			Body: map[string]string{"account": dfcutest.AccountWithLoans}})
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var starts, ends int
	for _, e := range rec.events {
		switch {
		case strings.HasPrefix(e, "op end"):
			ends++
			assert.Contains(t, e, "panicked (a string)")
			assert.NotContains(t, e, "decoder bug", "the panic's value is never reported")
		case strings.HasPrefix(e, "op "):
			starts++
		}
	}
	assert.Equal(t, 1, starts)
	assert.Equal(t, 1, ends, "the operation ended: %q", rec.events)
}
