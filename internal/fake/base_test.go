package fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteServesFaultsInOrderThenTheHandler(t *testing.T) {
	var b Base
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
