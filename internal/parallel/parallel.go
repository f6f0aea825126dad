// Package parallel runs a function over a sequence on several goroutines
// and hands the results back in input order, holding at most a fixed
// number in flight: the pattern every packing command uses to decode on
// all cores while the dataset is written in order.
package parallel

import (
	"context"
	"iter"
	"runtime"
)

// Map calls f on every element of in using workers goroutines (0:
// GOMAXPROCS) and yields the results in the order of in. At most
// 2·workers results are buffered. Stopping the iteration early, or
// cancelling ctx, stops the workers; after a cancel Map yields ctx.Err()
// once and ends.
func Map[T, R any](ctx context.Context, in iter.Seq[T], workers int, f func(T) (R, error)) iter.Seq2[R, error] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type slot struct {
		v    T
		r    R
		err  error
		done chan struct{}
	}
	return func(yield func(R, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		jobs := make(chan *slot)
		order := make(chan *slot, 2*workers)
		for range workers {
			go func() {
				for s := range jobs {
					s.r, s.err = f(s.v)
					close(s.done)
				}
			}()
		}
		go func() {
			defer close(order)
			defer close(jobs)
			for v := range in {
				s := &slot{v: v, done: make(chan struct{})}
				select {
				case order <- s:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- s:
				case <-ctx.Done():
					// The error is set before done is closed: the
					// consumer may pick this slot over the cancellation.
					s.err = ctx.Err()
					close(s.done)
					return
				}
			}
		}()
		for s := range order {
			select {
			case <-s.done:
			case <-ctx.Done():
				var zero R
				yield(zero, ctx.Err())
				return
			}
			if !yield(s.r, s.err) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			var zero R
			yield(zero, err)
		}
	}
}
