package credential

import (
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
