package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPlainLines(t *testing.T) {
	var buf syncBuffer
	b := New("packing", 100, "images", Options{Out: &buf, Interval: 10 * time.Millisecond})
	b.Add(40)
	time.Sleep(50 * time.Millisecond)
	b.Finish()
	out := buf.String()
	if !strings.Contains(out, "packing: 40/100 images (40.0%)") || !strings.Contains(out, "ETA") {
		t.Fatalf("plain output %q lacks count, percentage or ETA", out)
	}
}

func TestQuiet(t *testing.T) {
	var buf syncBuffer
	b := New("packing", 10, "images", Options{Out: &buf, Quiet: true, Interval: time.Millisecond})
	b.Add(10)
	time.Sleep(10 * time.Millisecond)
	b.Finish()
	if buf.String() != "" || b.Done() != 10 {
		t.Fatalf("quiet bar wrote %q, counted %d", buf.String(), b.Done())
	}
}

func TestConcurrentAdd(t *testing.T) {
	b := New("x", -1, "items", Options{Quiet: true})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				b.Add(1)
			}
		}()
	}
	wg.Wait()
	if b.Done() != 8000 {
		t.Fatalf("Done = %d", b.Done())
	}
	if l := b.Line(); !strings.HasPrefix(l, "x: 8000 items") {
		t.Fatalf("line %q", l)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Finish ends a plain log with the final count when the job lasted an
// interval or more, and prints nothing for a shorter one.
func TestFinishLine(t *testing.T) {
	for _, tt := range []struct {
		interval time.Duration
		want     string
	}{
		{5 * time.Millisecond, "copying: 7/7 items (100.0%)"},
		{time.Hour, ""},
	} {
		var buf syncBuffer
		b := New("copying", 7, "items", Options{Out: &buf, Interval: tt.interval})
		time.Sleep(10 * time.Millisecond)
		b.Add(7)
		b.Finish()
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, tt.want) || tt.want == "" && buf.String() != "" {
			t.Errorf("interval %v: output %q, want a last line starting %q", tt.interval, buf.String(), tt.want)
		}
	}
}
