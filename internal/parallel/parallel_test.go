package parallel

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestMapOrder(t *testing.T) {
	in := make([]int, 1000)
	for i := range in {
		in[i] = i
	}
	var got []int
	for r, err := range Map(context.Background(), slices.Values(in), 4, func(v int) (int, error) {
		if v%7 == 0 {
			time.Sleep(100 * time.Microsecond) // finish out of order
		}
		return v * v, nil
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("result %d = %d", i, v)
		}
	}
	if len(got) != len(in) {
		t.Fatalf("%d results", len(got))
	}
}

func TestMapErrorsStayInPlace(t *testing.T) {
	bad := errors.New("bad")
	var errs []int
	i := 0
	for _, err := range Map(context.Background(), slices.Values([]int{0, 1, 2, 3, 4}), 2, func(v int) (int, error) {
		if v%2 == 1 {
			return 0, bad
		}
		return v, nil
	}) {
		if err != nil {
			errs = append(errs, i)
		}
		i++
	}
	if !slices.Equal(errs, []int{1, 3}) {
		t.Fatalf("errors at %v", errs)
	}
}

func TestMapEarlyStop(t *testing.T) {
	var calls atomic.Int64
	n := 0
	for range Map(context.Background(), func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	}, 2, func(v int) (int, error) { calls.Add(1); return v, nil }) {
		if n++; n == 10 {
			break
		}
	}
	time.Sleep(10 * time.Millisecond)
	if c := calls.Load(); c > 10+2*2+2 {
		t.Fatalf("%d calls after stopping at 10: input not bounded", c)
	}
}

func TestMapCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last error
	n := 0
	for _, err := range Map(ctx, slices.Values(make([]int, 100)), 2, func(int) (int, error) { return 0, nil }) {
		if n++; n == 5 {
			cancel()
		}
		last = err
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("last error %v, want context.Canceled", last)
	}
}

// A slot that the feeder gives up on when the context is cancelled must
// carry the context's error, set before the slot is marked done: the
// consumer, choosing between that slot and the cancellation at random,
// would otherwise read a zero result with a nil error (a data race that
// go test -race reports).
func TestMapCancelledSlotCarriesError(t *testing.T) {
	for range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		release := make(chan struct{})
		f := func(i int) (int, error) {
			if i == 1 {
				// Cancel while the only worker is busy, so that the
				// feeder abandons slot 2, then finish.
				cancel()
				time.Sleep(5 * time.Millisecond)
				close(release)
			}
			return i + 1, nil
		}
		for r, err := range Map(ctx, slices.Values([]int{0, 1, 2, 3}), 1, f) {
			if r == 1 {
				<-release // hold item 0 until the rest has happened
			}
			if err == nil && r == 0 {
				t.Fatal("zero result with a nil error")
			}
		}
		cancel()
	}
}
