package main

import "testing"

func TestKeepHandWritten(t *testing.T) {
	old := []byte("# Benchmarks\nold generated\n\n" + handWritten + "\n\n## By hand\nkept\n")
	got := keepHandWritten("# Benchmarks\nnew generated\n", old)
	want := "# Benchmarks\nnew generated\n\n" + handWritten + "\n\n## By hand\nkept\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := keepHandWritten("fresh\n", []byte("no marker")); got != "fresh\n" {
		t.Fatalf("without a marker the report is unchanged: %q", got)
	}
}
