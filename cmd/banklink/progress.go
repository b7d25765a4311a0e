package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar shows an upload's progress: a bar redrawn in place on a
// terminal, a line every 10% elsewhere.
type progressBar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	last     time.Time
	decile   int64
	sent     int64
	total    int64
	finished bool
}

func newProgressBar(w io.Writer, tty bool) *progressBar {
	return &progressBar{w: w, tty: tty, decile: -1}
}

// report is a fintract.File.Progress callback.
func (p *progressBar) report(sent, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent, p.total = sent, total
	switch {
	case p.tty:
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || (total > 0 && sent == total) {
			p.last = now
			p.draw()
		}
	case total > 0:
		if d := sent * 10 / total; d > p.decile {
			p.decile = d
			fmt.Fprintf(p.w, "uploaded %d%% (%s of %s)\n", d*10, size(sent), size(total))
		}
	case sent == 0:
		fmt.Fprintln(p.w, "uploading (size unknown)")
	}
}

func (p *progressBar) draw() {
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%s sent", size(p.sent))
		return
	}
	const width = 30
	filled := int(p.sent * width / p.total)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %s / %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		p.sent*100/p.total, size(p.sent), size(p.total))
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
