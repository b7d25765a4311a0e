package banklinktest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteServesFaultsInOrderThenTheHandler(t *testing.T) {
	var b Controls
	h := b.Route("r", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "real") })
	b.InjectFaults("r", Fault{Status: 503, RetryAfter: "2"}, Fault{Pass: true})
	b.InjectFaults(AnyRoute, Fault{Status: 502, Body: `{"x":1}`})

	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return rec
	}
	r1 := get()
	assert.Equal(t, 503, r1.Code)
	assert.Equal(t, "2", r1.Header().Get("Retry-After"))
	assert.Equal(t, "real", get().Body.String())
	r3 := get()
	assert.Equal(t, 502, r3.Code)
	assert.Equal(t, "application/json", r3.Header().Get("Content-Type"))
	assert.Equal(t, "real", get().Body.String())
	require.Equal(t, 4, b.Calls("r"))
	require.Equal(t, 4, b.Requests())
	b.ResetCounts()
	assert.Equal(t, 0, b.Calls("r"))
}

// zeros yields n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

// Regression (#12.4): latency and delay faults read the request body into
// memory and cut it at 8 MiB, so a larger upload arrived truncated and got
// an empty 200. The body now streams to the handler whatever is set.
func TestDelaysNeverTruncateABody(t *testing.T) {
	const size = 24 << 20
	var b Controls
	srv := httptest.NewServer(b.Route("up", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	}))
	defer srv.Close()
	post := func() string {
		resp, err := http.Post(srv.URL, "application/octet-stream", &zeros{size})
		require.NoError(t, err)
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return string(got)
	}
	b.SetLatency(5 * time.Millisecond)
	assert.Equal(t, strconv.Itoa(size), post(), "with latency")
	b.SetLatency(0)
	b.InjectFaults("up", Fault{Pass: true, Delay: 5 * time.Millisecond})
	assert.Equal(t, strconv.Itoa(size), post(), "with a delayed pass")
	b.InjectFaults("up", Fault{Status: 503, Delay: 5 * time.Millisecond})
	resp, err := http.Post(srv.URL, "application/octet-stream", &zeros{size})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode, "a delayed fault still answers after a large body")
}

// A delayed answer ends when the client goes away, without a goroutine or
// a handler waiting out the delay.
func TestADelayEndsWithTheClient(t *testing.T) {
	var b Controls
	done := make(chan struct{})
	srv := httptest.NewServer(b.Route("slow", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "late")
		close(done)
	}))
	defer srv.Close()
	b.InjectFaults("slow", Fault{Pass: true, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{"a":1}`))
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler still waits for the delay")
	}
}
