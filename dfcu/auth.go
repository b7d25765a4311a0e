package dfcu

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/redact"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/jwt"
	"github.com/banklink/banklink-go/internal/transport"
)

// Session is a logged-in session: the JWT pair and the expiries read from
// their exp claims. Save it as JSON (the SDK's versioned session form, the
// same for every provider) and restore it with WithSession.
// Printing a Session with fmt shows its expiries, never its tokens.
type Session struct {
	// Access and Refresh are the JWT pair.
	Access  string
	Refresh string
	// AccessExpiry and RefreshExpiry are the tokens' exp; zero when unknown.
	AccessExpiry  time.Time
	RefreshExpiry time.Time
}

// LogValue is what any slog handler prints of s: its expiries, never its
// tokens (they show as [REDACTED]).
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access", redact.Masked(s.Access)), slog.String("refresh", redact.Masked(s.Refresh)),
		slog.Time("access_expiry", s.AccessExpiry), slog.Time("refresh_expiry", s.RefreshExpiry))
}

// Format prints s without its tokens, whatever the verb.
func (s Session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "dfcu.Session{Access:%s, Refresh:%s, AccessExpiry:%s, RefreshExpiry:%s}",
		redact.Masked(s.Access), redact.Masked(s.Refresh), s.AccessExpiry.Format(time.RFC3339), s.RefreshExpiry.Format(time.RFC3339))
}

func (s Session) token() *credential.Token {
	t := &credential.Token{Access: s.Access, Refresh: s.Refresh, AccessExpiry: s.AccessExpiry, RefreshExpiry: s.RefreshExpiry}
	if t.AccessExpiry.IsZero() && t.Access != "" {
		t.AccessExpiry, _ = jwt.Expiry(t.Access)
	}
	if t.RefreshExpiry.IsZero() && t.Refresh != "" {
		t.RefreshExpiry, _ = jwt.Expiry(t.Refresh)
	}
	if t.Access == "" {
		t.AccessExpiry = time.Unix(1, 0) // no access token: refresh before the first call
	}
	return t
}

// Session returns the current session, and false when the client has not
// logged in yet.
func (c *Client) Session() (Session, bool) {
	t := c.tokens.Current()
	if t == nil {
		return Session{}, false
	}
	return Session{Access: t.Access, Refresh: t.Refresh, AccessExpiry: t.AccessExpiry, RefreshExpiry: t.RefreshExpiry}, true
}

// Login obtains a new token pair with the stored credentials (POST token/)
// and makes it the client's session. Calls log in by themselves when
// needed; call Login to check credentials early or to start afresh.
func (c *Client) Login(ctx context.Context) (Session, error) {
	t, err := c.login(ctx)
	if err != nil {
		return Session{}, err
	}
	c.tokens.Publish(ctx, t, "login")
	s, _ := c.Session()
	return s, nil
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenPair struct {
	Access  string    `json:"access"`
	Refresh string    `json:"refresh"`
	date    time.Time // the answer's Date header
}

func (c *Client) login(ctx context.Context) (*credential.Token, error) {
	if c.cfg.username == "" {
		return nil, fmt.Errorf("dfcu: %w", credential.ErrNoLogin)
	}
	body, err := json.Marshal(loginRequest{Username: c.cfg.username, Password: c.cfg.password})
	if err != nil {
		return nil, err
	}
	var pair tokenPair
	err = c.t.Do(ctx, &transport.Op{
		Name: "token", Method: http.MethodPost, Path: "token/", Body: body,
		ContentType: "application/json", Idempotent: true,
	}, func(r *transport.Response) error { return decodeTokens(r, &pair, true) })
	if err != nil {
		return nil, err
	}
	return newToken(pair.Access, pair.Refresh, time.Now(), pair.date), nil
}

type refreshRequest struct {
	Refresh string `json:"refresh"`
}

func (c *Client) refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	body, err := json.Marshal(refreshRequest{Refresh: cur.Refresh})
	if err != nil {
		return nil, err
	}
	var pair tokenPair
	err = c.t.Do(ctx, &transport.Op{
		Name: "token_refresh", Method: http.MethodPost, Path: "token/refresh/", Body: body,
		ContentType: "application/json", Idempotent: true,
	}, func(r *transport.Response) error { return decodeTokens(r, &pair, false) })
	if err != nil {
		return nil, err
	}
	if pair.Refresh == "" { // a server with refresh-token rotation sends a new one
		pair.Refresh = cur.Refresh
	}
	return newToken(pair.Access, pair.Refresh, time.Now(), pair.date), nil
}

// newToken reads both expiries from the JWTs' exp claims, on this
// machine's clock as the answer's Date header (date) places the server's.
// A token whose exp cannot be read is used until the server refuses it.
func newToken(access, refresh string, now, date time.Time) *credential.Token {
	t := &credential.Token{Access: access, Refresh: refresh, Obtained: now}
	t.AccessExpiry, _ = jwt.ExpiryOnArrival(access, now, date)
	t.RefreshExpiry, _ = jwt.ExpiryOnArrival(refresh, now, date)
	return t
}

// decodeTokens reads {"access","refresh"}; the refresh token is required
// only from a login.
func decodeTokens(r *transport.Response, out *tokenPair, needRefresh bool) error {
	if r.StatusCode != http.StatusOK {
		return decodeError(r)
	}
	if err := json.Unmarshal(r.Body, out); err != nil || out.Access == "" || (needRefresh && out.Refresh == "") {
		return shapeError(r, "the token response has no access/refresh token")
	}
	out.date = jwt.ServerDate(r.Header.Get("Date"))
	return nil
}

// source lets the credential cache log in and refresh through the client.
type source struct{ c *Client }

func (s source) Refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	return s.c.refresh(ctx, cur)
}

func (s source) Login(ctx context.Context) (*credential.Token, error) { return s.c.login(ctx) }

func (s source) LoginKind() credential.LoginKind {
	if s.c.cfg.username == "" {
		return credential.LoginImpossible
	}
	return credential.LoginUnattended
}

// Refresh renews the session now, as the client does by itself before
// the access token expires (with the refresh token; when that is refused,
// by a new login if the client can log in), and returns the new session.
func (c *Client) Refresh(ctx context.Context) (Session, error) {
	if _, err := c.tokens.Renew(ctx, c.tokens.Current()); err != nil {
		return Session{}, err
	}
	s, _ := c.Session()
	return s, nil
}
