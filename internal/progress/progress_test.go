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
