package merchant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/banklink/banklink-go/internal/redact"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/transport"
)

// Session is the wallet session: the opaque token pair. Save it as JSON
// (the SDK's versioned session form, the same for every provider) and
// restore it with WithSession. Printing a Session never shows its tokens.
type Session struct {
	// Access and Refresh are the pair sent as X-Access-Token and
	// X-Refresh-Token. The wallet says nothing of their expiry.
	Access  string
	Refresh string
}

// LogValue is what any slog handler prints of s: never its tokens (they
// show as [REDACTED]).
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access", redact.Masked(s.Access)), slog.String("refresh", redact.Masked(s.Refresh)))
}

// Format prints s without its tokens, whatever the verb.
func (s Session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "merchant.Session{Access:%s, Refresh:%s}", redact.Masked(s.Access), redact.Masked(s.Refresh))
}

// Session returns the current token pair, and false before a login.
func (c *Client) Session() (Session, bool) {
	t := c.tokens.Current()
	if t == nil || t.Access == "" {
		return Session{}, false
	}
	return Session{Access: t.Access, Refresh: t.Refresh}, true
}

// Account returns the user and merchant of the last login or refresh.
func (c *Client) Account() (Account, bool) {
	t := c.tokens.Current()
	if t == nil {
		return Account{}, false
	}
	a, ok := t.Facts.(*Account)
	if !ok {
		return Account{}, false
	}
	return *a, true
}

func b64(s string) string {
	if s == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// Login logs in with the stored credentials (POST /auth/login; the client
// base64-encodes them) and makes the answer's token pair the session.
// Calls log in by themselves when needed. The answer's user and merchant
// are then in Account.
func (c *Client) Login(ctx context.Context) (Session, error) {
	t, err := c.login(ctx)
	if err != nil {
		return Session{}, err
	}
	c.tokens.Publish(ctx, t, "login")
	return Session{Access: t.Access, Refresh: t.Refresh}, nil
}

func (c *Client) login(ctx context.Context) (*credential.Token, error) {
	if c.cfg.email == "" {
		return nil, fmt.Errorf("merchant: %w", credential.ErrNoLogin)
	}
	body, err := json.Marshal(map[string]string{"email": b64(c.cfg.email), "password": b64(c.cfg.password)})
	if err != nil {
		return nil, err
	}
	return c.tokenCall(ctx, &transport.Op{
		Name: "login", Method: http.MethodPost, Path: "auth/login", Body: body, ContentType: "application/json", Idempotent: true,
	})
}

// tokenCall sends a login or refresh and reads the pair from the answer's
// headers and the account from its body. A 2xx that carries a pair is a
// success whatever its body: the account (the session's facts) is then
// kept only when the body reads as one.
func (c *Client) tokenCall(ctx context.Context, op *transport.Op) (*credential.Token, error) {
	var t *credential.Token
	var a Account
	accountKnown := false
	err := c.t.Do(ctx, op, func(r *transport.Response) error {
		access, refresh := r.Header.Get("X-Access-Token"), r.Header.Get("X-Refresh-Token")
		if r.StatusCode >= 200 && r.StatusCode < 300 && access != "" && refresh != "" {
			// The pair is the session, whatever the body looks like: it
			// replaced a spent refresh token, and dropping it would lose
			// the session. The account is read when the body allows.
			t = &credential.Token{Access: access, Refresh: refresh}
			if _, err := decodeWallet(r, false); err == nil {
				accountKnown = json.Unmarshal(r.Body, &a) == nil
			}
			return nil
		}
		if _, err := decodeWallet(r, false); err != nil {
			return err
		}
		return r.Fail(banklink.ErrServerError, "", "unexpected response: no X-Access-Token/X-Refresh-Token headers")
	})
	if err != nil {
		return nil, err
	}
	if accountKnown {
		t.Facts = &a
	}
	return t, nil
}

// Refresh trades the refresh token for a new pair now
// (POST /auth/refresh/token); both tokens rotate and the old refresh token
// is spent. Calls refresh by themselves when the wallet refuses the pair.
// It returns the new session; Account has the answer's user and merchant.
func (c *Client) Refresh(ctx context.Context) (Session, error) {
	t, err := c.tokens.Renew(ctx, c.tokens.Current())
	if err != nil {
		return Session{}, err
	}
	return Session{Access: t.Access, Refresh: t.Refresh}, nil
}

func (c *Client) refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	return c.tokenCall(ctx, &transport.Op{
		Name: "refresh", Method: http.MethodPost, Path: "auth/refresh/token",
		SecretHeaders: map[string][]string{"X-Refresh-Token": {cur.Refresh}},
		// Not retried: the refresh token is single-use, and a lost answer
		// would leave the client with a spent token. Renewal then logs in.
	})
}

// Logout ends the session (POST /auth/logout with both tokens) and forgets
// it, whatever the wallet answers (an empty 200 is normal).
func (c *Client) Logout(ctx context.Context) error {
	cur := c.tokens.Current()
	if cur == nil || cur.Access == "" {
		return nil
	}
	// An authenticated call like any other: a 401/403 that carries a
	// rotated pair adopts it and is replayed once. A refusal without one
	// is not worth a refresh (NoRenew): the session is forgotten anyway.
	err := c.t.Do(ctx, &transport.Op{
		Name: "logout", Method: http.MethodPost, Path: "auth/logout", Auth: true, NoRenew: true,
	}, func(r *transport.Response) error {
		_, err := decodeWallet(r, true)
		return err
	})
	// Forgotten, and with a session store a tombstone left there that no
	// replica adopts: the next call logs in again.
	c.tokens.Publish(ctx, nil, "logout")
	return err
}

// ForgotPassword asks the wallet to mail a reset code
// (POST /auth/password/forget). It needs no session.
func (c *Client) ForgotPassword(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return invalid("password_forget", "email", "an email address is required")
	}
	return c.message(ctx, "password_forget", "auth/password/forget", map[string]string{"email": email})
}

// ResetPassword sets a new password with the mailed reset code
// (POST /auth/password/reset). It needs no session.
func (c *Client) ResetPassword(ctx context.Context, resetCode, password string) error {
	resetCode = strings.TrimSpace(resetCode)
	switch {
	case resetCode == "":
		return invalid("password_reset", "resetCode", "the reset code is required")
	case password == "":
		return invalid("password_reset", "password", "a new password is required")
	}
	return c.message(ctx, "password_reset", "auth/password/reset", map[string]string{"resetCode": resetCode, "password": password}, resetCode, password)
}

// message sends a call without session whose answer is only a message.
// message's secrets are values its body carries, redacted from its
// errors and logs.
func (c *Client) message(ctx context.Context, name, path string, body any, secrets ...string) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.t.Do(ctx, &transport.Op{Name: name, Method: http.MethodPost, Path: path, Body: b, ContentType: "application/json", Redact: secrets},
		func(r *transport.Response) error {
			_, err := decodeWallet(r, false)
			return err
		})
}

// source lets the credential cache refresh and log in through the client.
type source struct{ c *Client }

func (s source) Refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	return s.c.refresh(ctx, cur)
}

func (s source) Login(ctx context.Context) (*credential.Token, error) { return s.c.login(ctx) }

func (s source) LoginKind() credential.LoginKind {
	if s.c.cfg.email == "" {
		return credential.LoginImpossible
	}
	return credential.LoginUnattended
}
