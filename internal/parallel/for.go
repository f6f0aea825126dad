package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls body on the chunks [lo, hi) of [0, n), step indices each
// (the last may be shorter), handed out in increasing order from a shared
// counter to workers goroutines (0: GOMAXPROCS), and returns when all are
// done. worker, in [0, workers), names the goroutine running the chunk, so
// that body can keep per-worker scratch memory in a slice without locking.
// Which worker runs a chunk varies from run to run: results that must not
// depend on it are written per index and combined by the caller.
func For(n, step, workers int, body func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	if step <= 0 {
		step = 1
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, (n+step-1)/step)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(step))) - step
				if lo >= n {
					return
				}
				body(w, lo, min(lo+step, n))
			}
		})
	}
	wg.Wait()
}
