package dfcu_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

func TestDoCallsAnyEndpointWithTheSession(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	type loans struct {
		Response struct {
			Name string `json:"customer_name"`
		} `json:"response"`
	}
	got, err := dfcu.Do[loans](ctx, c, banklink.Request{Method: "POST", Path: "/api/accounts/loans/",
		Body: map[string]string{"account": dfcutest.AccountWithLoans}, Auth: true})
	require.NoError(t, err)
	assert.Equal(t, "Paul Logan", got.Response.Name)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken), "logged in first")

	// Without Auth the server refuses, and the error is the shared one.
	_, err = dfcu.Do[loans](ctx, c, banklink.Request{Method: "POST", Path: "api/accounts/loans/", Body: map[string]string{"account": "x"}})
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, "dfcu", e.Provider)
	assert.Equal(t, "custom", e.Op)

	for _, bad := range []banklink.Request{{Path: "x/"}, {Method: "GET", Path: "../token/"}, {Method: "GET", Path: "a?b=1"}, {Method: "GET", Path: "https://evil.example/"}} {
		_, err := dfcu.Do[loans](ctx, c, bad)
		require.ErrorIs(t, err, banklink.ErrInvalidRequest, "%+v", bad)
	}
	assert.Equal(t, 2, srv.Calls(dfcutest.RouteLoans), "nothing sent for refused input")
}
