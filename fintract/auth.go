package fintract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go/internal/redact"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/jwt"
	"github.com/banklink/banklink-go/internal/transport"
)

// LoginRequest is step 1 of a login.
type LoginRequest struct {
	Email    string
	Password string
	// OTPType is where the OTP goes: OTPByEmail (the default) or OTPByPhone.
	OTPType OTPType
	// UserType is optional; matched without regard to case.
	UserType UserType
}

// LogValue is what any slog handler prints of l: never its password.
func (l LoginRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", l.Email), slog.String("password", redact.Masked(l.Password)),
		slog.String("otp_type", string(l.OTPType)), slog.String("user_type", string(l.UserType)))
}

// MarshalJSON writes l with its password masked: a LoginRequest logged or
// stored as JSON never carries the password.
func (l LoginRequest) MarshalJSON() ([]byte, error) {
	type plain LoginRequest
	p := plain(l)
	p.Password = redact.Masked(l.Password)
	return json.Marshal(p)
}

// Format prints l without its password, whatever the verb.
func (l LoginRequest) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintract.LoginRequest{Email:%q, Password:%s, OTPType:%s, UserType:%s}", l.Email, redact.Masked(l.Password), l.OTPType, l.UserType)
}

func (l LoginRequest) check(op string) (LoginRequest, error) {
	var ok bool
	l.Email = strings.TrimSpace(l.Email)
	if err := checkEmail(op, l.Email); err != nil {
		return l, err
	}
	if l.Password == "" {
		return l, invalid(op, "password", "a password is required")
	}
	if len([]rune(l.Password)) < 6 {
		return l, invalid(op, "password", "at least 6 characters")
	}
	if l.OTPType == "" {
		l.OTPType = OTPByEmail
	}
	if l.OTPType, ok = otpType(l.OTPType); !ok {
		return l, invalid(op, "otpType", "must be Email or Phone")
	}
	if l.UserType != "" {
		if l.UserType, ok = userType(l.UserType); !ok {
			return l, invalid(op, "userType", "not a Fintract user type")
		}
	}
	return l, nil
}

func checkEmail(op, email string) error {
	if email == "" {
		return invalid(op, "email", "an email address is required")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return invalid(op, "email", "not a valid email address")
	}
	return nil
}

// Challenge is the server's answer to login step 1: the OTP has been sent,
// and VerifyOTP with this UserID finishes the login. The OTP expires 10
// minutes after it was sent and is single-use.
type Challenge struct {
	UserID  int
	Email   string
	OTPType OTPType
	SentAt  time.Time
}

// SessionUser is who a session belongs to.
type SessionUser struct {
	UserID             int      `json:"user_id"`
	CustomerID         string   `json:"customer_id,omitempty"`
	Email              string   `json:"email,omitempty"`
	Username           string   `json:"username,omitempty"`
	UserType           UserType `json:"user_type,omitempty"`
	VerificationStatus bool     `json:"verification_status"`
}

// Session is a logged-in session: the JWT pair, their expiries (read from
// exp) and the user. Save it as JSON (the SDK's versioned session form,
// the same for every provider) and restore it with WithSession. Printing a Session with fmt never shows its tokens.
type Session struct {
	SessionUser
	// Access and Refresh are the JWT pair.
	Access  string
	Refresh string
	// AccessExpiry and RefreshExpiry are the tokens' exp; zero when unknown.
	AccessExpiry  time.Time
	RefreshExpiry time.Time
}

// LogValue is what any slog handler prints of s: its user and expiries,
// never its tokens (they show as [REDACTED]).
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("user_id", s.UserID), slog.String("username", s.Username), slog.String("user_type", string(s.UserType)),
		slog.String("access", redact.Masked(s.Access)), slog.String("refresh", redact.Masked(s.Refresh)),
		slog.Time("access_expiry", s.AccessExpiry), slog.Time("refresh_expiry", s.RefreshExpiry))
}

// Format prints s without its tokens, whatever the verb.
func (s Session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintract.Session{UserID:%d, Username:%q, UserType:%s, Access:%s, Refresh:%s, AccessExpiry:%s}",
		s.UserID, s.Username, s.UserType, redact.Masked(s.Access), redact.Masked(s.Refresh), s.AccessExpiry.Format(time.RFC3339))
}

