package fintiv

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

// DevBaseURL is the provider's development gateway. Production gateways
// differ: pass yours with [banklink.WithBaseURL].
const DevBaseURL = "https://api-dev.fintiv.co:8080/"

// Option configures a Client: the banklink options (base URL, HTTP client,
// retries, logger, …) and this package's WithAPIKey, WithTenant,
// WithCredentials and WithSession.
type Option = banklink.Option

// Client calls the Fintiv authentication service. It is safe for
// concurrent use.
type Client struct {
	t      *transport.Transport
	tokens *credential.Cache
	cfg    *config // behind a pointer: printing a Client never shows a secret
}

type config struct {
	apiKey, tenant     string
	username, password string
	session            *Session
}

// New returns a client. It needs the base URL ([banklink.WithBaseURL]) and
// the APP key (WithAPIKey). Nothing is sent until the first call.
func New(opts ...Option) (*Client, error) {
	c := &Client{cfg: &config{}}
	s, err := transport.Collect(c.cfg, opts)
	if err != nil {
		return nil, errs.Config("fintiv", err)
	}
	if c.cfg.apiKey == "" {
		return nil, errs.Config("fintiv", errors.New("no APP key: use fintiv.WithAPIKey"))
	}
	headers := http.Header{"Api-Key": {c.cfg.apiKey}}
	if c.cfg.tenant != "" {
		headers["Tenantname"] = []string{c.cfg.tenant}
	}
	c.t, err = transport.New(transport.Config{
		Provider:      "fintiv",
		Scheme:        transport.SchemeBearer,
		SecretHeaders: headers,
		Secrets:       []string{c.cfg.apiKey, c.cfg.password},
		Rejected:      tokenRefused,
	}, s)
	if err != nil {
		return nil, err
	}
	// Tokens live about an hour (expires_in 3599): refresh in the last
	// minute, wait within 5s of expiry.
	policy := credential.Policy{Margin: time.Minute, Skew: 5 * time.Second, Timeout: 30 * time.Second}
	c.tokens = credential.NewCache(source{c}, policy, s.Logger, "fintiv")
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
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "fintiv.Client{%s}", c.t.BaseURL()) }

// Format keeps the configuration's credentials out of any printing.
func (c *config) Format(f fmt.State, _ rune) { fmt.Fprint(f, "fintiv.config{[REDACTED]}") }
