package dfcu

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// Option configures a Client: the banklink options (base URL, HTTP client,
// retries, logger, …) and this package's WithCredentials and WithSession.
type Option = banklink.Option

// Client calls the DFCU loans API. It is safe for concurrent use; create
// one per base URL and set of credentials and reuse it.
type Client struct {
	t      *transport.Transport
	tokens *credential.Cache
	cfg    *config // behind a pointer: printing a Client never shows the password
}

// config is filled by this package's options.
type config struct {
	username, password string
	session            *Session
}

// New returns a client. It needs a base URL ([banklink.WithBaseURL]) and
// credentials (WithCredentials), a saved session (WithSession), or both.
// Nothing is sent until the first call.
func New(opts ...Option) (*Client, error) {
	cfg := &config{}
	s, err := transport.Collect(cfg, opts)
	if err != nil {
		return nil, errs.Config("dfcu", err)
	}
	if cfg.username == "" && cfg.session == nil {
		return nil, errs.Config("dfcu", errors.New("no credentials: use dfcu.WithCredentials or dfcu.WithSession"))
	}
	c := &Client{cfg: cfg}
	c.t, err = transport.New(transport.Config{
		Provider: "dfcu",
		Scheme:   transport.SchemeBearer,
		Secrets:  []string{cfg.password},
		Rejected: tokenRefused,
	}, s)
	if err != nil {
		return nil, err
	}
	// Refresh a minute before the access token's exp (or at three quarters
	// of a short token's life); within 5s of exp, wait for the refresh.
	policy := credential.Policy{Margin: time.Minute, Skew: 5 * time.Second, Timeout: 30 * time.Second}
	c.tokens = credential.NewCache(source{c}, policy, s.Logger, "dfcu")
	c.tokens.ShareAs(s, codec{})
	c.t.SetTokens(c.tokens)
	if cfg.session != nil {
		c.tokens.Store(cfg.session.token())
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

// tokenRefused reports whether err is the server refusing the access token
// in a way a refresh can cure: any 401 but a deleted or inactive user.
func tokenRefused(err error) bool {
	var e *banklink.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized {
		return false
	}
	return e.Code != "user_not_found" && e.Code != "user_inactive"
}

// LogValue is what any slog handler prints of the client: its base URL,
// never a credential.
func (c *Client) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// Format prints the client's base URL only, whatever the verb: a client
// holds credentials.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "dfcu.Client{%s}", c.t.BaseURL()) }

// Format keeps the configuration's credentials out of any printing.
func (c *config) Format(f fmt.State, _ rune) { fmt.Fprint(f, "dfcu.config{[REDACTED]}") }
