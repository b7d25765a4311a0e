package transport

import (
	"bytes"
	"fmt"
	"io"

	"github.com/banklink/banklink-go/internal/errs"
)

// readLimited reads body into buf, failing with ErrResponseTooLarge past limit.
func readLimited(buf *bytes.Buffer, body io.Reader, declared, limit int64, method, path string) error {
	if declared > limit {
		return tooLarge(method, path, limit)
	}
	if declared > 0 {
		buf.Grow(int(declared))
	}
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if n > limit {
		return tooLarge(method, path, limit)
	}
	return err
}

func tooLarge(method, path string, limit int64) error {
	return fmt.Errorf("%w: %s %s answered with a body over %d bytes", errs.ErrResponseTooLarge, method, path, limit)
}
