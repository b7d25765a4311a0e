package banklink_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// #22.3: a refusal is recognised by the provider's refusal shape (Fintiv's
// OAuth error, the wallet's {"status": false}); a firewall's HTML page
// answering 401 or 403 in front of the token endpoint is not one: it is
// an answer of the wrong shape, named, with what to check.
func TestAFirewallPageIsNoRefusal(t *testing.T) {
	waf := banklinktest.Fault{Status: 403, ContentType: "text/html", Body: "<html><head><title>Request blocked</title></head><body>Access denied</body></html>"}
	check := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		assert.NotErrorIs(t, err, banklink.ErrUnauthorized)
		assert.NotErrorIs(t, err, banklink.ErrForbidden)
		assert.NotErrorIs(t, err, banklink.ErrSessionExpired)
		assert.ErrorIs(t, err, banklink.ErrServerError)
		var e *banklink.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "not_an_api_answer", e.Code)
		assert.Contains(t, e.Message, "Request blocked")
		assert.Contains(t, e.Message, "proxy or firewall")
	}
	t.Run("fintiv", func(t *testing.T) {
		srv := fintivtest.NewServer(fintivtest.InMemory())
		srv.InjectFaults(fintivtest.RouteToken, waf)
		c, err := fintiv.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant), fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))
		require.NoError(t, err)
		_, err = c.Login(context.Background())
		check(t, err)
	})
	t.Run("merchant", func(t *testing.T) {
		w := merchanttest.NewWallet(merchanttest.InMemory())
		w.InjectFaults(merchanttest.RouteLogin, waf)
		c, err := merchant.New(banklink.WithBaseURL(w.URL), banklink.WithTransport(w.Transport()), merchant.WithCredentials(merchanttest.Email, merchanttest.Password))
		require.NoError(t, err)
		_, err = c.Login(context.Background())
		check(t, err)
	})
}