// Session returns the current session, and false before a login.
func (c *Client) Session() (Session, bool) {
	t := c.tokens.Current()
	if t == nil {
		return Session{}, false
	}
	return sessionOf(t), true
}

// sessionOf is the session t holds, its user included.
func sessionOf(t *credential.Token) Session {
	s := Session{Access: t.Access, Refresh: t.Refresh, AccessExpiry: t.AccessExpiry, RefreshExpiry: t.RefreshExpiry}
	if u, ok := t.Facts.(*SessionUser); ok {
		s.SessionUser = *u
	}
	return s
}

func (c *Client) restore(s Session) { c.tokens.Store(s.token()) }

// token is s as the cache holds it. A saved session's tokens were not
// just issued: their expiries are the saved ones, else their exp claims.
func (s Session) token() *credential.Token {
	u := s.SessionUser
	t := &credential.Token{Access: s.Access, Refresh: s.Refresh, AccessExpiry: s.AccessExpiry, RefreshExpiry: s.RefreshExpiry, Facts: &u}
	if t.AccessExpiry.IsZero() {
		t.AccessExpiry, _ = jwt.Expiry(s.Access)
	}
	if t.RefreshExpiry.IsZero() {
		t.RefreshExpiry, _ = jwt.Expiry(s.Refresh)
	}
	if t.Access == "" {
		t.AccessExpiry = time.Unix(1, 0) // refresh before the first call
	}
	return t
}

type loginBody struct {
	Email    string   `json:"email"`
	OTPType  OTPType  `json:"otpType"`
	UserType UserType `json:"userType,omitempty"`
	Password string   `json:"password"`
}

