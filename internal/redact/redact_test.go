package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStringMasksJWTsAndSecrets(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJl"
	got := String("token "+jwt+" and pass hunter22 and ab", "hunter22", "ab", "")
	assert.Equal(t, "token [REDACTED] and pass [REDACTED] and ab", got)
	assert.Equal(t, "", String(""))
}

func TestSnippetBoundsAndFlattens(t *testing.T) {
	body := []byte("<html>\n\n  <title>KeyError</title>\x00\xff" + strings.Repeat("x", 600))
	got := Snippet(body, 64, "KeyError")
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.NotContains(t, got, "\n")
	assert.NotContains(t, got, "KeyError")
	assert.Contains(t, got, "<html> <title>[REDACTED]</title>??")
	assert.LessOrEqual(t, len(got), 64+len("…")+len(Mask))
	assert.Equal(t, "ok", Snippet([]byte(" ok \n"), 64))
}
