package fidelity

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Stats are the statistics FID compares: the number of feature vectors,
// their mean and their covariance.
type Stats struct {
	N    int
	Dim  int
	Mean []float64 // torch-fidelity's mu: the float32 mean, as float64
	Cov  []float64 // Dim×Dim, row-major, unbiased (divided by N−1)
}

// Accumulator gathers Stats from feature vectors streamed in, holding only
// running sums: Dim² float64 values however many vectors come.
type Accumulator struct {
	dim   int
	n     int
	sum32 []float32 // the float32 running sum numpy's mean computes
	shift []float64 // the first batch's mean, subtracted for accuracy
	sum   []float64 // Σ (x − shift)
	outer []float64 // Σ (x − shift)(x − shift)ᵀ, upper triangle
	batch []float64 // pending rows, minus shift
	nb    int
}

// accBatch is the number of vectors folded into the outer-product sum at
// once (one symmetric rank-k update).
const accBatch = 256

// NewAccumulator returns an Accumulator of vectors of dim features.
func NewAccumulator(dim int) *Accumulator {
	return &Accumulator{
		dim:   dim,
		sum32: make([]float32, dim),
		sum:   make([]float64, dim),
		outer: make([]float64, dim*dim),
		batch: make([]float64, accBatch*dim),
	}
}

// Add adds one feature vector.
func (a *Accumulator) Add(f []float32) {
	if len(f) != a.dim {
		panic(fmt.Sprintf("fidelity: feature vector of %d values, want %d", len(f), a.dim))
	}
	for i, v := range f {
		a.sum32[i] += v
	}
	row := a.batch[a.nb*a.dim : (a.nb+1)*a.dim]
	for i, v := range f {
		row[i] = float64(v)
	}
	a.nb++
	a.n++
	if a.nb == accBatch {
		a.flush()
	}
}

func (a *Accumulator) flush() {
	if a.nb == 0 {
		return
	}
	rows := a.batch[:a.nb*a.dim]
	if a.shift == nil {
		a.shift = make([]float64, a.dim)
		for r := range a.nb {
			for i, v := range rows[r*a.dim : (r+1)*a.dim] {
				a.shift[i] += v
			}
		}
		for i := range a.shift {
			a.shift[i] /= float64(a.nb)
		}
	}
	for r := range a.nb {
		row := rows[r*a.dim : (r+1)*a.dim]
		for i := range row {
			row[i] -= a.shift[i]
			a.sum[i] += row[i]
		}
	}
	blas64.Implementation().Dsyrk(blas.Upper, blas.Trans, a.dim, a.nb, 1, rows, a.dim, 1, a.outer, a.dim)
	a.nb = 0
}

// N returns the number of vectors added.
func (a *Accumulator) N() int { return a.n }

// Stats returns the statistics of the vectors added so far (at least 2).
func (a *Accumulator) Stats() (*Stats, error) {
	if a.n < 2 {
		return nil, fmt.Errorf("fidelity: %d feature vectors: need at least 2 for a covariance", a.n)
	}
	a.flush()
	d, n := a.dim, float64(a.n)
	s := &Stats{N: a.n, Dim: d, Mean: make([]float64, d), Cov: make([]float64, d*d)}
	for i, v := range a.sum32 {
		// np.mean of float32 features: the float32 sum over the
		// vectors in order, divided in float32.
		s.Mean[i] = float64(v / float32(a.n))
	}
	// Σ(x−μ)(x−μ)ᵀ = Σ(x−s)(x−s)ᵀ − n·(μ−s)(μ−s)ᵀ with μ−s = Σ(x−s)/n.
	for i := range d {
		mi := a.sum[i] / n
		for j := i; j < d; j++ {
			c := (a.outer[i*d+j] - n*mi*(a.sum[j]/n)) / (n - 1)
			s.Cov[i*d+j], s.Cov[j*d+i] = c, c
		}
	}
	return s, nil
}

