package fintiv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/banklink/banklink-go/internal/redact"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/transport"
)

// SessionFacts are what a token response says besides the tokens.
type SessionFacts struct {
	UUID       string    `json:"uuid,omitempty"`
	UserType   string    `json:"user_type,omitempty"`
	Tenant     string    `json:"tenant_name,omitempty"`
	AppName    string    `json:"app_name,omitempty"`
	Scope      string    `json:"scope,omitempty"`
	LastSignOn time.Time `json:"last_signon,omitzero"`
	// NeedChangePassword: the user must change the password
	// (ChangePassword) before the service allows other calls.
	NeedChangePassword bool `json:"need_change_password,omitempty"`
}

// Session is a logged-in session. Save it as JSON (the SDK's versioned
// session form, the same for every provider) and restore it with
// WithSession. Printing a Session with fmt never shows its tokens.
type Session struct {
	SessionFacts
	// Access and Refresh are the OAuth2 token pair.
	Access  string
	Refresh string
	// AccessExpiry is when the access token expires (from expires_in);
	// zero when unknown. The service says nothing of the refresh token's.
	AccessExpiry time.Time
}

// LogValue is what any slog handler prints of s: its facts and expiry,
// never its tokens (they show as [REDACTED]).
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("uuid", s.UUID), slog.String("user_type", s.UserType), slog.String("tenant", s.Tenant),
		slog.Bool("need_change_password", s.NeedChangePassword), slog.String("access", redact.Masked(s.Access)),
		slog.String("refresh", redact.Masked(s.Refresh)), slog.Time("access_expiry", s.AccessExpiry))
}

// Format prints s without its tokens, whatever the verb.
func (s Session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintiv.Session{UUID:%s, UserType:%s, Tenant:%s, NeedChangePassword:%t, Access:%s, Refresh:%s, AccessExpiry:%s}",
		s.UUID, s.UserType, s.Tenant, s.NeedChangePassword, redact.Masked(s.Access), redact.Masked(s.Refresh), s.AccessExpiry.Format(time.RFC3339))
}

// Session returns the current session, and false before a login.
func (c *Client) Session() (Session, bool) {
	t := c.tokens.Current()
	if t == nil {
		return Session{}, false
	}
	return sessionOf(t), true
}

// sessionOf is the session t holds, its facts included.
func sessionOf(t *credential.Token) Session {
	s := Session{Access: t.Access, Refresh: t.Refresh, AccessExpiry: t.AccessExpiry}
	if f, ok := t.Facts.(*SessionFacts); ok {
		s.SessionFacts = *f
	}
	return s
}

// factsOf returns what the current session's token response said; nil
// before a login.
func (c *Client) factsOf() *SessionFacts {
	if t := c.tokens.Current(); t != nil {
		f, _ := t.Facts.(*SessionFacts)
		return f
	}
	return nil
}

func (c *Client) restore(s Session) { c.tokens.Store(s.token()) }

// token is s as the cache holds it.
func (s Session) token() *credential.Token {
	f := s.SessionFacts
	t := &credential.Token{Access: s.Access, Refresh: s.Refresh, AccessExpiry: s.AccessExpiry, Facts: &f}
	if t.Access == "" {
		t.AccessExpiry = time.Unix(1, 0) // refresh before the first call
	}
	return t
}

// tokenResponse is the token endpoint's flat success body.
type tokenResponse struct {
	AccessToken        string          `json:"access_token"`
	TokenType          string          `json:"token_type"`
	RefreshToken       string          `json:"refresh_token"`
	ExpiresIn          json.Number     `json:"expires_in"`
	Scope              string          `json:"scope"`
	TenantName         string          `json:"tenant_name"`
	LastSignOn         json.Number     `json:"last_signon_timestamp"`
	UUID               string          `json:"uuid"`
	UserType           string          `json:"user_type"`
	AppName            string          `json:"app_name"`
	NeedChangePassword bool            `json:"need_change_password"`
	ContextResponse    json.RawMessage `json:"contextResponse"`
}

// Login obtains a session with the stored credentials (password grant on
// POST /auth/oauth/token) and makes it the client's session. Calls log in
// by themselves when needed; check Session().NeedChangePassword after it.
func (c *Client) Login(ctx context.Context) (Session, error) {
	t, err := c.passwordGrant(ctx)
	if err != nil {
		return Session{}, err
	}
	c.tokens.Publish(ctx, t, "login")
	return sessionOf(t), nil
}

func (c *Client) passwordGrant(ctx context.Context) (*credential.Token, error) {
	if c.cfg.username == "" {
		return nil, fmt.Errorf("fintiv: %w", credential.ErrNoLogin)
	}
	return c.grant(ctx, "token", url.Values{"grant_type": {"password"}, "username": {c.cfg.username}, "password": {c.cfg.password}})
}

