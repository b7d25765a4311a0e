package fintract

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// DefaultBaseURL is the API's documented base URL.
const DefaultBaseURL = "https://api.globalbanking.fintractglobal.com/"

// Option configures a Client: the banklink options (base URL, HTTP client,
// retries, logger, …) and this package's WithSession, WithCredentials and
// WithOTPCallback.
type Option = banklink.Option

// Client calls the Fintract auth API. It is safe for concurrent use.
type Client struct {
	t      *transport.Transport
	tokens *credential.Cache
	cfg    *config // behind a pointer: printing a Client never shows a secret
}

type config struct {
	session *Session
	login   *LoginRequest
	otp     OTPFunc
}

// New returns a client for DefaultBaseURL or the base URL given with
// [banklink.WithBaseURL]. Nothing is sent until the first call.
func New(opts ...Option) (*Client, error) {
	c := &Client{cfg: &config{}}
	s, err := transport.Collect(c.cfg, opts)
	if err != nil {
		return nil, errs.Config("fintract", err)
	}
	var secrets []string
	if c.cfg.login != nil {
		secrets = append(secrets, c.cfg.login.Password)
	}
	c.t, err = transport.New(transport.Config{
		Provider:       "fintract",
		DefaultBaseURL: DefaultBaseURL,
		Scheme:         transport.SchemeBearer,
		Secrets:        secrets,
		Rejected:       tokenRefused,
	}, s)
	if err != nil {
		return nil, err
	}
	// Access tokens live 5 minutes: refresh in their last minute (or last
	// quarter), wait within 5s of exp. A renewal may have to wait for a
	// person to type an OTP, so it may take as long as an OTP lives.
	policy := credential.Policy{Margin: time.Minute, Skew: 5 * time.Second, Timeout: 10 * time.Minute}
	c.tokens = credential.NewCache(source{c}, policy, s.Logger, "fintract")
	c.tokens.ShareAs(s, codec{})
	c.t.SetTokens(c.tokens)
	if c.cfg.session != nil {
		c.restore(*c.cfg.session)
	}
	return c, nil
}

// CloseIdleConnections closes idle keep-alive connections: those of the
// RoundTripper the client was given, else those of the pool every default
// client shares (at once when no call is in flight on that pool, else when
// the last call in flight has its answer, so no other client's call loses
// an answer to the close). A client owns nothing else and needs no Close:
// one that is dropped holds no goroutine and no connection.
func (c *Client) CloseIdleConnections() { c.t.CloseIdleConnections() }

// LogValue is what any slog handler prints of the client: its base URL,
// never a credential.
func (c *Client) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// Format prints the client's base URL only, whatever the verb: a client
// holds credentials.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "fintract.Client{%s}", c.t.BaseURL()) }

// Format keeps the configuration's credentials out of any printing.
func (c *config) Format(f fmt.State, _ rune) { fmt.Fprint(f, "fintract.config{[REDACTED]}") }
