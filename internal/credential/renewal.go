package credential

import (
	"context"
	"errors"
	"log/slog"

	"github.com/banklink/banklink-go/internal/errs"
)

// renewFrom is the renewal table's provider half (SESSIONS.md): it
// refreshes base when it may, else logs in, and returns the new session
// (without lineage yet) and which of the two it was.
//
//	refresh \ login    unattended       needs a person     impossible
//	ok                 use it           use it             use it
//	refused            log in           ask the person     session dead
//	no answer          log in; if that  keep the session, return the
//	                   fails too, keep  outage: nobody is asked because
//	                   the session      a server is down
//	none (no token,    log in           ask the person     session expired
//	expired, spent,                                        (re-authentication
//	or not allowed)                                         required)
//
// A single-use refresh token that got no answer may have been spent: it
// is marked and never presented again. mayRefresh is false when the
// store's protocol forbids presenting base's refresh token (single-use,
// and perhaps presented elsewhere).
func (c *Cache) renewFrom(ctx context.Context, base *Token, mayRefresh bool) (*Token, string, error) {
	var refreshErr, outage error
	if mayRefresh && c.canRefresh(base) {
		t, err := c.src.Refresh(ctx, base)
		switch {
		case err == nil:
			c.logAt(ctx, slog.LevelInfo, "session refreshed")
			return t, "refresh", nil
		case !Refused(err):
			// No verdict on the session: it is kept. A single-use token
			// that may have reached the server is never presented again.
			// Nobody is asked because a server is down: only stored
			// credentials may log in, and the outage is returned when
			// they cannot.
			if c.policy.SingleUse {
				c.markSpent(base)
			}
			if c.src.LoginKind() != LoginUnattended {
				c.logAt(ctx, slog.LevelWarn, "the session could not be refreshed: no answer; kept", "error", err.Error())
				return nil, "", c.unreachable(err)
			}
			outage = c.unreachable(err)
		default:
			refreshErr = err
			c.logAt(ctx, slog.LevelDebug, "refresh refused; logging in again", "error", err.Error())
		}
	}
	t, err := c.src.Login(ctx)
	switch {
	case err != nil && outage != nil && !Refused(err):
		return nil, "", outage // no verdict from either: the session is kept
	case err == nil && base != nil:
		// A session replaced by a new login: worth a look when it happens
		// often (a refresh token that keeps being refused).
		c.logAt(ctx, slog.LevelWarn, "logged in again: the session could not be refreshed")
		return t, "login", nil
	case err == nil:
		c.logAt(ctx, slog.LevelInfo, "logged in")
		return t, "login", nil
	case errors.Is(err, ErrNoLogin) && refreshErr != nil:
		return nil, "", &errs.SessionExpiredError{Err: &noLoginError{refresh: refreshErr, login: err}} // dead: see renew
	case Refused(err) && base == nil:
		// There was no session to expire: the first login was refused.
		return nil, "", &loginRefused{err}
	case errors.Is(err, ErrNoLogin), Refused(err):
		return nil, "", &errs.SessionExpiredError{Err: err}
	}
	return nil, "", c.unreachable(err)
}

// canRefresh reports whether t's refresh token may be presented: there is
// one, it has not expired, and it is not possibly spent (single-use).
func (c *Cache) canRefresh(t *Token) bool {
	switch {
	case t == nil || t.Refresh == "":
		return false
	case !t.RefreshExpiry.IsZero() && !t.RefreshExpiry.After(c.now()):
		return false
	}
	return !(t.RefreshSpent && c.policy.SingleUse)
}

// markSpent replaces the current session, when it holds base's refresh
// token, by a copy whose refresh token is never presented again.
func (c *Cache) markSpent(base *Token) {
	cur := c.cur.Load()
	if cur == nil || base == nil || cur.Refresh != base.Refresh || cur.RefreshSpent {
		return
	}
	c.Swap(cur, cur.With(func(t *Token) { t.RefreshSpent = true }))
}

// unreachable is a renewal that got no verdict on the session: returned
// as it is, with a word on a token endpoint that does not exist.
func (c *Cache) unreachable(err error) error {
	if errors.Is(err, errs.ErrNotFound) {
		return &endpointError{provider: c.name, err: err}
	}
	return err
}

// endpointError is a token endpoint answering 404: the base URL is wrong.
type endpointError struct {
	provider string
	err      error
}

func (e *endpointError) Error() string {
	return e.provider + ": the token endpoint was not found, check the base URL: " + e.err.Error()
}
func (e *endpointError) Unwrap() error { return e.err }

// noLoginError is a refused refresh with no way to log in again: it reads
// as the refresh failure and matches both causes.
type noLoginError struct{ refresh, login error }

func (e *noLoginError) Error() string   { return e.refresh.Error() + " (" + e.login.Error() + ")" }
func (e *noLoginError) Unwrap() []error { return []error{e.refresh, e.login} }

// sharedTokenError is a renewal that could not run: the store is down, the
// refresh token is single-use and may be the fleet's, and the client
// cannot log in on its own. The session is kept; it matches
// ErrUnavailable (no verdict came) and the store's error.
type sharedTokenError struct {
	provider string
	store    error
}

func (e *sharedTokenError) Error() string {
	return e.provider + ": the session store is unavailable and the single-use refresh token may be another replica's: not presented; no stored credentials to log in with (" + e.store.Error() + ")"
}
func (e *sharedTokenError) Unwrap() []error { return []error{errs.ErrUnavailable, e.store} }

// loginRefused is a first login the server refused (no session existed):
// ErrUnauthorized, as the refusal says, never ErrSessionExpired.
type loginRefused struct{ err error }

func (e *loginRefused) Error() string { return "login refused: " + e.err.Error() }
func (e *loginRefused) Unwrap() error { return e.err }
