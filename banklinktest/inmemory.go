package banklinktest

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// InMemoryTransport returns an http.RoundTripper that serves each request
// with h in this process: no socket, no listener, no goroutine of its own
// but the one serving a request while it runs. Give it to a client with
// [banklink.WithTransport]; the fakes' Transport methods return one for
// their handler. Inside a testing/synctest bubble, whole fleets of clients
// and a fake then run on the bubble's fake clock.
//
// It answers as net/http's server would where a client can tell: a Date
// header, a 200 when the handler writes nothing, the body streamed as the
// handler writes it (a client that stops reading holds the handler), the
// request's context ended when the client gives up, and a handler that
// aborts (http.ErrAbortHandler, a dropped connection) seen as a broken
// connection.
func InMemoryTransport(h http.Handler) http.RoundTripper { return memTransport{h} }

type memTransport struct{ h http.Handler }

// errDropped is a handler that aborted: the client sees a broken connection.
var errDropped = errors.New("banklinktest: connection dropped by the in-memory server")

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	pr, pw := io.Pipe()
	w := &memWriter{header: http.Header{}, body: pw, ready: make(chan struct{})}
	sreq := req.Clone(req.Context())
	sreq.RequestURI, sreq.RemoteAddr = req.URL.RequestURI(), "127.0.0.1:1"
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				w.abort()
				pw.CloseWithError(errDropped)
				return
			}
			w.WriteHeader(http.StatusOK) // a handler that wrote nothing
			pw.Close()
		}()
		m.h.ServeHTTP(w, sreq)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	if w.dropped {
		pr.Close()
		return nil, errDropped
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		Status: http.StatusText(w.status), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Body: pr, ContentLength: -1, Request: req,
	}, nil
}

// memWriter is the handler's side: headers are sent (ready closed) on the
// first WriteHeader or Write, the body through the pipe.
type memWriter struct {
	header  http.Header
	sent    http.Header
	status  int
	body    *io.PipeWriter
	once    sync.Once
	ready   chan struct{}
	dropped bool
}

func (w *memWriter) Header() http.Header { return w.header }

func (w *memWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status, w.sent = status, w.header.Clone()
		if w.sent.Get("Date") == "" {
			w.sent.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		}
		close(w.ready)
	})
}

func (w *memWriter) abort() {
	w.once.Do(func() { w.dropped = true; close(w.ready) })
}

func (w *memWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Flush is a no-op: every Write reaches the client as it is made.
func (w *memWriter) Flush() {}
