package redact

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

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

// Regression (#11.4): the snippet was cut before it was redacted, so a
// secret straddling the cut showed its prefix; JSON-escaped, form-encoded
// and base64 echoes were not redacted at all.
func TestSnippetRedactsEveryFormBeforeCutting(t *testing.T) {
	secret := "pässw0rd/+&\"x"
	body := strings.Repeat("a", 60) + secret
	got := Snippet([]byte(body), 64, secret)
	assert.NotContains(t, got, "päss", "a secret's prefix survived the cut")
	assert.Equal(t, strings.Repeat("a", 60)+"[RED…", got)

	for _, echo := range []string{
		`{"password":"p\u00e4ssw0rd/+&\"x"}`,  // Python's json.dumps
		`{"password":"pässw0rd/+\u0026\"x"}`,  // Go's encoding/json
		`password=p%C3%A4ssw0rd%2F%2B%26%22x`, // a form body
		"pw " + base64.StdEncoding.EncodeToString([]byte(secret)),
		"pw " + base64.RawURLEncoding.EncodeToString([]byte(secret)),
	} {
		got := Snippet([]byte(echo), 512, secret)
		assert.Contains(t, got, Mask, echo)
		for _, f := range Forms(secret) {
			assert.NotContains(t, got, f, echo)
		}
	}
}

func TestSnippetCutsOnARuneBoundary(t *testing.T) {
	got := Snippet([]byte(strings.Repeat("é", 40)), 9)
	assert.True(t, utf8.ValidString(got))
	assert.Equal(t, "éééé…", got)
}

// #22.2: the forms a server may echo a secret in beyond JSON, form, path
// and base64: HTML-escaped (named, hex and decimal entities) and PHP's
// JSON with "/" escaped.
func TestStringRedactsHTMLAndSlashEscapedForms(t *testing.T) {
	secret := `p&ss<w>rd"'/x`
	for _, echoed := range []string{
		`p&amp;ss&lt;w&gt;rd&#34;&#39;/x`,   // Go's html.EscapeString
		`p&amp;ss&lt;w&gt;rd&quot;&#x27;/x`, // named and hex entities
		`p&#38;ss&#60;w&#62;rd&#34;&#39;/x`, // decimal entities
		`p\u0026ss\u003cw\u003erd\"'\/x`,    // PHP: "/" escaped too
	} {
		out := String("echo: "+echoed+" end", secret)
		if strings.Contains(out, "ss") {
			t.Errorf("%q survived as %q", echoed, out)
		}
	}
	if got := StripQueries(`malformed HTTP status code "/auth/oauth/check_token?token=abc.def"`); got != `malformed HTTP status code "/auth/oauth/check_token"` {
		t.Errorf("StripQueries: %q", got)
	}
}

// BenchmarkString redacts an error body echoing a token, with a call's
// usual secrets (a password, an access and a refresh token).
func BenchmarkString(b *testing.B) {
	body := `{"error":"invalid token","token":"a1b2c3d4e5f6a7b8c9d0","hint":"log in again"}`
	secrets := []string{"correct horse battery staple", "a1b2c3d4e5f6a7b8c9d0", "f0e9d8c7b6a5f4e3d2c1"}
	b.ReportAllocs()
	for b.Loop() {
		_ = String(body, secrets...)
	}
}
