// Package progress reports the progress of long jobs on standard error, one
// way for every command: a bar with count, rate and ETA
// (github.com/schollz/progressbar/v3) when the stream is a terminal, a
// plain line every few seconds when it is not (logs, CI), and nothing when
// quiet. Counts may be added from several goroutines.
//
// A count is always a delta: Add(n) says n more items are done. Packages
// that report progress through a callback func(n int) call it with the
// items just done (pyramid's Verify and ExportZip, swd, msssim), so that
// the callback can be a Bar's Add.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Options configure a Bar. The zero value reports to os.Stderr, with a bar
// if it is a terminal and a line every PlainInterval otherwise.
type Options struct {
	Quiet    bool
	Out      io.Writer     // default os.Stderr
	Interval time.Duration // between plain lines; default PlainInterval
	Plain    bool          // plain lines even on a terminal
}

// PlainInterval is the time between plain lines when Options.Interval is
// 0. The commands' tests shorten it to see the lines.
var PlainInterval = 10 * time.Second

// Bar tracks one job of total items (total < 0 when unknown).
type Bar struct {
	desc, unit string
	total      int64
	done       atomic.Int64
	start      time.Time
	interval   time.Duration // plain mode
	out        io.Writer
	bar        *progressbar.ProgressBar // terminal mode
	stop       chan struct{}            // plain mode ticker
	wg         sync.WaitGroup
	once       sync.Once
}

// New starts reporting a job described by desc ("packing"), counting items
// named unit ("images").
func New(desc string, total int, unit string, opt Options) *Bar {
	b := &Bar{desc: desc, unit: unit, total: int64(total), start: time.Now(), out: opt.Out}
	if b.out == nil {
		b.out = os.Stderr
	}
	if opt.Quiet {
		return b
	}
	if f, ok := b.out.(*os.File); ok && !opt.Plain && term.IsTerminal(int(f.Fd())) {
		b.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(b.out),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionFullWidth(),
			progressbar.OptionClearOnFinish(),
		)
		return b
	}
	interval := opt.Interval
	if interval <= 0 {
		interval = PlainInterval
	}
	b.interval = interval
	b.stop = make(chan struct{})
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintln(b.out, b.Line())
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Add counts n more items done.
func (b *Bar) Add(n int) {
	b.done.Add(int64(n))
	if b.bar != nil {
		b.bar.Add(n)
	}
}

// Done returns the items counted so far.
func (b *Bar) Done() int { return int(b.done.Load()) }

// Line returns the plain progress line: count, percentage, rate and ETA.
func (b *Bar) Line() string {
	done := b.done.Load()
	el := time.Since(b.start)
	rate := float64(done) / el.Seconds()
	s := fmt.Sprintf("%s: %d", b.desc, done)
	if b.total >= 0 {
		s += fmt.Sprintf("/%d %s (%.1f%%)", b.total, b.unit, 100*float64(done)/float64(max(b.total, 1)))
	} else {
		s += " " + b.unit
	}
	s += fmt.Sprintf(", %.1f %s/s, %s elapsed", rate, b.unit, el.Round(time.Second))
	if b.total >= 0 && rate > 0 && done < b.total {
		eta := time.Duration(float64(b.total-done) / rate * float64(time.Second))
		s += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	return s
}

// Finish stops reporting. In plain mode a job that lasted an interval or
// more gets a last line, so that a log ends with the final count; a
// shorter one, and the terminal bar, print nothing: commands print their
// own summary on standard output.
func (b *Bar) Finish() {
	b.once.Do(func() {
		if b.bar != nil {
			b.bar.Finish()
		}
		if b.stop != nil {
			close(b.stop)
			b.wg.Wait()
			if time.Since(b.start) >= b.interval {
				fmt.Fprintln(b.out, b.Line())
			}
		}
	})
}

// Elapsed returns the time since the bar started.
func (b *Bar) Elapsed() time.Duration { return time.Since(b.start) }
