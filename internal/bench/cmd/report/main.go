// Command report runs the benchmarks of this module several times and
// prints (or writes, with -o) BENCHMARKS.md: medians per benchmark, ratios
// to the raw net/http baseline, and whether the performance goals hold.
//
//	cd internal/bench && go run ./cmd/report -count 5 -o ../../BENCHMARKS.md
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark; the report takes medians")
	benchtime := flag.String("benchtime", "1s", "-benchtime for the per-call benchmarks")
	out := flag.String("o", "", "write the report to this file instead of standard output")
	flag.Parse()

	var raw bytes.Buffer
	// The per-call benchmarks run once per process (apart), each run with
	// the clients in another order (BANKLINK_BENCH_ROTATE), so that no
	// client always runs in the same position; the paired one, which
	// orders its clients itself, also runs once per process, apart from
	// the others, so that no other benchmark's connections or heap are in
	// its windows. The rest run -count times in one process.
	runs := []struct {
		pattern, benchtime string
		apart              bool
	}{
		{"^(BenchmarkLoans|BenchmarkProviders|BenchmarkOverhead|BenchmarkProvidersInMemory)$", *benchtime, true},
		{"^BenchmarkPaired$", *benchtime, true},
		{"^BenchmarkRefreshStampede$", "20x", false},
		{"^BenchmarkUpload$", "1x", false},
	}
	for _, r := range runs {
		processes, perProcess := 1, *count
		if r.apart {
			processes, perProcess = *count, 1
		}
		for i := range processes {
			args := []string{"test", "-run", "^$", "-bench", r.pattern, "-benchmem", "-count", strconv.Itoa(perProcess), "-benchtime", r.benchtime, "-timeout", "60m", "."}
			fmt.Fprintln(os.Stderr, "BANKLINK_BENCH_ROTATE="+strconv.Itoa(i), "go", strings.Join(args, " "))
			cmd := exec.Command("go", args...)
			cmd.Env = append(os.Environ(), "BANKLINK_BENCH_ROTATE="+strconv.Itoa(i))
			cmd.Stdout = io.MultiWriter(&raw, os.Stderr)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "report:", err)
				os.Exit(1)
			}
		}
	}
	res := parse(&raw)
	report := render(res, *count, *benchtime)
	if *out == "" {
		fmt.Print(report)
		return
	}
	if old, err := os.ReadFile(*out); err == nil {
		if report, err = keepHandWritten(report, old); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
	}
	if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// handWritten marks where the sections written by hand begin: the report
// replaces what is above it and keeps the rest.
const handWritten = "<!-- Sections below are written by hand; cmd/report keeps them. -->"

// keepHandWritten appends to report the sections of the old file written
// by hand (from the marker on).
func keepHandWritten(report string, old []byte) (string, error) {
	if i := bytes.Index(old, []byte(handWritten)); i >= 0 {
		return strings.TrimRight(report, "\n") + "\n\n" + string(old[i:]), nil
	}
	// No marker: a section the report does not write would be lost.
	for line := range strings.Lines(string(old)) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "## ") && !strings.Contains(report, "\n"+line+"\n") {
			return "", fmt.Errorf("the old file has a section the report does not write (%q) and no marker line before its hand-written sections; add this line before them, or they are lost:\n%s", line, handWritten)
		}
	}
	return report, nil
}

// results maps a benchmark name (without the -GOMAXPROCS suffix) to its
// samples per unit.
type results map[string]map[string][]float64

func parse(r io.Reader) results {
	res := results{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if res[name] == nil {
			res[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				res[name][f[i+1]] = append(res[name][f[i+1]], v)
			}
		}
	}
	return res
}

// ratio returns the median over runs of name's unit divided by base's in
// the same run (0 without samples). Each run measures the clients back to
// back, so a paired ratio is untouched by the machine's speed drifting
// from one run to the next, which moves a ratio of medians by several
// percent on a shared machine.
func (r results) ratio(name, base, unit string) float64 {
	a, b := r[name][unit], r[base][unit]
	var q []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			q = append(q, a[i]/b[i])
		}
	}
	return results{"": {"": q}}.median("", "")
}

