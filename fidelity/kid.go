package fidelity

import (
	"fmt"
	"math"

	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/npsum"
	"github.com/progan/progan/internal/sgemm"
)

// KIDOptions are KID's settings; the zero value means torch-fidelity's
// defaults.
type KIDOptions struct {
	Subsets    int    // number of random subsets (default 100)
	SubsetSize int    // vectors per subset (default 1000)
	Seed       uint64 // numpy RandomState seed of the subsets, below 2³² (default 2020; set Seeded for 0)
	Seeded     bool   // use Seed even when it is 0
	Progress   func(subsets int)
}

func (o KIDOptions) withDefaults() KIDOptions {
	if o.Subsets == 0 {
		o.Subsets = 100
	}
	if o.SubsetSize == 0 {
		o.SubsetSize = 1000
	}
	if o.Seed == 0 && !o.Seeded {
		o.Seed = 2020
	}
	return o
}

// KID returns the Kernel Inception Distance between two sets of feature
// vectors (n1×dim and n2×dim, row-major) as torch-fidelity's
// kid_features_to_metric computes it: the unbiased estimate of the squared
// MMD with the polynomial kernel k(x, y) = (x·y/dim + 1)³, averaged over
// random subsets; it returns the mean and the standard deviation over the
// subsets. Each subset draws SubsetSize indices of set 1, then of set 2,
// without replacement from numpy's RandomState(Seed) (choice with
// replace=False: the first indices of a permutation), so the order of the
// sets matters: set 1 is torch-fidelity's input1, the generated images.
//
// The kernel and its sums are float32 with numpy 1.x's summation order and
// type promotion, as in torch-fidelity, because the estimate is a small
// difference of large sums and any other order moves it by about 1e-4 of
// itself.
func KID(f1 []float32, n1 int, f2 []float32, n2 int, dim int, opt KIDOptions) (mean, std float64, err error) {
	opt = opt.withDefaults()
	m := opt.SubsetSize
	if dim <= 0 || len(f1) != n1*dim || len(f2) != n2*dim {
		return 0, 0, fmt.Errorf("fidelity: KID: feature sets of %d and %d values for %d and %d vectors of %d", len(f1), len(f2), n1, n2, dim)
	}
	if m < 2 || opt.Subsets < 1 {
		return 0, 0, fmt.Errorf("fidelity: KID: %d subsets of %d: need at least 1 subset of 2", opt.Subsets, m)
	}
	if opt.Seed > math.MaxUint32 {
		return 0, 0, fmt.Errorf("fidelity: KID: seed %d: numpy's RandomState takes seeds below 2³²", opt.Seed)
	}
	if n1 < m || n2 < m {
		return 0, 0, fmt.Errorf("fidelity: KID: subset size %d is larger than a set (%d and %d vectors)", m, n1, n2)
	}
	rng := nprand.New(uint32(opt.Seed))
	x := make([]float32, m*dim)
	y := make([]float32, m*dim)
	kxx := make([]float32, m*m)
	kyy := make([]float32, m*m)
	kxy := make([]float32, m*m)
	mmds := make([]float64, opt.Subsets)
	gamma := float32(1 / float64(dim))
	for s := range mmds {
		gather(x, f1, rng.Permutation(n1)[:m], dim)
		gather(y, f2, rng.Permutation(n2)[:m], dim)
		polyKernel(kxx, x, x, m, dim, gamma)
		polyKernel(kyy, y, y, m, dim, gamma)
		polyKernel(kxy, x, y, m, dim, gamma)
		mmds[s] = mmd2(kxx, kxy, kyy, m)
		if opt.Progress != nil {
			opt.Progress(1)
		}
	}
	mean = meanOf(mmds)
	var ss float64
	for _, v := range mmds {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(mmds))), nil
}

func gather(dst, src []float32, idx []int, dim int) {
	for r, i := range idx {
		copy(dst[r*dim:(r+1)*dim], src[i*dim:(i+1)*dim])
	}
}

// polyKernel computes (a·bᵀ·γ + 1)³ in float32, as numpy evaluates
// (np.matmul(X, Y.T) * gamma + coef0) ** degree.
func polyKernel(k, a, b []float32, m, dim int, gamma float32) {
	sgemm.Sgemm(false, true, m, m, dim, 1, a, dim, b, dim, 0, k, m)
	for i, v := range k {
		t := float32(v*gamma) + 1
		k[i] = float32(float64(t) * float64(t) * float64(t))
	}
}

// mmd2 is torch-fidelity's unbiased mmd2 with numpy 1.x's float32 sums
// (row sums and totals pairwise, column sums row after row) and its
// promotion of float32 scalars to float64 in the final arithmetic.
func mmd2(kxx, kxy, kyy []float32, m int) float64 {
	offDiagSum := func(k []float32) float32 {
		sums := make([]float32, m)
		for i := range m {
			sums[i] = npsum.Sum(k[i*m:(i+1)*m]) - k[i*m+i]
		}
		return npsum.Sum(sums)
	}
	txx := offDiagSum(kxx)
	tyy := offDiagSum(kyy)
	cols := make([]float32, m)
	for i := range m {
		row := kxy[i*m : (i+1)*m]
		for j, v := range row {
			cols[j] += v
		}
	}
	kxySum := npsum.Sum(cols)
	r := float64(txx+tyy) / float64(m*(m-1))
	r -= 2 * float64(kxySum) / float64(m*m)
	return r
}

// meanOf is np.mean of a float64 vector (pairwise summation).
func meanOf(v []float64) float64 {
	return npsum.Sum(v) / float64(len(v))
}
