package main

import "testing"

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
