package banklinkotel_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	banklinkotel "github.com/banklink/banklink-go/otel"
)

const canaryPassword = "canary-pw-7b1f3e"

// harness is a DFCU client on a fake, observed into an in-memory span
// recorder and a manual metric reader, logging at Debug into a buffer
// through a handler that adds the trace id.
type harness struct {
	srv    *dfcutest.Server
	client *dfcu.Client
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	logs   *bytes.Buffer
}

func newHarness(t *testing.T, opts ...banklinkotel.Option) *harness {
	h := &harness{srv: dfcutest.NewServer(dfcutest.WithUser("ops", canaryPassword)), spans: tracetest.NewSpanRecorder(),
		reader: sdkmetric.NewManualReader(), logs: &bytes.Buffer{}}
	t.Cleanup(h.srv.Close)
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	obs, err := banklinkotel.New(append([]banklinkotel.Option{banklinkotel.WithTracerProvider(h.tp), banklinkotel.WithMeterProvider(mp)}, opts...)...)
	require.NoError(t, err)
	log := slog.New(traceHandler{slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	h.client, err = dfcu.New(banklink.WithBaseURL(h.srv.URL), dfcu.WithCredentials("ops", canaryPassword),
		banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		banklink.WithObserver(obs), banklink.WithLogger(log))
	require.NoError(t, err)
	t.Cleanup(h.client.CloseIdleConnections)
	return h
}

// traceHandler adds the trace id of the record's context, as a
// trace-aware handler of a service would.
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(a)}
}
func (h traceHandler) WithGroup(n string) slog.Handler { return traceHandler{h.Handler.WithGroup(n)} }

// node is a span as the test checks it: name, kind, attributes, events,
// status, children.
type node struct {
	name     string
	kind     trace.SpanKind
	attrs    map[attribute.Key]attribute.Value
	events   []string
	status   string
	children []*node
}

