package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar shows an upload's progress, its rate and the time left: a
// bar redrawn in place on a terminal, a line every 10% elsewhere.
type progressBar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	now      func() time.Time // time.Now; a test's clock
	start    time.Time        // the first report
	last     time.Time
	decile   int64
	sent     int64
	total    int64
	finished bool
}

func newProgressBar(w io.Writer, tty bool) *progressBar {
	return &progressBar{w: w, tty: tty, decile: -1, now: time.Now}
}

// report is a fintract.File.Progress callback.
func (p *progressBar) report(sent, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent, p.total = sent, total
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	switch {
	case p.tty:
		if now.Sub(p.last) >= 100*time.Millisecond || (total > 0 && sent == total) {
			p.last = now
			p.draw()
		}
	case total > 0:
		if d := sent * 10 / total; d > p.decile {
			p.decile = d
			fmt.Fprintf(p.w, "uploaded %d%% (%s of %s%s)\n", d*10, size(sent), size(total), p.pace(now, ", "))
		}
	case sent == 0:
		fmt.Fprintln(p.w, "uploading (size unknown)")
	}
}

func (p *progressBar) draw() {
	now := p.now()
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%s sent%s\x1b[K", size(p.sent), p.pace(now, "  "))
		return
	}
	const width = 30
	filled := int(p.sent * width / p.total)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %s / %s%s\x1b[K", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		p.sent*100/p.total, size(p.sent), size(p.total), p.pace(now, "  "))
}

// pace is the average rate since the first report and, with a known
// total, the time left at that rate, after sep; "" before a rate is
// known (under a second in, or nothing sent).
func (p *progressBar) pace(now time.Time, sep string) string {
	elapsed := now.Sub(p.start)
	if elapsed < time.Second || p.sent <= 0 {
		return ""
	}
	rate := float64(p.sent) / elapsed.Seconds()
	out := sep + size(int64(rate)) + "/s"
	if p.total > 0 && p.sent < p.total {
		left := time.Duration(float64(p.total-p.sent) / rate * float64(time.Second)).Round(time.Second)
		out += sep + left.String() + " left"
	}
	return out
}

// done ends the bar's line.
func (p *progressBar) done(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if p.tty {
		p.draw()
		fmt.Fprintln(p.w)
	} else if ok && p.total <= 0 {
		fmt.Fprintf(p.w, "uploaded %s\n", size(p.sent))
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
