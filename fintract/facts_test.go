package fintract_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// Regression (#23.7): Register returned IsActive false and AdminApproved
// false when the server's answer did not carry them (the server had
// stored both as true). A field the server did not send is unknown (nil),
// never a made-up false; one it sent is what it said.
func TestRegisterReportsOnlyWhatTheServerSaid(t *testing.T) {
	srv := newFake(t)
	srv.Handle(fintracttest.RouteRegister, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": 9, "email": "new.user@example.com", "username": "newuser", "is_verified": false}`)
	}))
	c := newClient(t, srv)
	u, err := c.Register(context.Background(), fintract.RegisterRequest{Email: "new.user@example.com", Username: "newuser",
		Name: "New User", Password: "s3cret-pass", Password2: "s3cret-pass", Phone: "0700000001"})
	require.NoError(t, err)
	require.NotNil(t, u.IsVerified, "sent: known")
	assert.False(t, *u.IsVerified)
	assert.Nil(t, u.AdminApproved, "not sent: unknown")
	assert.Nil(t, u.IsActive, "not sent: unknown")
}