// median returns the median sample of name's unit, or NaN-free 0.
func (r results) median(name, unit string) float64 {
	s := slices.Clone(r[name][unit])
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// notes explains what the numbers include; it is the same for every run.
const notes = `
## Reading these numbers

On this 2-core machine the client and the loopback server compete for the same cores, and a
client's result moves by several percent with its position in the sequence (what ran just before,
the machine's load drifting over minutes): the report rotates the order of the clients from one
run to the next, and takes each ratio within a run. What the SDK does per call that the raw call
does not: the call's context (its bound) and each attempt's (the attempt timeout), which share the
client's one timer, go-retryablehttp's loop, the retry decision and budget, credential
injection, the body read through a size limit into a pooled buffer, and decoding into typed values
(` + "`time.Time`" + ` dates, integer amounts). The loans call still costs less than the raw one in memory,
because its answer is read without reflection (` + "`internal/jsonread`" + `: anything unusual is handed to
encoding/json, and a fuzz test holds the two to the same result), which saves more than the rest
costs.

The raw-bounded call is the raw call under a ` + "`context.WithTimeout`" + ` of 30s, the bound a careful
hand-written client sets (the raw call has none: a server that never answers holds it forever).

The hand-written calls make the same requests as the SDK (the same Accept and a User-Agent of
similar length besides the credentials) and decode the answers into typed structs, as a
hand-written client would; until this report they sent neither header and decoded into
` + "`map[string]any`" + `, which gave the server less to parse for them and themselves more to decode. Every
provider's usual answer is now read without reflection (` + "`internal/jsonread`" + `, as the loans), so in
memory each SDK call costs less than the same request by hand.

Over loopback, what the SDK paid beyond its own CPU was the bounding of each call. A hand-written
call with no timeout hands net/http a context that can never end; the SDK's call had two, each
with a runtime timer, the attempt's a child of the call's. In paired, interleaved runs of the loans
(16 and 64 goroutines) a hand-written call given one ` + "`context.WithCancel`" + ` was 3.5% slower and one
given ` + "`context.WithTimeout`" + ` 4.8%; the SDK was 4-6% over the raw call. Now a client's bounds share
one timer (armed at the earliest deadline; a call's own bound joins it only when something waits
on it, as a backoff does), and each attempt's context derives from the caller's, ending at
whichever of the attempt's and the call's bounds comes first, so net/http registers under one
context. Paired runs then: 1.02× at 16 goroutines and 1.00-1.02× at 64 (from 1.04× and 1.05-1.06×).
At one goroutine the shared timer measured no different from two timers of its own, as an earlier
report found; the difference is the contention for the scheduler's timer heaps and the wake-ups of
the network poller a new timer can cause, which grow with the goroutines. Then the attempt's
context became the SDK's own, with an AfterFunc method (which the standard library looks for):
net/http's context for the request registers in one slot of it instead of the map a cancel context
allocates and locks; with four allocations fewer elsewhere, paired runs at 64 goroutines read
0.98-1.02× (11 allocations fewer than the raw call). What remains over the raw call is the one
cancellable context any bounded call hands net/http (the raw call under a context with such a
method read 1.01-1.02× the raw call), and it is below what separates two reports: a single
report's rows at 16 and 64 goroutines move by a few percent either way (go-retryablehttp, the raw
call plus a loop, has read 0.91-1.05×). CPU profiles of raw and SDK back to back, 150,000 calls
each at 64 goroutines, put the same CPU in both, within the run-to-run spread.

In the stampede, 1,000 calls wait for one refresh, which is sent within a millisecond. Its answer
is read only once the Go scheduler has run every other goroutine of the burst up to the wait (it
polls the network when its run queues are empty): about 4 ms here. Meanwhile the server has
nothing to do, whereas in the control burst it answers the first calls while the later ones are
being prepared; with client and server sharing 2 cores, that lost overlap, not the refresh
itself, is most of the added latency. Then the 1,000 woken calls ask net/http for a connection at
the same instant: a mutex profile of the stampede puts almost all lock waiting in its connection
pool (the SDK's reaper had about a third of it; spreading the reaper over 16 locks removed that
share but measured no faster, and was not kept). Waiting for the token before
preparing each request (so the queues empty sooner) measured no better, since the preparation
then follows the wait, and was not kept. In normal use the client refreshes before expiry in the
background, so callers never wait for it.
`

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

// pairedCalls are the rows of the paired table, in order: each provider's
// call, then the three controls.
var pairedCalls = []string{"loans", "fintract-UserInfo", "fintiv-Me", "merchant-Do", "loans-raw-raw", "loans-raw-raw+1us",
	"loans-raw-raw+timeout"}

// renderPaired writes the paired table and returns its goals.
func renderPaired(b *strings.Builder, r results) []string {
	const unit = "sdk-cpu/raw-cpu"
	b.WriteString("\n## Paired: the SDK's CPU per call over the same request by hand's\n\n")
	b.WriteString("The SDK's call and the same request by hand in alternating windows of 1,000 calls (raw, SDK,\n" +
		"SDK, raw, ...), each window timed in the process's CPU time, which other tenants of the machine\n" +
		"do not add to: the SDK's CPU time over the raw call's, the server's share included (the same for\n" +
		"both). The median of the runs; below 1, the SDK's call costs less. Three controls: the raw call\n" +
		"against itself (the measure's spread with nothing to find), against itself plus 1 µs of busy\n" +
		"work per call (what a microsecond more per call reads as), and against itself bounded by a\n" +
		"`context.WithTimeout` per call, as a service bounds a call it writes by hand (the raw call the\n" +
		"SDK's rows compare with is bounded by nothing; every SDK attempt is).\n\n")
	b.WriteString("| call | goroutines | SDK's CPU per call / raw's | runs' range |\n|---|---|---|---|\n")
	var goals []string
	for _, n := range []int{1, 16, 64} {
		control := r.median(fmt.Sprintf("BenchmarkPaired/loans-raw-raw/conc=%d", n), unit)
		for _, p := range pairedCalls {
			name := fmt.Sprintf("BenchmarkPaired/%s/conc=%d", p, n)
			runs := r[name][unit]
			if len(runs) == 0 {
				continue
			}
			q := r.median(name, unit)
			fmt.Fprintf(b, "| %s | %d | %.3f× | %.3f-%.3f |\n", p, n, q, slices.Min(runs), slices.Max(runs))
			if !strings.HasPrefix(p, "loans-raw-raw") {
				goals = append(goals, fmt.Sprintf("- %s, %d goroutine(s), CPU per call, paired: banklink %.3f× raw (goal ≤ 1.00; raw against itself %.3f×): %s",
					p, n, q, control, check(q <= 1)))
			}
		}
	}
	return goals
}

func check(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func render(r results, count int, benchtime string) string {
	var b strings.Builder
	goVersion, _ := exec.Command("go", "env", "GOVERSION").Output()
	fmt.Fprintf(&b, "# Benchmarks\n\nProduced by `cd internal/bench && go run ./cmd/report -count %d -benchtime %s -o ../../BENCHMARKS.md`\n", count, benchtime)
	fmt.Fprintf(&b, "on %s: %s, %d cores, %s/%s, %s. Medians of %d runs, the clients in a\nrotating order; a ratio is the median of the runs' own ratios (each run measures the clients back\nto back, so the machine's speed drifting between runs cancels). Numbers are recorded, never\nasserted in tests. Client and server share the machine, so per-call times include the server's\nwork; the ratios show what each client adds.\n\n",
		time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, strings.TrimSpace(string(goVersion)), count)

	b.WriteString("## One authenticated JSON call (DFCU loans: POST, Bearer, typed decode)\n\n")
	b.WriteString("| goroutines | client | time/call | vs raw | req/s | B/call | allocs/call (vs raw) |\n|---|---|---|---|---|---|---|\n")
	var goals []string
	for _, n := range []int{1, 16, 64} {
		base := fmt.Sprintf("BenchmarkLoans/conc=%d/", n)
		rawAllocs := r.median(base+"raw", "allocs/op")
		for _, c := range []string{"raw", "raw-bounded", "retryablehttp", "resty", "banklink"} {
			name := base + c
			ns := r.median(name, "ns/op")
			if ns == 0 {
				continue
			}
			allocs := r.median(name, "allocs/op")
			fmt.Fprintf(&b, "| %d | %s | %.1f µs | %.2f× | %.0f | %.0f | %.0f (%+.0f) |\n", n, c, ns/1000, r.ratio(name, base+"raw", "ns/op"), r.median(name, "req/s"), r.median(name, "B/op"), allocs, allocs-rawAllocs)
		}
		{
			ratio := r.ratio(base+"banklink", base+"raw", "ns/op")
			theirs := []float64{r.ratio(base+"retryablehttp", base+"raw", "ns/op"), r.ratio(base+"resty", base+"raw", "ns/op")}
			goals = append(goals,
				fmt.Sprintf("- %d goroutine(s): banklink %.2f× raw (goal ≤ 1.00): %s", n, ratio, check(ratio <= 1.00)),
				fmt.Sprintf("- %d goroutine(s): banklink %.2f× raw-bounded, the raw call with a timeout (for comparison, not a goal)", n,
					r.ratio(base+"banklink", base+"raw-bounded", "ns/op")),
				fmt.Sprintf("- %d goroutine(s): banklink at or below go-retryablehttp (%.2f×) and resty (%.2f×): %s", n,
					theirs[0], theirs[1], check(ratio <= theirs[0] && ratio <= theirs[1])),
				fmt.Sprintf("- %d goroutine(s): allocations %+.0f of raw (goal ≤ +20): %s", n, r.median(base+"banklink", "allocs/op")-rawAllocs,
					check(r.median(base+"banklink", "allocs/op")-rawAllocs <= 20)))
		}
	}

	b.WriteString("\n## The same call without a network: what each client costs by itself\n\n")
	b.WriteString("An in-memory RoundTripper answers (after draining the request body), so no server shares the cores.\n\n")
	b.WriteString("| client | time/call | vs raw | B/call | allocs/call |\n|---|---|---|---|---|\n")
	rawAlone := r.median("BenchmarkOverhead/raw", "ns/op")
	for _, c := range []string{"raw", "retryablehttp", "banklink"} {
		name := "BenchmarkOverhead/" + c
		if ns := r.median(name, "ns/op"); ns > 0 {
			fmt.Fprintf(&b, "| %s | %.2f µs | %.2f× | %.0f | %.0f |\n", c, ns/1000, r.ratio(name, "BenchmarkOverhead/raw", "ns/op"), r.median(name, "B/op"), r.median(name, "allocs/op"))
		}
	}
	if rawAlone > 0 {
		q := r.ratio("BenchmarkOverhead/banklink", "BenchmarkOverhead/raw", "ns/op")
		goals = append(goals, fmt.Sprintf("- loans in memory: banklink %.2f× raw (goal ≤ 1.00): %s", q, check(q <= 1)))
	}

	b.WriteString("\nThe same for one call of each other provider, against the same request made by hand:\n\n")
	b.WriteString("| call | raw | banklink | vs raw | allocs raw → banklink |\n|---|---|---|---|---|\n")
	for _, p := range []string{"fintract-UserInfo", "fintiv-Me", "merchant-Do"} {
		base := "BenchmarkProvidersInMemory/" + p + "/"
		rawNs, ours := r.median(base+"raw", "ns/op"), r.median(base+"banklink", "ns/op")
		if rawNs == 0 {
			continue
		}
		q := r.ratio(base+"banklink", base+"raw", "ns/op")
		fmt.Fprintf(&b, "| %s | %.2f µs | %.2f µs | %.2f× | %.0f → %.0f |\n", p, rawNs/1000, ours/1000, q,
			r.median(base+"raw", "allocs/op"), r.median(base+"banklink", "allocs/op"))
		goals = append(goals, fmt.Sprintf("- %s in memory: banklink %.2f× raw (goal ≤ 1.00): %s", p, q, check(q <= 1)))
	}

	b.WriteString("\n## One call of each other provider, against the same request made by hand\n\n")
	b.WriteString("| call | goroutines | raw | banklink | vs raw | allocs raw → banklink |\n|---|---|---|---|---|---|\n")
	for _, p := range []string{"fintract-UserInfo", "fintiv-Me", "merchant-Do"} {
		for _, n := range []int{1, 16, 64} {
			base := fmt.Sprintf("BenchmarkProviders/%s/conc=%d/", p, n)
			rawNs, ours := r.median(base+"raw", "ns/op"), r.median(base+"banklink", "ns/op")
			if rawNs == 0 {
				continue
			}
			q := r.ratio(base+"banklink", base+"raw", "ns/op")
			fmt.Fprintf(&b, "| %s | %d | %.1f µs | %.1f µs | %.2f× | %.0f → %.0f |\n", p, n, rawNs/1000, ours/1000, q,
				r.median(base+"raw", "allocs/op"), r.median(base+"banklink", "allocs/op"))
			goals = append(goals, fmt.Sprintf("- %s, %d goroutine(s): banklink %.2f× raw (goal ≤ 1.00): %s", p, n, q, check(q <= 1)))
		}
	}

	goals = append(goals, renderPaired(&b, r)...)

	b.WriteString("\n## Refresh stampede: 1,000 goroutines, one expired access token\n\n")
	b.WriteString("The DFCU fake runs in a process of its own. Each round runs a burst of a new client with an expired\n" +
		"token and, as the control, a burst of a new client with a valid one, in alternating order; the added\n" +
		"latency is the median over rounds of the difference between the two bursts' quantiles.\n\n")
	s := "BenchmarkRefreshStampede"
	refreshes, p50, p99, rtt := r.median(s, "refresh-calls/burst"), r.median(s, "p50-added-ms"), r.median(s, "p99-added-ms"), r.median(s, "refresh-rtt-ms")
	fmt.Fprintf(&b, "| refresh calls per burst | added latency p50 | added latency p99 | one refresh round trip |\n|---|---|---|---|\n| %.0f | %.2f ms | %.2f ms | %.2f ms |\n", refreshes, p50, p99, rtt)
	goals = append(goals,
		fmt.Sprintf("- stampede: %.0f refresh call(s) per burst (goal 1): %s", refreshes, check(refreshes == 1)),
		fmt.Sprintf("- stampede: p99 added latency %.2f ms, below one refresh round trip + 5 ms (%.2f ms): %s", p99, rtt+5, check(p99 < rtt+5)))

	b.WriteString("\n## Uploads: a generated stream through `fintract.UploadFile` and through a raw net/http request\n\n")
	b.WriteString("| size | client | throughput | vs raw | peak live heap | peak RSS |\n|---|---|---|---|---|---|\n")
	for _, size := range []string{"256MiB", "1024MiB"} {
		rawMBs := r.median("BenchmarkUpload/"+size+"/raw", "MB/s")
		for _, who := range []string{"raw", "banklink"} {
			name := "BenchmarkUpload/" + size + "/" + who
			mbs := r.median(name, "MB/s")
			if mbs == 0 {
				continue
			}
			heap := r.median(name, "peak-heap-MiB")
			fmt.Fprintf(&b, "| %s | %s | %.0f MB/s | %.2f× | %.1f MiB | %.1f MiB |\n", size, who, mbs, mbs/rawMBs, heap, r.median(name, "peak-rss-MiB"))
			if who == "banklink" {
				goals = append(goals, fmt.Sprintf("- upload %s: peak live heap %.1f MiB (goal < 32 MiB): %s", size, heap, check(heap < 32)))
			}
		}
	}

	b.WriteString("\n## Goals\n\n" + strings.Join(goals, "\n") + "\n")
	b.WriteString(notes)
	return b.String()
}
