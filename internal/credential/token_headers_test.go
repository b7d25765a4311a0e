package credential

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The header values a token builds once are its own: a copy made by With
// with other tokens carries the copy's values, never the original's.
func TestHeaderValuesFollowTheTokens(t *testing.T) {
	a := (&Token{Access: "a1", Refresh: "r1"}).seal()
	access, refresh := a.PairHeader()
	assert.Equal(t, []string{"a1"}, access)
	assert.Equal(t, []string{"r1"}, refresh)
	assert.Equal(t, []string{"Bearer a1"}, a.BearerHeader())

	b := a.With(func(t *Token) { t.Access, t.Refresh = "a2", "r2" })
	access, refresh = b.PairHeader()
	assert.Equal(t, []string{"a2"}, access)
	assert.Equal(t, []string{"r2"}, refresh)
	assert.Equal(t, []string{"Bearer a2"}, b.BearerHeader())

	unsealed := &Token{Access: "a3", Refresh: "r3"}
	access, refresh = unsealed.PairHeader()
	assert.Equal(t, []string{"a3"}, access)
	assert.Equal(t, []string{"r3"}, refresh)
}

// A token logged through slog's JSON handler shows no secret.
func TestTokenLoggedAsJSONShowsNoSecret(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	tok := &Token{Access: "access-secret-value", Refresh: "refresh-secret-value"}
	l.Info("renewed", "token", tok, "value", *tok)
	assert.Contains(t, buf.String(), "credential.Token")
	assert.NotContains(t, buf.String(), "access-secret-value")
	assert.NotContains(t, buf.String(), "refresh-secret-value")
}
