package transport

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/redact"
)

// opStats are what an observed operation's calls count: its attempts
// across a replay, and the last status.
type opStats struct {
	attempts     int
	status       int
	attemptEnd   func(banklink.AttemptEnd) // the attempt in progress, until it is reported
	attemptStart time.Time
}

// operation describes op for an observer.
func (t *Transport) operation(op *Op) banklink.Operation {
	o := banklink.Operation{Provider: t.cfg.Provider, Name: op.Name, Method: op.Method,
		Path: t.base.Path + trimSlash(op.Path), Scheme: t.base.Scheme, Host: t.base.Hostname(), Account: op.Account}
	if p := t.base.Port(); p != "" {
		o.Port, _ = strconv.Atoi(p)
	} else if o.Scheme == "https" {
		o.Port = 443
	} else {
		o.Port = 80
	}
	return o
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
}

// debugging reports whether per-attempt records are wanted.
func (t *Transport) debugging(ctx context.Context) bool {
	return t.log != nil && t.log.Enabled(ctx, slog.LevelDebug)
}

func (t *Transport) logAttempt(ctx context.Context, c *call, req *http.Request, resp *http.Response, err error, d time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("provider", t.cfg.Provider), slog.String("op", c.op.Name), slog.Int("attempt", c.attempts),
		slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Duration("elapsed", d))
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(redactURLError(err).Error(), t.secrets(c.op, c.token)...)))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "banklink: http attempt", attrs...)
}
