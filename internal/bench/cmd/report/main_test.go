package main

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestKeepHandWritten(t *testing.T) {
	old := []byte("# Benchmarks\nold generated\n\n" + handWritten + "\n\n## By hand\nkept\n")
	got, err := keepHandWritten("# Benchmarks\nnew generated\n", old)
	want := "# Benchmarks\nnew generated\n\n" + handWritten + "\n\n## By hand\nkept\n"
	if err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	generated := "# Benchmarks\n\n## Goals\n\n- met\n"
	if got, err := keepHandWritten(generated, []byte("# Benchmarks\n\n## Goals\n\n- not met\n")); err != nil || got != generated {
		t.Fatalf("an old file of generated sections only is replaced: %q, %v", got, err)
	}
}

// A hand-written section without the marker before it was dropped without
// a word when the report rewrote the file (five sections of BENCHMARKS.md
// were lost so); the report now refuses to write.
func TestKeepHandWrittenRefusesToDropASectionWithoutTheMarker(t *testing.T) {
	old := []byte("# Benchmarks\n\n## Goals\n\n- met\n\n## Fleets (by hand)\n\nkept\n")
	if got, err := keepHandWritten("# Benchmarks\n\n## Goals\n\n- met\n", old); err == nil {
		t.Fatalf("dropped the hand-written section: %q", got)
	}
}

// A ratio pairs each run's samples: the machine slowing down between runs
// moves both clients of a run alike, and leaves the ratio alone, where
// the ratio of the two medians takes in the drift.
func TestRatioPairsTheRunsSamples(t *testing.T) {
	r := results{
		"raw":  {"ns/op": {10, 30, 20, 40}},
		"ours": {"ns/op": {9, 27, 21, 36}},
		"none": {"ns/op": {}},
	}
	if got := r.ratio("ours", "raw", "ns/op"); math.Abs(got-0.9) > 1e-9 {
		t.Errorf("paired ratio %v, want 0.9 (the ratio of medians is %v)", got, r.median("ours", "ns/op")/r.median("raw", "ns/op"))
	}
	if got := r.ratio("none", "raw", "ns/op"); got != 0 {
		t.Errorf("no samples: %v, want 0", got)
	}
}

// The paired table takes each pair's median over runs and its range,
// and judges each provider's row against 1, naming the raw call's spread
// against itself; the controls are rows, not goals.
func TestPairedRowsAndGoals(t *testing.T) {
	r := parse(strings.NewReader(`
BenchmarkPaired/loans/conc=16-2   1000  30000 ns/op  0.990 sdk-cpu/raw-cpu
BenchmarkPaired/loans/conc=16-2   1000  30000 ns/op  1.010 sdk-cpu/raw-cpu
BenchmarkPaired/loans/conc=16-2   1000  30000 ns/op  0.980 sdk-cpu/raw-cpu
BenchmarkPaired/loans-raw-raw/conc=16-2   1000  30000 ns/op  1.004 sdk-cpu/raw-cpu
BenchmarkPaired/loans-raw-raw+1us/conc=16-2   1000  30000 ns/op  1.021 sdk-cpu/raw-cpu
BenchmarkPaired/loans-raw-raw+timeout/conc=16-2   1000  30000 ns/op  1.060 sdk-cpu/raw-cpu
`))
	var b strings.Builder
	goals := renderPaired(&b, r)
	for _, want := range []string{"| loans | 16 | 0.990× | 0.980-1.010 |", "| loans-raw-raw | 16 | 1.004× | 1.004-1.004 |",
		"| loans-raw-raw+1us | 16 | 1.021× | 1.021-1.021 |", "| loans-raw-raw+timeout | 16 | 1.060× | 1.060-1.060 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	want := []string{"- loans, 16 goroutine(s), CPU per call, paired: banklink 0.990× raw (goal ≤ 1.00; raw against itself 1.004×): met"}
	if !slices.Equal(goals, want) {
		t.Errorf("goals %q, want %q", goals, want)
	}
}