func tree(spans []sdktrace.ReadOnlySpan) []*node {
	byID := map[trace.SpanID]*node{}
	for _, s := range spans {
		n := &node{name: s.Name(), kind: s.SpanKind(), attrs: map[attribute.Key]attribute.Value{}, status: s.Status().Code.String()}
		for _, a := range s.Attributes() {
			n.attrs[a.Key] = a.Value
		}
		for _, e := range s.Events() {
			desc := e.Name
			for _, a := range e.Attributes {
				desc += " " + string(a.Key) + "=" + a.Value.String()
			}
			n.events = append(n.events, desc)
		}
		byID[s.SpanContext().SpanID()] = n
	}
	var roots []*node
	for _, s := range spans { // ended spans come in end order: children first
		n := byID[s.SpanContext().SpanID()]
		if p, ok := byID[s.Parent().SpanID()]; ok {
			p.children = append(p.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

// A call retried twice, whose token is then refused, refreshed and the
// call replayed: one operation span, an HTTP span per attempt, the
// refresh's own operation under it, retry and renewal events, and the
// metric points to match.
func TestSpanTreeEventsAndMetrics(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	_, err := h.client.Login(ctx)
	require.NoError(t, err)
	h.spans.Reset()
	require.NoError(t, h.reader.Collect(ctx, &metricdata.ResourceMetrics{})) // the login's points, out of the way

	h.srv.ExpireAccessTokens()
	h.srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503})
	root, rootSpan := h.tp.Tracer("test").Start(ctx, "handler")
	_, err = h.client.Loans(root, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	rootSpan.End()

	roots := tree(h.spans.Ended())
	require.Len(t, roots, 1)
	require.Len(t, roots[0].children, 1)
	op := roots[0].children[0]
	assert.Equal(t, "dfcu.loans", op.name)
	assert.Equal(t, trace.SpanKindInternal, op.kind)
	assert.Equal(t, "dfcu", op.attrs["banklink.provider"].AsString())
	assert.EqualValues(t, 4, op.attrs["banklink.attempts"].AsInt64())
	assert.EqualValues(t, 200, op.attrs["http.response.status_code"].AsInt64())
	assert.Equal(t, "Unset", op.status)
	assert.NotContains(t, op.attrs, attribute.Key("banklink.account"), "account numbers only on request")
	require.Len(t, op.events, 4)
	for i, e := range op.events[:2] { // the backoff is jittered: its value varies
		assert.True(t, strings.HasPrefix(e, "banklink.retry banklink.attempt="+strconv.Itoa(i+1)+" banklink.retry.reason=http_503 banklink.retry.backoff_ms="), e)
	}
	assert.Equal(t, []string{
		"banklink.session.change banklink.session.reason=refresh banklink.session.version=0",
		"banklink.renewal banklink.renewal.reason=refresh banklink.outcome=ok",
	}, op.events[2:])

	var names []string
	for _, c := range op.children {
		names = append(names, c.name)
	}
	assert.Equal(t, []string{"POST", "POST", "POST", "dfcu.token_refresh", "POST"}, names, "attempts and the refresh, in order")
	statuses := []int64{503, 503, 401, 0, 200}
	for i, c := range op.children {
		if c.name != "POST" {
			continue
		}
		assert.Equal(t, trace.SpanKindClient, c.kind)
		assert.EqualValues(t, statuses[i], c.attrs["http.response.status_code"].AsInt64())
		assert.Equal(t, "POST", c.attrs["http.request.method"].AsString())
		assert.Equal(t, "127.0.0.1", c.attrs["server.address"].AsString())
		assert.True(t, strings.HasSuffix(c.attrs["url.full"].AsString(), "/api/accounts/loans/"))
		if statuses[i] >= 400 {
			assert.Equal(t, "Error", c.status)
			assert.Equal(t, strconv.FormatInt(statuses[i], 10), c.attrs["error.type"].AsString())
		}
	}
	assert.EqualValues(t, 1, op.children[1].attrs["http.request.resend_count"].AsInt64())
	refresh := op.children[3]
	require.Len(t, refresh.children, 1)
	assert.Equal(t, "POST", refresh.children[0].name)
	assert.True(t, strings.HasSuffix(refresh.children[0].attrs["url.full"].AsString(), "/token/refresh/"))

	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(ctx, &rm))
	for _, want := range []struct {
		metric string
		value  int64
		attrs  []string
	}{
		{"banklink.attempts", 2, []string{"banklink.operation=loans", "http.response.status_code=503"}},
		{"banklink.attempts", 1, []string{"banklink.operation=loans", "http.response.status_code=401"}},
		{"banklink.attempts", 1, []string{"banklink.operation=loans", "http.response.status_code=200"}},
		{"banklink.attempts", 1, []string{"banklink.operation=token_refresh", "http.response.status_code=200"}},
		{"banklink.retries", 2, []string{"banklink.operation=loans", "banklink.retry.reason=http_503"}},
		{"banklink.renewals", 1, []string{"banklink.provider=dfcu", "banklink.renewal.reason=refresh", "banklink.outcome=ok"}},
		{"banklink.operations.active", 0, []string{"banklink.operation=loans"}},
		{"banklink.operation.duration", 1, []string{"banklink.operation=loans", "banklink.outcome=ok"}}, // a histogram: its count
		{"banklink.operation.duration", 1, []string{"banklink.operation=token_refresh", "banklink.outcome=ok"}},
	} {
		v, ok := point(rm, want.metric, want.attrs...)
		if assert.True(t, ok, "no %s point %v", want.metric, want.attrs) {
			assert.EqualValues(t, want.value, v, "%s %v", want.metric, want.attrs)
		}
	}
	_, anyErrors := point(rm, "banklink.errors")
	assert.False(t, anyErrors, "no failed operation")

	// Every log record of the call carries its trace.
	traceID := rootSpan.SpanContext().TraceID().String()
	for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		if strings.Contains(line, "op=loans") || strings.Contains(line, "refreshed") {
			assert.Contains(t, line, "trace_id="+traceID, line)
		}
	}
	assert.Contains(t, h.logs.String(), "level=INFO msg=\"banklink: session refreshed\"")
}

// point returns the value of the metric's point whose attributes include
// every "key=value" of attrs (a histogram's count), and whether there is one.
func point(rm metricdata.ResourceMetrics, name string, attrs ...string) (int64, bool) {
	match := func(set attribute.Set) bool {
		for _, kv := range attrs {
			k, v, _ := strings.Cut(kv, "=")
			got, ok := set.Value(attribute.Key(k))
			if !ok || got.String() != v {
				return false
			}
		}
		return true
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return p.Value, true
					}
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return int64(p.Count), true
					}
				}
			}
		}
	}
	return 0, false
}

