package fidelity_test

import (
	"fmt"

	"github.com/progan/progan/fidelity"
)

// FID of two sets of one-feature vectors: means 1 and 3, variances 2 and 8,
// so (1−3)² + 2 + 8 − 2·√(2·8) = 6.
func ExampleFID() {
	stats := func(vs ...float32) *fidelity.Stats {
		a := fidelity.NewAccumulator(1)
		for _, v := range vs {
			a.Add([]float32{v})
		}
		s, err := a.Stats()
		if err != nil {
			panic(err)
		}
		return s
	}
	fid, err := fidelity.FID(stats(0, 2), stats(1, 5))
	if err != nil {
		panic(err)
	}
	fmt.Printf("FID %.4f\n", fid)
	// Output: FID 6.0000
}

// Two images, each sure of its own class: the marginal is uniform over the
// two classes and each KL divergence is log 2, so the score is 2.
func ExampleISAccumulator() {
	a, err := fidelity.NewISAccumulator(2, 3, fidelity.ISOptions{Splits: 1})
	if err != nil {
		panic(err)
	}
	a.Add([]float32{100, 0, 0})
	a.Add([]float32{0, 100, 0})
	mean, std, err := a.Score()
	if err != nil {
		panic(err)
	}
	fmt.Printf("IS %.4f ± %.4f\n", mean, std)
	// Output: IS 2.0000 ± 0.0000
}

// KID compares sets by the squared MMD of a polynomial kernel: near 0 for
// sets from one distribution (the unbiased estimate can be slightly
// negative), larger when one set is shifted. torch-fidelity's
// kid_features_to_metric prints the same on these features (kid_subsets=5,
// kid_subset_size=20, rng_seed=2020, from numpy float32 arrays built the
// same way).
func ExampleKID() {
	set := func(n int, shift float32) []float32 {
		f := make([]float32, 0, n*4)
		for i := range n {
			for j := range 4 {
				f = append(f, float32((i*7+j*3)%10)/10+shift)
			}
		}
		return f
	}
	opt := fidelity.KIDOptions{Subsets: 5, SubsetSize: 20}
	same, _, err := fidelity.KID(set(40, 0), 40, set(40, 0), 40, 4, opt)
	if err != nil {
		panic(err)
	}
	shifted, _, err := fidelity.KID(set(40, 1), 40, set(40, 0), 40, 4, opt)
	if err != nil {
		panic(err)
	}
	fmt.Printf("same %.3f, shifted %.3f\n", same, shifted)
	// Output: same -0.027, shifted 22.854
}
