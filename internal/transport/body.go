package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/banklink/banklink-go/internal/errs"
)

// readLimited reads body, which yields at most limit+1 bytes, into buf,
// failing with ErrResponseTooLarge past limit.
func readLimited(buf *bytes.Buffer, body io.Reader, declared, limit int64, method, path string) error {
	if declared > limit {
		return tooLarge(method, path, limit)
	}
	if declared > 0 {
		buf.Grow(int(declared))
	}
	n, err := buf.ReadFrom(body)
	if n > limit {
		return tooLarge(method, path, limit)
	}
	return err
}

func tooLarge(method, path string, limit int64) error {
	return fmt.Errorf("%w: %s %s answered with a body over %d bytes", errs.ErrResponseTooLarge, method, path, limit)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
