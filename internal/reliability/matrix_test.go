package reliability_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// TestMain runs the package's parallel tests 16 at a time unless -parallel
// says otherwise: the fault matrix's rows mostly wait on timers (a 2s
// per-try timeout, a 1s Retry-After), and at GOMAXPROCS of them at once
// (2 on a 2-core machine) the matrix took 17s of waiting.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "16")
	}
	goleak.VerifyTestMain(m)
}

// want is a row's expected outcome for one call.
type want struct {
	outcome  string
	requests int
}

// fault is one row of the matrix.
type fault struct {
	name string
	// inject sets the fault up on p for a call served by route.
	inject func(p *probe, route string)
	// read and write are the expected outcomes; byProvider overrides them.
	read, write want
	byProvider  map[string][2]want
	// needsSession limits the row to providers with session tokens.
	needsSession bool
}

func faults(route string, f ...banklinktest.Fault) func(*probe, string) {
	return func(p *probe, r string) { p.srv.InjectFaults(r, f...) }
}

func matrix() []fault {
	ok := func(n int) want { return want{"ok", n} }
	return []fault{
		{name: "503, 503, then success", inject: faults("", banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503}),
			read: ok(3), write: want{"server error", 1}},
		{name: "500, 502, 504, then success", inject: faults("", banklinktest.Fault{Status: 500}, banklinktest.Fault{Status: 502}, banklinktest.Fault{Status: 504}),
			read: ok(4), write: want{"server error", 1}},
		{name: "503 until the retries run out", inject: faults("", banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503}),
			read: want{"retries exhausted: server error", 4}, write: want{"server error", 1}},
		{name: "429 with Retry-After: 1 (seconds)", inject: faults("", banklinktest.Fault{Status: 429, RetryAfter: "1"}),
			read: ok(2), write: ok(2)},
		{name: "429 with Retry-After as an HTTP date", inject: func(p *probe, r string) {
			p.srv.InjectFaults(r, banklinktest.Fault{Status: 429, RetryAfter: time.Now().Add(time.Second).UTC().Format(http.TimeFormat)})
		}, read: ok(2), write: ok(2)},
		{name: "connection reset before any byte", inject: faults("", banklinktest.Fault{Drop: true}),
			read: ok(2), write: want{"connection error", 1}},
		{name: "connection reset mid-body", inject: faults("", banklinktest.Fault{Status: 200, Body: `{"status": true, "data": {"id": 93, "padding": "xxxxxxxxxxxxxxxx"}}`, CutAfter: 12}),
			read: ok(2), write: want{"connection error", 1}},
		{name: "accepts and never answers (per-try timeout 2s)", inject: faults("", banklinktest.Fault{Delay: 30 * time.Second}),
			read: ok(2), write: want{"timeout", 1}},
		{name: "truncated JSON with 200", inject: faults("", banklinktest.Fault{Status: 200, Body: `{"data": {"id": 9`}),
			read: want{"server error", 1}, write: want{"server error", 1}},
		{name: "valid JSON of the wrong shape with 200", inject: faults("", banklinktest.Fault{Status: 200, Body: `{"unexpected": [1, 2, 3]}`}),
			read: want{"server error", 1}, write: want{"server error", 1}},
		{name: "empty body with 200", inject: faults("", banklinktest.Fault{Status: 200, ContentType: "application/json"}),
			read: want{"server error", 1}, write: want{"server error", 1}},
		{name: "HTML with 200", inject: faults("", banklinktest.Fault{Status: 200, Body: "<html><head><title>Maintenance</title></head></html>"}),
			read: want{"server error", 1}, write: want{"server error", 1}},
		{name: "10 MiB body (limit 4 MiB)", inject: faults("", banklinktest.Fault{Status: 200, Body: `{"x":"` + strings.Repeat("x", 10<<20) + `"}`}),
			read: want{"response too large", 1}, write: want{"response too large", 1}},
		{name: "access token expired mid-flight", needsSession: true, inject: func(p *probe, _ string) { p.expire() },
			read: ok(2), write: ok(2)},
		{name: "refresh endpoint down (503s)", needsSession: true, inject: func(p *probe, _ string) {
			p.expire()
			n := 8
			if p.provider == "fintiv" {
				n = 4 // the refresh and password grants share one endpoint: the retries take 4
			}
			for range n {
				p.srv.InjectFaults(p.refreshRoute, banklinktest.Fault{Status: 503})
			}
		}, read: ok(2), write: ok(2), byProvider: map[string][2]want{
			// A new Fintract session needs an OTP and no callback is
			// configured: the refresh's outage is the answer (not a
			// re-authentication; the session is kept for the next call).
			"fintract": {{"retries exhausted: server error", 1}, {"retries exhausted: server error", 1}},
		}},
	}
}

