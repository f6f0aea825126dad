package swd_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/swd"
)

// noise returns n images of side res of uniform random pixels, constant
// over blocks of block×block pixels.
func noise(n, res, block int, seed uint64) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		r := rand.New(rand.NewPCG(seed, 0))
		for range n {
			m := planar.NewImage(3, res)
			for c := range 3 {
				for y := 0; y < res; y += block {
					for x := 0; x < res; x += block {
						v := byte(r.IntN(256))
						for i := range block * block {
							m.Pix[(c*res+y+i/block)*res+x+i%block] = v
						}
					}
				}
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

func ExampleDistance() {
	reals := noise(16, 32, 1, 1)
	fakes := noise(16, 32, 2, 2) // coarser
	r, err := swd.Distance(context.Background(), reals, fakes, swd.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Resolutions, r.Images)
	fmt.Printf("%.1f %.1f\n", r.SWD[0], r.SWD[1])
	// Output:
	// [32 16] 16
	// 57.6 61.4
}

// The noise floor (the original's "Reals2" row): one set of reals against
// a second, disjoint one, on one Evaluator. In Numpy mode this sequence
// draws from the stream exactly as the original evaluation's "Reals" and
// "Reals2" passes do.
func ExampleEvaluator_noiseFloor() {
	ctx := context.Background()
	e, err := swd.New(swd.Options{Seed: 1000, Numpy: true})
	if err != nil {
		panic(err)
	}
	reals, err := e.Collect(ctx, noise(16, 32, 1, 1))
	if err != nil {
		panic(err)
	}
	if _, err := e.Compare(ctx, reals, reals); err != nil { // always 0; consumes its draws
		panic(err)
	}
	reals2, err := e.Collect(ctx, noise(16, 32, 1, 3))
	if err != nil {
		panic(err)
	}
	floor, err := e.Compare(ctx, reals, reals2)
	if err != nil {
		panic(err)
	}
	reals2.Release() // no longer needed: free its memory now
	fmt.Printf("%v %.1f %.1f\n", floor.Resolutions, floor.SWD[0], floor.SWD[1])
	// Later fake sets are scored against the same reals: e.Collect(fakes),
	// then e.Compare(reals, fakes).

	// Output:
	// [32 16] 41.6 64.2
}
