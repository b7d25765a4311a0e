// Package upload builds streamed multipart/form-data bodies: the file is
// read while the request is sent, so memory does not grow with its size,
// and the body is produced afresh for each attempt when the source can be
// read again.
package upload

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
)

// Source is what a caller uploads: Body or Open, not both.
type Source struct {
	Name        string
	ContentType string
	Body        io.Reader
	Open        func() (io.ReadCloser, error)
	Size        int64
	// Progress, when set, is told the content bytes read so far and the
	// total (-1 when unknown), from 0 again on each attempt.
	Progress func(sent, total int64)
}

// ErrNotRewindable is returned when a one-shot reader is asked for twice.
var ErrNotRewindable = errors.New("upload: the source is a plain io.Reader and cannot be read a second time")

// Body is a prepared multipart body.
type Body struct {
	// ContentType is the request's Content-Type, with the boundary.
	ContentType string
	// Length is the body's exact length, or 0 when unknown (sent chunked).
	Length int64
	// Rewindable reports whether Open can be called more than once.
	Rewindable bool

	prefix, suffix []byte
	open           func() (io.Reader, io.Closer, error)
	progress       func(sent, total int64)
	size           int64 // the content's, -1 when unknown
}

// Prepare checks src and builds the multipart framing around it for the
// form field. It reads at most 512 bytes of a plain reader (to sniff its
// content type, when none is given and the name's extension says nothing).
func Prepare(field string, src Source) (*Body, error) {
	if err := checkName(src.Name); err != nil {
		return nil, err
	}
	if (src.Body == nil) == (src.Open == nil) {
		return nil, errors.New("upload: set exactly one of Body and Open")
	}
	if src.Size < 0 {
		return nil, errors.New("upload: Size must not be negative")
	}
	if err := checkContentType(src.ContentType); err != nil {
		return nil, err
	}
	b := &Body{}
	ct := src.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(filepath.Ext(src.Name)))
	}
	size := src.Size
	switch {
	case src.Open != nil:
		b.Rewindable = true
		if ct == "" {
			head, err := sniffOpen(src.Open)
			if err != nil {
				return nil, err
			}
			ct = http.DetectContentType(head)
		}
		b.open = func() (io.Reader, io.Closer, error) {
			rc, err := src.Open()
			return rc, rc, err
		}
	case seekable(src.Body):
		rs := src.Body.(io.ReadSeeker)
		start, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		size = end - start
		if ct == "" {
			head := make([]byte, 512)
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("upload: %w", err)
			}
			n, _ := io.ReadFull(rs, head)
			ct = http.DetectContentType(head[:n])
		}
		b.Rewindable = true
		b.open = func() (io.Reader, io.Closer, error) {
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, nil, err
			}
			return io.LimitReader(rs, size), nil, nil
		}
	default:
		r := src.Body
		if ct == "" {
			head := make([]byte, 512)
			n, err := io.ReadFull(r, head)
			if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
				return nil, fmt.Errorf("upload: %w", err)
			}
			ct = http.DetectContentType(head[:n])
			r = io.MultiReader(bytes.NewReader(head[:n]), r)
		}
		var once sync.Once
		b.open = func() (io.Reader, io.Closer, error) {
			var out io.Reader
			once.Do(func() { out = r })
			if out == nil {
				return nil, nil, ErrNotRewindable
			}
			return out, nil, nil
		}
	}
	if err := b.frame(field, src.Name, ct); err != nil {
		return nil, err
	}
	b.progress, b.size = src.Progress, -1
	if size > 0 || (size == 0 && b.Rewindable && src.Open == nil) {
		b.Length = int64(len(b.prefix)) + size + int64(len(b.suffix))
		b.size = size
	}
	return b, nil
}

// Open returns the whole body for one attempt: framing and content.
func (b *Body) Open() (io.Reader, error) {
	content, closer, err := b.open()
	if err != nil {
		return nil, err
	}
	if b.progress != nil {
		b.progress(0, b.size)
		content = &counting{r: content, total: b.size, report: b.progress}
	}
	r := io.MultiReader(bytes.NewReader(b.prefix), content, bytes.NewReader(b.suffix))
	if closer == nil {
		return r, nil
	}
	return readCloser{r, closer}, nil
}

// counting reports the bytes read through it.
type counting struct {
	r      io.Reader
	sent   int64
	total  int64
	report func(sent, total int64)
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.sent += int64(n)
		c.report(c.sent, c.total)
	}
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (b *Body) frame(field, name, ct string) error {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	boundary := "banklink-" + hex.EncodeToString(rnd[:])
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return err
	}
	h := textproto.MIMEHeader{}
	// The form browsers and multipart.Writer.CreateFormFile send, which
	// every server parses: quoted values, name first.
	h.Set("Content-Disposition", `form-data; name="`+quoteEscaper.Replace(field)+`"; filename="`+quoteEscaper.Replace(name)+`"`)
	h.Set("Content-Type", ct)
	if _, err := w.CreatePart(h); err != nil {
		return err
	}
	b.prefix = buf.Bytes()
	b.suffix = []byte("\r\n--" + boundary + "--\r\n")
	b.ContentType = w.FormDataContentType()
	return nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// seekable reports whether r can be read again: an io.ReadSeeker whose
// Seek works. An *os.File on a pipe or a terminal (os.Stdin under
// "cat f | prog") has the method but fails with "illegal seek": it is
// streamed once like a plain reader.
func seekable(r io.Reader) bool {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		return false
	}
	_, err := rs.Seek(0, io.SeekCurrent)
	return err == nil
}

// checkContentType refuses a part content type that would reach the
// wire as structure (a CR or LF would start another part header) or is
// not a media type at all.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	if strings.ContainsFunc(ct, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
		return errors.New("upload: the content type holds control characters")
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return errors.New("upload: the content type is not a media type")
	}
	return nil
}

func sniffOpen(open func() (io.ReadCloser, error)) ([]byte, error) {
	rc, err := open()
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(rc, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("upload: %w", err)
	}
	return head[:n], nil
}

// checkName refuses names that are empty, too long or hold control
// characters (a CR or LF would break the part's headers).
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("upload: a file name is required")
	case len(name) > 255:
		return errors.New("upload: the file name is longer than 255 bytes")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("upload: the file name holds control characters")
	}
	return nil
}