// grant sends a token grant and returns its session, the answer's facts
// included.
func (c *Client) grant(ctx context.Context, name string, form url.Values) (*credential.Token, error) {
	var tr tokenResponse
	err := c.t.Do(ctx, &transport.Op{
		Name: name, Method: http.MethodPost, Path: "auth/oauth/token", Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", Idempotent: true,
	}, func(r *transport.Response) error {
		if r.StatusCode != http.StatusOK {
			return tokenError(r)
		}
		if json.Unmarshal(r.Body, &tr) != nil || tr.AccessToken == "" {
			return tokenError(r) // an envelope with an error, or another body
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	t := &credential.Token{Access: tr.AccessToken, Refresh: tr.RefreshToken, Obtained: now}
	if secs, err := tr.ExpiresIn.Int64(); err == nil && secs > 0 {
		// An absurd lifetime is clamped: a day at most, so the
		// multiplication never overflows into the past.
		t.AccessExpiry = now.Add(time.Duration(min(secs, maxExpiresIn)) * time.Second)
	}
	f := &SessionFacts{UUID: tr.UUID, UserType: tr.UserType, Tenant: tr.TenantName, AppName: tr.AppName,
		Scope: tr.Scope, NeedChangePassword: tr.NeedChangePassword}
	if ms, err := tr.LastSignOn.Int64(); err == nil && ms > 0 {
		f.LastSignOn = time.UnixMilli(ms).UTC()
	}
	if f.UUID != "" {
		t.Facts = f // else a refresh keeps the session's facts
	}
	return t, nil
}

// maxExpiresIn caps expires_in, in seconds.
const maxExpiresIn = 24 * 60 * 60

// tokenError decodes the token endpoint's failures: flat OAuth errors,
// top-level additionalStatus fields, or an envelope.
func tokenError(r *transport.Response) error {
	var b body
	if json.Unmarshal(r.Body, &b) != nil {
		return newError(r, nil)
	}
	e := newError(r, &b)
	d := e.Detail.(*ErrorDetail)
	noStatus := b.ContextResponse == nil || deref(b.ContextResponse.StatusCode) == ""
	if e.Category == "" || (r.StatusCode == http.StatusOK && noStatus) {
		e.Category = banklink.ErrServerError
		if e.Message == "" && d.OAuthError == "" {
			e.Message = "unexpected response: no access_token"
		}
	}
	switch d.OAuthError {
	case "invalid_grant", "unauthorized", "invalid_client", "invalid_token":
		e.Category = banklink.ErrUnauthorized
	case "invalid_request", "unsupported_grant_type", "invalid_scope":
		e.Category = banklink.ErrInvalidRequest
	}
	if strings.Contains(strings.ToLower(d.AdditionalMessage), "expired") {
		e.Category = banklink.ErrUnauthorized
	}
	return e
}

func (c *Client) refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	t, err := c.grant(ctx, "token_refresh", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cur.Refresh}})
	if err != nil {
		return nil, err
	}
	if t.Refresh == "" {
		t.Refresh = cur.Refresh
	}
	return t, nil
}

// TokenInfo is what the check_token endpoint says of a token.
type TokenInfo struct {
	Active      bool
	Expiry      time.Time
	UserName    string
	ClientID    string
	Scope       []string
	Authorities []string
}

// CheckToken asks the service about the session's access token
// (GET /auth/oauth/check_token?token=…). The token travels in the query
// string there; the SDK never logs or reports query strings.
func (c *Client) CheckToken(ctx context.Context) (*TokenInfo, error) {
	t, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	var out struct {
		Active      *bool       `json:"active"`
		Exp         json.Number `json:"exp"`
		UserName    string      `json:"user_name"`
		ClientID    string      `json:"client_id"`
		Scope       []string    `json:"scope"`
		Authorities []string    `json:"authorities"`
	}
	err = c.t.Do(ctx, &transport.Op{
		Name: "check_token", Method: http.MethodGet, Path: "auth/oauth/check_token",
		Query: url.Values{"token": {t.Access}}, Idempotent: true,
	}, func(r *transport.Response) error {
		if r.StatusCode != http.StatusOK {
			return tokenError(r)
		}
		if json.Unmarshal(r.Body, &out) != nil {
			return tokenError(r)
		}
		if out.Active == nil && out.Exp == "" {
			var env struct{ ContextResponse json.RawMessage }
			if json.Unmarshal(r.Body, &env) == nil && env.ContextResponse != nil {
				return decodeEnvelope(r, &out) // some gateways wrap it
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	info := &TokenInfo{Active: out.Active == nil || *out.Active, UserName: out.UserName, ClientID: out.ClientID, Scope: out.Scope, Authorities: out.Authorities}
	if secs, err := out.Exp.Int64(); err == nil && secs > 0 {
		info.Expiry = time.Unix(secs, 0).UTC()
	}
	return info, nil
}

// source lets the credential cache refresh and log in through the client.
type source struct{ c *Client }

func (s source) Refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	return s.c.refresh(ctx, cur)
}

func (s source) Login(ctx context.Context) (*credential.Token, error) { return s.c.passwordGrant(ctx) }

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