// allAttributes lists every metric point's attributes.
func allAttributes(rm metricdata.ResourceMetrics) string {
	var b strings.Builder
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var sets []attribute.Set
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			}
			for _, set := range sets {
				b.WriteString(m.Name)
				for _, kv := range set.ToSlice() {
					b.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// A failure: error status with the category, the error counted; and no
// canary secret (password, tokens) anywhere in spans, events, metrics or
// logs. The account number appears only when asked for.
func TestFailuresAndNoSecrets(t *testing.T) {
	h := newHarness(t, banklinkotel.WithAccountAttribute())
	ctx := context.Background()
	_, err := h.client.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	s, _ := h.client.Session()
	h.srv.InjectFaults(banklinktest.AnyRoute, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503},
		banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503, Body: `{"detail":"` + s.Access + `"}`})
	_, err = h.client.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrServerError)

	var all strings.Builder
	for _, sp := range h.spans.Ended() {
		all.WriteString(sp.Name() + " " + sp.Status().Description + "\n")
		for _, a := range sp.Attributes() {
			all.WriteString(string(a.Key) + "=" + a.Value.String() + "\n")
		}
		for _, e := range sp.Events() {
			all.WriteString(e.Name + "\n")
			for _, a := range e.Attributes {
				all.WriteString(string(a.Key) + "=" + a.Value.String() + "\n")
			}
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(ctx, &rm))
	all.WriteString(allAttributes(rm))
	all.WriteString(h.logs.String())
	for _, secret := range []string{canaryPassword, s.Access, s.Refresh} {
		assert.NotContains(t, all.String(), secret)
	}
	assert.Contains(t, all.String(), "banklink.account="+dfcutest.AccountWithLoans, "recorded when asked for")
	n, ok := point(rm, "banklink.errors", "banklink.operation=loans", "banklink.error.category=server error")
	assert.True(t, ok)
	assert.EqualValues(t, 1, n)
	assert.Contains(t, all.String(), "dfcu.loans server error", "the operation span's error status names the category")
	assert.Contains(t, h.logs.String(), "level=WARN msg=\"banklink: retries exhausted\"")
}

// One option shape in every module: an option may refuse its input, and
// New says why (a nil provider silently meant the global one, usually a
// provider variable never set).
func TestNilProvidersAreRefused(t *testing.T) {
	_, err := banklinkotel.New(banklinkotel.WithTracerProvider(nil))
	assert.ErrorContains(t, err, "WithTracerProvider(nil)")
	_, err = banklinkotel.New(banklinkotel.WithMeterProvider(nil))
	assert.ErrorContains(t, err, "WithMeterProvider(nil)")
}

// An attempt cut off by its bound, observed: the attempt's context
// reaches net/http wrapped in the observer's span, and the client's one
// timer for its bounds (outside a synctest bubble) still ends it, named
// by the bound; the attempt's span ends with the error.
func TestAnObservedAttemptIsCutOffByItsBound(t *testing.T) {
	h := newHarness(t)
	obs, err := banklinkotel.New(banklinkotel.WithTracerProvider(h.tp), banklinkotel.WithMeterProvider(sdkmetric.NewMeterProvider()))
	require.NoError(t, err)
	c, err := dfcu.New(banklink.WithBaseURL(h.srv.URL), dfcu.WithCredentials("ops", canaryPassword),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}), banklink.WithObserver(obs))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans) // logs in, under the client's own bounds
	require.NoError(t, err)
	h.srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Pass: true, Delay: time.Minute})
	before := len(h.spans.Ended())

	_, err = c.Loans(banklink.WithCallOptions(ctx, banklink.CallOptions{Timeout: 50 * time.Millisecond}), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, banklink.ErrUnavailable)
	assert.Contains(t, err.Error(), "50ms (per-call timeout")
	var cutOff bool
	for _, sp := range h.spans.Ended()[before:] {
		if sp.Name() == "POST" && sp.Status().Code.String() == "Error" {
			cutOff = true
		}
	}
	assert.True(t, cutOff, "the loans attempt's span ended with an error")
}
