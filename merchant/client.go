package merchant

import (
	"fmt"
	"log/slog"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/transport"
)

// DefaultBaseURL is the wallet API's base URL, for sandbox and live
// merchants alike (the mode is a property of the merchant).
const DefaultBaseURL = "https://payment.xpress-wallet.com/api/v1/"

// Option configures a Client or NIPClient: the banklink options and this
// package's WithCredentials, WithSession and WithNIPCredentials.
type Option = banklink.Option

// Client calls the wallet's auth API. It is safe for concurrent use.
type Client struct {
	t      *transport.Transport
	tokens *credential.Cache
	cfg    *config // behind a pointer: printing a Client never shows a secret
}

type config struct {
	email, password string
	session         *Session
}

// New returns a wallet client for DefaultBaseURL or the base URL given
// with [banklink.WithBaseURL]. Nothing is sent until the first call.
func New(opts ...Option) (*Client, error) {
	c := &Client{cfg: &config{}}
	s, err := transport.Collect(c.cfg, opts)
	if err != nil {
		return nil, errs.Config("merchant", err)
	}
	c.t, err = transport.New(transport.Config{
		Provider:       "merchant",
		DefaultBaseURL: DefaultBaseURL,
		Scheme:         transport.SchemeHeaderPair,
		Secrets:        []string{c.cfg.password, b64(c.cfg.password), b64(c.cfg.email)},
		Rejected:       sessionRefused,
	}, s)
	if err != nil {
		return nil, err
	}
	// The tokens are opaque: no expiry to read, so renewal happens only
	// when the wallet refuses them. A refresh token is single-use.
	c.tokens = credential.NewCache(source{c}, credential.Policy{SingleUse: true}, s.Logger, "merchant")
	c.tokens.ShareAs(s, codec{})
	c.t.SetTokens(c.tokens)
	if c.cfg.session != nil {
		c.tokens.Store(&credential.Token{Access: c.cfg.session.Access, Refresh: c.cfg.session.Refresh})
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
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "merchant.Client{%s}", c.t.BaseURL()) }

// Format keeps the configuration's credentials out of any printing.
func (c *config) Format(f fmt.State, _ rune) { fmt.Fprint(f, "merchant.config{[REDACTED]}") }
