package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The bar says the rate and the time left once a second has passed.
func TestProgressShowsRateAndTimeLeft(t *testing.T) {
	var out strings.Builder
	clock := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	p := newProgressBar(&out, false)
	p.now = func() time.Time { return clock }
	p.report(0, 10<<20)
	clock = clock.Add(2 * time.Second)
	p.report(4<<20, 10<<20) // 2 MiB/s, 6 MiB left: 3s
	assert.Contains(t, out.String(), "uploaded 40% (4.0 MiB of 10.0 MiB, 2.0 MiB/s, 3s left)")

	out.Reset()
	clock = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tty := newProgressBar(&out, true)
	tty.now = func() time.Time { return clock }
	tty.report(0, 100<<20)
	clock = clock.Add(4 * time.Second)
	tty.report(50<<20, 100<<20)
	assert.Contains(t, out.String(), " 50% 50.0 MiB / 100.0 MiB  12.5 MiB/s  4s left")
}
