package transport

import (
	"net/http"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/redact"
)

// snippetBytes bounds what an error keeps of a response body.
const snippetBytes = 512

// Response is what a provider decoder sees of the final HTTP response.
// Body is valid only while the decoder runs: decoders copy what they keep.
// Its metadata is the public type, whose Header stays nil here: the raw
// answer's headers (credentials included) are Header, a field of its own,
// so copying the embedded metadata into an error or a capture can never
// carry them. Info is what an error may keep.
type Response struct {
	banklink.ResponseInfo
	Header http.Header
	Body   []byte

	t    *Transport
	op   *Op
	sent *credential.Token // the session the call carried, a secret too
}

// Info returns the facts an API error records, with a redacted body snippet.
func (r *Response) Info() errs.ResponseInfo {
	info := errs.ResponseInfo{
		StatusCode: r.StatusCode,
		Method:     r.Method,
		Path:       r.Path,
		RequestID:  requestID(r.Header),
		Snippet:    r.snippet(),
		Attempts:   r.Attempts,
	}
	if d, ok := retryAfter(r.Header, time.Now()); ok {
		info.RetryAfter = d
	}
	return info
}

// snippet is what an error keeps of the body: a Django debug page's first
// line only (the rest is the server's paths and settings), else the
// redacted start of the body.
func (r *Response) snippet() string {
	if line, ok := envelope.DjangoDebug(r.Body); ok {
		return redact.String(line, r.t.secrets(r.op, r.sent)...)
	}
	return redact.Snippet(r.Body, snippetBytes, r.t.secrets(r.op, r.sent)...)
}

// Redact removes the client's secrets and any JWT from s.
func (r *Response) Redact(s string) string { return redact.String(s, r.t.secrets(r.op, r.sent)...) }

// RedactFields removes secrets from field error messages (a server may
// echo a value back), in place, and returns the map.
func (r *Response) RedactFields(fields map[string][]string) map[string][]string {
	secrets := r.t.secrets(r.op, r.sent)
	for _, msgs := range fields {
		for i, m := range msgs {
			msgs[i] = redact.String(m, secrets...)
		}
	}
	return fields
}

func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid"} {
		if v := h.Get(k); v != "" {
			if len(v) > 128 {
				v = v[:128]
			}
			return v
		}
	}
	return ""
}

// Fail returns the *banklink.Error of this answer: the provider, the
// operation and the exchange's facts, with kind, code and message (the
// message redacted here).
func (r *Response) Fail(kind errs.Category, code, message string) *errs.Error {
	e := &errs.Error{
		Category:     kind,
		Code:         code,
		Message:      r.Redact(message),
		ResponseInfo: r.Info(),
	}
	if r.t != nil {
		e.Provider = r.t.cfg.Provider
	}
	if r.op != nil {
		e.Op = r.op.Name
	}
	return e
}
