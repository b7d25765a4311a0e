package fintract_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
)

func TestDoCallsAnyEndpointWithTheSession(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	s := login(t, c, srv, customerLogin)
	got, err := fintract.Do[map[string]any](context.Background(), c, banklink.Request{Method: "GET",
		Path: "auth/info/" + strconv.Itoa(s.UserID) + "/", Auth: true, Idempotent: true})
	require.NoError(t, err)
	assert.NotEmpty(t, got)

	_, err = fintract.Do[map[string]any](context.Background(), c, banklink.Request{Method: "GET", Path: "auth/info/999999/", Auth: true})
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "fintract", e.Provider)
	assert.Equal(t, "custom", e.Op)
	assert.NotZero(t, e.StatusCode)
}
