package upload

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse reads one attempt's body back as a server would.
func parse(t *testing.T, b *Body) (name, ct string, content []byte, total int64) {
	t.Helper()
	r, err := b.Open()
	require.NoError(t, err)
	raw, err := io.ReadAll(r)
	require.NoError(t, err)
	if c, ok := r.(io.Closer); ok {
		c.Close()
	}
	_, params, err := mime.ParseMediaType(b.ContentType)
	require.NoError(t, err)
	part, err := multipart.NewReader(bytes.NewReader(raw), params["boundary"]).NextPart()
	require.NoError(t, err)
	content, err = io.ReadAll(part)
	require.NoError(t, err)
	assert.Equal(t, "file", part.FormName())
	return part.FileName(), part.Header.Get("Content-Type"), content, int64(len(raw))
}

func TestSeekerIsRewoundAndMeasured(t *testing.T) {
	data := strings.Repeat("a,b,c\n", 1000)
	src := strings.NewReader("skip" + data)
	_, _ = src.Seek(4, io.SeekStart) // uploads from the current offset
	b, err := Prepare("file", Source{Name: "report.csv", Body: src})
	require.NoError(t, err)
	assert.True(t, b.Rewindable)
	for range 2 {
		name, ct, content, total := parse(t, b)
		assert.Equal(t, "report.csv", name)
		assert.Equal(t, "text/csv; charset=utf-8", ct)
		assert.Equal(t, data, string(content))
		assert.Equal(t, b.Length, total, "Content-Length is exact")
	}
}

func TestPlainReaderIsSniffedAndOneShot(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2000)...)
	b, err := Prepare("file", Source{Name: "avatar", Body: io.MultiReader(bytes.NewReader(png)), Size: int64(len(png))})
	require.NoError(t, err)
	assert.False(t, b.Rewindable)
	_, ct, content, total := parse(t, b)
	assert.Equal(t, "image/png", ct)
	assert.Equal(t, png, content, "the sniffed head is not lost")
	assert.Equal(t, b.Length, total)
	_, err = b.Open()
	assert.ErrorIs(t, err, ErrNotRewindable)

	unknown, err := Prepare("file", Source{Name: "x.bin", Body: io.MultiReader(strings.NewReader("abc"))})
	require.NoError(t, err)
	assert.Zero(t, unknown.Length, "no size given: sent chunked")
}

func TestOpenerIsReopenedPerAttempt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passport.pdf")
	require.NoError(t, os.WriteFile(path, []byte("%PDF-1.4 body"), 0o600))
	opens := 0
	b, err := Prepare("file", Source{Name: "passport.pdf", Open: func() (io.ReadCloser, error) { opens++; return os.Open(path) }, Size: 13})
	require.NoError(t, err)
	_, ct, content, total := parse(t, b)
	_, _, _, _ = parse(t, b)
	assert.Equal(t, "application/pdf", ct)
	assert.Equal(t, "%PDF-1.4 body", string(content))
	assert.Equal(t, b.Length, total)
	assert.Equal(t, 2, opens, "the extension gave the type: no sniffing open")
}

func TestNonASCIINamesAreEncoded(t *testing.T) {
	b, err := Prepare("file", Source{Name: `reçu "final".txt`, Body: strings.NewReader("x")})
	require.NoError(t, err)
	name, _, _, _ := parse(t, b)
	assert.Equal(t, `reçu "final".txt`, name)
}

func TestPrepareRefusesBadSources(t *testing.T) {
	for _, src := range []Source{
		{Name: "", Body: strings.NewReader("x")},
		{Name: "a\r\nX-Evil: 1", Body: strings.NewReader("x")},
		{Name: strings.Repeat("n", 256), Body: strings.NewReader("x")},
		{Name: "a"},
		{Name: "a", Body: strings.NewReader("x"), Open: func() (io.ReadCloser, error) { return nil, nil }},
		{Name: "a", Body: strings.NewReader("x"), Size: -1},
	} {
		_, err := Prepare("file", src)
		assert.Error(t, err, "%+v", src.Name)
	}
}

// Regression (#11.5b): an *os.File on a pipe (os.Stdin under
// "cat f | prog") was refused with "illegal seek"; it streams once.
func TestAPipeIsStreamedOnce(t *testing.T) {
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	go func() {
		pw.WriteString("from a pipe")
		pw.Close()
	}()
	b, err := Prepare("file", Source{Name: "in.txt", Body: pr})
	require.NoError(t, err)
	assert.False(t, b.Rewindable)
	assert.Zero(t, b.Length, "unknown length: sent chunked")
	_, _, content, _ := parse(t, b)
	assert.Equal(t, "from a pipe", string(content))
	_, err = b.Open()
	assert.ErrorIs(t, err, ErrNotRewindable)
}

// Regression (#11.4): a content type with CR/LF was written into the
// part header as given, injecting a second Content-Disposition.
func TestContentTypeCannotInjectHeaders(t *testing.T) {
	for _, ct := range []string{
		"image/png\r\nContent-Disposition: form-data; name=\"role\"",
		"text/plain\nX: y", "text/plain\x00", "not a type",
	} {
		_, err := Prepare("file", Source{Name: "a.png", ContentType: ct, Body: strings.NewReader("x")})
		assert.Error(t, err, "%q", ct)
	}
	_, err := Prepare("file", Source{Name: "a.png", ContentType: "image/png; charset=binary", Body: strings.NewReader("x")})
	assert.NoError(t, err)
}
