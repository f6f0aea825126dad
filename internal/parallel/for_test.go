package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForCoversOnce(t *testing.T) {
	for _, tc := range []struct{ n, step, workers int }{
		{0, 1, 4}, {1, 1, 4}, {10, 3, 2}, {100, 1, 8}, {1000, 32, 3}, {7, 10, 0},
	} {
		hits := make([]atomic.Int32, tc.n)
		nw := tc.workers
		if nw <= 0 {
			nw = 1 << 20
		}
		For(tc.n, tc.step, tc.workers, func(w, lo, hi int) {
			if w < 0 || w >= nw {
				t.Errorf("%+v: worker %d", tc, w)
			}
			if lo%tc.step != 0 || hi-lo > tc.step || hi <= lo || hi > tc.n {
				t.Errorf("%+v: chunk [%d, %d)", tc, lo, hi)
			}
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Errorf("%+v: index %d run %d times", tc, i, h)
			}
		}
	}
}

func TestForWorkerScratch(t *testing.T) {
	const workers = 4
	busy := make([]atomic.Bool, workers)
	For(1000, 1, workers, func(w, _, _ int) {
		if !busy[w].CompareAndSwap(false, true) {
			t.Errorf("worker %d runs two chunks at once", w)
		}
		busy[w].Store(false)
	})
}