// FID returns the Fréchet distance between the Gaussians of two Stats,
// ‖μ₁−μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr √(Σ₁Σ₂), as torch-fidelity's
// fid_statistics_to_metric defines it: the squared mean difference from
// the float32 means, and tr √(Σ₁Σ₂) as the sum of the square roots of the
// eigenvalues of Σ₁Σ₂, negative ones counting 0 (numpy takes the real part
// of their complex roots).
//
// Those eigenvalues are found without forming Σ₁Σ₂: with Σ₁ = LLᵀ (a
// pivoted Cholesky factorisation, L of Σ₁'s rank r), Σ₁Σ₂ has the
// eigenvalues of the symmetric r×r matrix LᵀΣ₂L. This is exact arithmetic's
// same number, faster and without the complex rounding noise of a
// non-symmetric eigensolver.
func FID(a, b *Stats) (float64, error) {
	if a.Dim != b.Dim || len(a.Mean) != a.Dim || len(b.Mean) != b.Dim || len(a.Cov) != a.Dim*a.Dim || len(b.Cov) != b.Dim*b.Dim {
		return 0, fmt.Errorf("fidelity: statistics of %d and %d features", a.Dim, b.Dim)
	}
	d := a.Dim
	var dd float64
	for i := range d {
		// diff = mu1 − mu2 in float32, as numpy subtracts float32 means.
		x := float64(float32(a.Mean[i]) - float32(b.Mean[i]))
		dd += x * x
	}
	dd = float64(float32(dd)) // diff.dot(diff) is a float32
	var tr1, tr2 float64
	for i := range d {
		tr1 += a.Cov[i*d+i]
		tr2 += b.Cov[i*d+i]
	}
	trc, err := traceSqrtProduct(a.Cov, b.Cov, d)
	if err != nil {
		return 0, err
	}
	return dd + tr1 + tr2 - 2*trc, nil
}

// errNotPSD reports a covariance with a clearly negative pivot.
var errNotPSD = errors.New("fidelity: covariance is not positive semi-definite")

// traceSqrtProduct returns Σ √max(λ, 0) over the eigenvalues λ of s1·s2,
// two symmetric positive semi-definite d×d matrices.
func traceSqrtProduct(s1, s2 []float64, d int) (float64, error) {
	l, r, err := pivotedCholesky(s1, d)
	if err != nil {
		return 0, err
	}
	if r == 0 {
		return 0, nil
	}
	L := mat.NewDense(d, r, l)
	S2 := mat.NewDense(d, d, s2)
	var t mat.Dense
	t.Mul(S2, L) // d×r
	m := mat.NewDense(r, r, nil)
	m.Mul(L.T(), &t)
	sym := mat.NewSymDense(r, nil)
	for i := range r {
		for j := i; j < r; j++ {
			// Symmetrise: rounding leaves the two halves a few ulps apart.
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var e mat.EigenSym
	if !e.Factorize(sym, false) {
		return 0, errors.New("fidelity: eigenvalues of the covariance product did not converge")
	}
	var sum float64
	for _, v := range e.Values(nil) {
		if v > 0 {
			sum += math.Sqrt(v)
		}
	}
	return sum, nil
}

// pivotedCholesky factors the positive semi-definite d×d matrix a as
// L·Lᵀ with L of r columns (r the numerical rank, with LAPACK dpstrf's
// default tolerance d·ε·max aᵢᵢ), choosing the largest remaining diagonal
// as each pivot. L is returned row-major, d×r, rows in a's order.
func pivotedCholesky(a []float64, d int) ([]float64, int, error) {
	L := make([]float64, d*d) // row i: L[i*d : i*d+r]
	diag := make([]float64, d)
	var maxd float64
	for i := range d {
		diag[i] = a[i*d+i]
		maxd = max(maxd, diag[i])
	}
	// Against the largest diagonal of all, not of those before: a
	// rounding-sized negative variance is tolerated wherever it stands.
	for i := range d {
		if diag[i] < 0 && -diag[i] > 1e-9*math.Abs(maxd) {
			return nil, 0, errNotPSD
		}
	}
	tol := float64(d) * 0x1p-52 * maxd
	done := make([]bool, d)
	r := 0
	for j := range d {
		p := -1
		for i := range d {
			if !done[i] && (p < 0 || diag[i] > diag[p]) {
				p = i
			}
		}
		if p < 0 || !(diag[p] > tol) {
			break
		}
		done[p] = true
		piv := math.Sqrt(diag[p])
		lp := L[p*d : p*d+j]
		L[p*d+j] = piv
		for i := range d {
			if done[i] {
				continue
			}
			li := L[i*d : i*d+j]
			s := a[i*d+p]
			for k, v := range lp {
				s -= li[k] * v
			}
			v := s / piv
			L[i*d+j] = v
			diag[i] -= v * v
		}
		r++
	}
	// Compact to d×r.
	out := make([]float64, d*r)
	for i := range d {
		copy(out[i*r:(i+1)*r], L[i*d:i*d+r])
	}
	return out, r, nil
}