// classify names an outcome by its category.
func classify(err error) string {
	if err == nil {
		return "ok"
	}
	switch {
	case errors.Is(err, banklink.ErrReauthRequired):
		return "re-authentication required"
	case errors.Is(err, banklink.ErrSessionExpired):
		return "session expired"
	}
	var rx *banklink.RetriesExhaustedError
	if errors.As(err, &rx) {
		return "retries exhausted: " + classify(rx.Last)
	}
	for _, c := range []struct {
		err  error
		name string
	}{
		{banklink.ErrResponseTooLarge, "response too large"}, {banklink.ErrUnauthorized, "unauthorized"},
		{banklink.ErrForbidden, "forbidden"}, {banklink.ErrNotFound, "not found"},
		{banklink.ErrInvalidRequest, "invalid request"}, {banklink.ErrRateLimited, "rate limited"},
		{banklink.ErrServerError, "server error"}, {banklink.ErrRedirectRefused, "redirect refused"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "timeout"
	}
	return "connection error"
}

// result is one line of RELIABILITY.md.
type result struct {
	fault, provider, call, outcome, requests string
}

func run(t *testing.T, p *probe, o op, inject func(*probe, string)) (string, int, int) {
	t.Helper()
	defer p.srv.Close()
	p.srv.ResetCounts()
	inject(p, o.route)
	err := o.call(context.Background())
	refresh := 0
	if p.refreshRoute != "" {
		refresh = p.srv.Calls(p.refreshRoute)
	}
	return classify(err), p.srv.Calls(o.route), refresh
}

func TestFaultMatrix(t *testing.T) {
	var rows []*result // in matrix order, filled by parallel subtests
	t.Run("rows", func(t *testing.T) { rows = faultRows(t) })
	results := make([]result, 0, len(rows)+16)
	for _, r := range rows {
		if r.fault != "" {
			results = append(results, *r)
		}
	}
	results = append(results, badInputs(t)...)
	results = append(results, rotationOnError(t))
	writeOrCompare(t, results)
}

// faultRows runs every fault × provider × call in parallel subtests and
// returns their results in matrix order once all have finished.
func faultRows(t *testing.T) []*result {
	var results []*result
	for _, f := range matrix() {
		for _, newProbe := range probes(t) {
			p := newProbe(t)
			p.srv.Close()
			if f.needsSession && p.expire == nil {
				continue
			}
			ops := []*op{&p.read, p.write}
			for i, o := range ops {
				if o == nil {
					continue
				}
				expect := [2]want{f.read, f.write}[i]
				if w, ok := f.byProvider[p.provider]; ok {
					expect = w[i]
				}
				res := &result{}
				results = append(results, res)
				t.Run(f.name+"/"+p.provider+"/"+o.name, func(t *testing.T) {
					t.Parallel()
					fresh := newProbe(t)
					call := fresh.read
					if i == 1 {
						call = *fresh.write
					}
					outcome, requests, refresh := run(t, fresh, call, f.inject)
					assert.Equal(t, expect.outcome, outcome)
					assert.Equal(t, expect.requests, requests, "requests the server saw")
					if i == 1 && expect.outcome != "ok" {
						assert.LessOrEqual(t, requests, 1, "a call with side effects was sent twice")
					}
					note := fmt.Sprint(requests)
					if f.needsSession {
						note += fmt.Sprintf(" (+%d to the refresh endpoint)", refresh)
					}
					kind := "read"
					if i == 1 {
						kind = "side effects"
					}
					*res = result{f.name, p.provider, fmt.Sprintf("%s (%s)", o.name, kind), outcome, note}
				})
			}
		}
	}
	return results
}

// badInputs runs every probe's invalid calls: refused with nothing sent.
func badInputs(t *testing.T) []result {
	var out []result
	for _, newProbe := range probes(t) {
		p := newProbe(t)
		p.srv.ResetCounts()
		for _, o := range p.badInput {
			outcome := classify(o.call(context.Background()))
			assert.Equal(t, "invalid request", outcome, o.name)
			assert.Zero(t, p.srv.Requests(), o.name)
			out = append(out, result{"bad input", p.provider, o.name, outcome, fmt.Sprint(p.srv.Requests())})
		}
		p.srv.Close()
	}
	return out
}

// rotationOnError: the wallet hands out a new pair on a 400; the next call
// must carry it.
func rotationOnError(t *testing.T) result {
	p := merchantProbe(t)
	defer p.srv.Close()
	w := p.srv.(*merchanttest.Wallet)
	w.FailNextWithRotation(http.StatusBadRequest)
	first := classify(p.read.call(context.Background()))
	second := classify(p.read.call(context.Background()))
	current, stale := w.PairUses()
	assert.Equal(t, "invalid request", first)
	assert.Equal(t, "ok", second)
	assert.Equal(t, 2, current, "the login's pair for the failing call, the rotated pair for the next")
	assert.Zero(t, stale)
	return result{"new token pair on an error answer (400)", "merchant", "Do(GET profile) twice", first + ", then " + second + " with the new pair",
		fmt.Sprint(p.srv.Calls(p.read.route))}
}

const reliabilityFile = "../../RELIABILITY.md"

// writeOrCompare renders the results; with UPDATE_RELIABILITY=1 it writes
// RELIABILITY.md, else it fails when the committed file differs.
func writeOrCompare(t *testing.T, results []result) {
	var b strings.Builder
	b.WriteString(`# Reliability: faults and bad input, per provider

Generated by ` + "`go test ./internal/reliability -run TestFaultMatrix`" + ` (with ` + "`UPDATE_RELIABILITY=1`" + ` to
rewrite this file; without it the test fails when the file is out of date). Every row runs against
the provider's in-process fake with a fresh client (3 retries, backoff 1–5 ms, per-try timeout 2 s,
response limit 4 MiB) and asserts the outcome and the exact number of requests the server saw for the
call's route. "Side effects" calls are the provider's non-idempotent operations: they are never sent
twice once they may have reached the server (only a refused connection, a 429 or a refused token
allow a second sending). Fintiv's refresh endpoint is its token endpoint, so its count there also
includes the password grant that replaces a failed refresh.

| Fault | Provider | Call | Outcome | Requests the server saw |
|---|---|---|---|---|
`)
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.fault, r.provider, strings.ReplaceAll(r.call, "|", "\\|"), r.outcome, r.requests)
	}
	got := b.String()
	if os.Getenv("UPDATE_RELIABILITY") == "1" {
		require.NoError(t, os.WriteFile(reliabilityFile, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(reliabilityFile)
	require.NoError(t, err, "RELIABILITY.md is missing")
	if diff := rowDiff(string(want), got); diff != "" {
		t.Errorf("the matrix no longer matches RELIABILITY.md; a changed row is a changed behaviour (or a flaky run) to explain, not a file to rewrite:\n%s", diff)
	}
}

// rowDiff lists the lines only one of the two texts has: "- " for the
// committed file's, "+ " for this run's.
func rowDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if g[l] == 0 {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] == 0 {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