// Login sends login step 1 (POST /auth/login/): the server checks the
// password and sends an OTP by email or SMS. Finish with VerifyOTP. It is
// never retried automatically: each call sends a new OTP and voids the last.
func (c *Client) Login(ctx context.Context, req LoginRequest) (*Challenge, error) {
	req, err := req.check("login")
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(loginBody{Email: req.Email, OTPType: req.OTPType, UserType: req.UserType, Password: req.Password})
	if err != nil {
		return nil, err
	}
	ch := &Challenge{Email: req.Email, OTPType: req.OTPType}
	err = c.t.Do(ctx, &transport.Op{
		Name: "login", Method: http.MethodPost, Path: "auth/login/", Body: body, ContentType: "application/json",
		Redact: []string{req.Password},
	}, func(r *transport.Response) error {
		var out struct {
			ID json.Number `json:"id"`
		}
		if err := decodeJSON(r, nil); err != nil {
			return err
		}
		if err := json.Unmarshal(unwrapData(r.Body), &out); err != nil {
			return shapeError(r, "no challenge id")
		}
		id, err := strconv.Atoi(out.ID.String())
		if err != nil || id <= 0 {
			return shapeError(r, "no challenge id")
		}
		ch.UserID = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	ch.SentAt = time.Now()
	return ch, nil
}

// unwrapData returns the object under "data", or body when there is none.
func unwrapData(body []byte) []byte {
	var w struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &w) == nil {
		if d := bytes.TrimSpace(w.Data); len(d) > 0 && d[0] == '{' {
			return d
		}
	}
	return body
}

type otpBody struct {
	OTP string `json:"otp"`
}

type verifiedLogin struct {
	ID                 json.Number         `json:"id"`
	CustomerID         envelope.FlexString `json:"customer_id"`
	Email              string              `json:"email"`
	Username           string              `json:"username"`
	VerificationStatus bool                `json:"verification_status"`
	UserType           UserType            `json:"user_type"`
	Tokens             struct {
		Refresh string `json:"refresh"`
		Access  string `json:"access"`
	} `json:"tokens"`
}

// VerifyOTP sends login step 2 (POST /auth/login/{id}/) and makes the
// returned tokens the client's session. The OTP is sent as a JSON string
// (the server never matches a number). Not retried automatically: an OTP
// is single-use.
func (c *Client) VerifyOTP(ctx context.Context, userID int, otp string) (Session, error) {
	t, err := c.verify(ctx, userID, otp)
	if err != nil {
		return Session{}, err
	}
	c.tokens.Publish(ctx, t, "login")
	return sessionOf(t), nil
}

// verify sends login step 2 and returns the session, its user included.
func (c *Client) verify(ctx context.Context, userID int, otp string) (*credential.Token, error) {
	otp = strings.TrimSpace(otp)
	switch {
	case userID <= 0:
		return nil, invalid("verify_otp", "id", "the challenge's user id is required")
	case otp == "":
		return nil, invalid("verify_otp", "otp", "an OTP is required")
	case len(otp) > 32:
		return nil, invalid("verify_otp", "otp", "not an OTP")
	}
	body, err := json.Marshal(otpBody{OTP: otp})
	if err != nil {
		return nil, err
	}
	var v verifiedLogin
	var date time.Time
	err = c.t.Do(ctx, &transport.Op{
		Name: "verify_otp", Method: http.MethodPost, Path: "auth/login/" + strconv.Itoa(userID) + "/",
		Body: body, ContentType: "application/json", Redact: []string{otp},
	}, func(r *transport.Response) error {
		if err := decodeJSON(r, nil); err != nil {
			return err
		}
		if json.Unmarshal(unwrapData(r.Body), &v) != nil || v.Tokens.Access == "" || v.Tokens.Refresh == "" {
			return shapeError(r, "no tokens in the login answer")
		}
		date = jwt.ServerDate(r.Header.Get("Date"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	id, _ := strconv.Atoi(v.ID.String())
	if id == 0 {
		id = userID
	}
	u := &SessionUser{UserID: id, CustomerID: string(v.CustomerID), Email: v.Email, Username: v.Username,
		UserType: v.UserType, VerificationStatus: v.VerificationStatus}
	t := newToken(v.Tokens.Access, v.Tokens.Refresh, date)
	t.Facts = u
	return t, nil
}

// newToken reads both expiries from the JWTs' exp claims, on this
// machine's clock as the answer's Date header (date) places the server's.
func newToken(access, refresh string, date time.Time) *credential.Token {
	now := time.Now()
	t := &credential.Token{Access: access, Refresh: refresh, Obtained: now}
	t.AccessExpiry, _ = jwt.ExpiryOnArrival(access, now, date)
	t.RefreshExpiry, _ = jwt.ExpiryOnArrival(refresh, now, date)
	return t
}

type refreshBody struct {
	Refresh string `json:"refresh"`
}

func (c *Client) refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	body, err := json.Marshal(refreshBody{Refresh: cur.Refresh})
	if err != nil {
		return nil, err
	}
	var out struct {
		Access  string `json:"access"`
		Refresh string `json:"refresh"`
	}
	var date time.Time
	err = c.t.Do(ctx, &transport.Op{
		Name: "token_refresh", Method: http.MethodPost, Path: "api/token/refresh/", Body: body,
		ContentType: "application/json", Idempotent: true,
	}, func(r *transport.Response) error {
		if err := decodeJSON(r, &out); err != nil {
			return err
		}
		if out.Access == "" {
			return shapeError(r, "no access token")
		}
		date = jwt.ServerDate(r.Header.Get("Date"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Refresh == "" {
		out.Refresh = cur.Refresh // simplejwt without rotation keeps the refresh token
	}
	return newToken(out.Access, out.Refresh, date), nil
}

// relogin logs in again with the stored credentials, asking the OTP
// callback for the code.
func (c *Client) relogin(ctx context.Context) (*credential.Token, error) {
	if c.cfg.login == nil || c.cfg.otp == nil {
		return nil, fmt.Errorf("%w: a new login needs an OTP; configure fintract.WithCredentials and fintract.WithOTPCallback, or call Login and VerifyOTP: %w",
			banklink.ErrReauthRequired, credential.ErrNoLogin)
	}
	ch, err := c.Login(ctx, *c.cfg.login)
	if err != nil {
		return nil, err
	}
	otp, err := c.cfg.otp(ctx, *ch)
	if err != nil {
		return nil, fmt.Errorf("fintract: OTP callback: %w", err)
	}
	return c.verify(ctx, ch.UserID, otp)
}

// source lets the credential cache refresh and log in through the client.
type source struct{ c *Client }

func (s source) Refresh(ctx context.Context, cur *credential.Token) (*credential.Token, error) {
	return s.c.refresh(ctx, cur)
}

func (s source) Login(ctx context.Context) (*credential.Token, error) { return s.c.relogin(ctx) }

// LoginKind: a login needs an OTP, so a person, when the client can ask
// for one at all.
func (s source) LoginKind() credential.LoginKind {
	if s.c.cfg.login == nil || s.c.cfg.otp == nil {
		return credential.LoginImpossible
	}
	return credential.LoginPerson
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
