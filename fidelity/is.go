package fidelity

import (
	"fmt"
	"math"

	"github.com/progan/progan/internal/nprand"
)

// ISOptions are the Inception Score's settings; the zero value means
// torch-fidelity's defaults.
type ISOptions struct {
	Splits    int    // number of splits (default 10)
	Seed      uint64 // numpy RandomState seed of the shuffle, below 2³² (default 2020; set Seeded for 0)
	Seeded    bool   // use Seed even when it is 0
	NoShuffle bool   // split in input order (torch-fidelity's samples_shuffle=False)
}

// ISAccumulator computes the Inception Score of n logit vectors streamed in
// input order, keeping per split only the sum of the class probabilities
// and of p·log p, not the vectors.
//
// It follows torch-fidelity's isc_features_to_metric: the vectors are
// shuffled with numpy's RandomState(Seed).permutation(n) and cut into
// Splits chunks [i·n/Splits, (i+1)·n/Splits); in each, with p the softmax
// (float64) and q the chunk's mean p, the score is exp of the mean over
// the chunk of KL(p‖q) = Σ p·log p − Σ p·log q; the result is the mean and
// the (population) standard deviation of the chunks' scores.
type ISAccumulator struct {
	n, classes int
	split      []int // split of each input position
	count      []int
	plogp      []float64   // per split: Σ p·log p
	psum       [][]float64 // per split: Σ p
	added      int
	prob, logp []float64
}

// NewISAccumulator returns an accumulator for n vectors of classes logits.
func NewISAccumulator(n, classes int, opt ISOptions) (*ISAccumulator, error) {
	if opt.Splits == 0 {
		opt.Splits = 10
	}
	if opt.Seed == 0 && !opt.Seeded {
		opt.Seed = 2020
	}
	if opt.Seed > math.MaxUint32 {
		return nil, fmt.Errorf("fidelity: IS: seed %d: numpy's RandomState takes seeds below 2³²", opt.Seed)
	}
	if opt.Splits < 1 || n < opt.Splits || classes < 1 {
		return nil, fmt.Errorf("fidelity: IS: %d images in %d splits: need at least one image per split", n, opt.Splits)
	}
	a := &ISAccumulator{
		n: n, classes: classes,
		split: make([]int, n),
		count: make([]int, opt.Splits),
		plogp: make([]float64, opt.Splits),
		psum:  make([][]float64, opt.Splits),
		prob:  make([]float64, classes),
		logp:  make([]float64, classes),
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !opt.NoShuffle {
		order = nprand.New(uint32(opt.Seed)).Permutation(n)
	}
	for pos, src := range order {
		// Position pos of the shuffled order holds input src.
		s := splitOf(pos, n, opt.Splits)
		a.split[src] = s
	}
	for s := range a.psum {
		a.psum[s] = make([]float64, classes)
	}
	return a, nil
}

// splitOf returns the split of shuffled position pos: the i with
// i·n/splits ≤ pos < (i+1)·n/splits.
func splitOf(pos, n, splits int) int {
	i := pos * splits / n
	for i > 0 && pos < i*n/splits {
		i--
	}
	for i+1 < splits && pos >= (i+1)*n/splits {
		i++
	}
	return i
}

// Add adds the logits of the next input.
func (a *ISAccumulator) Add(logits []float32) error {
	if len(logits) != a.classes {
		return fmt.Errorf("fidelity: IS: %d logits, want %d", len(logits), a.classes)
	}
	if a.added >= a.n {
		return fmt.Errorf("fidelity: IS: more than the %d inputs announced", a.n)
	}
	s := a.split[a.added]
	a.added++
	maxv := math.Inf(-1)
	for _, v := range logits {
		maxv = max(maxv, float64(v))
	}
	var z float64
	for i, v := range logits {
		a.prob[i] = math.Exp(float64(v) - maxv)
		z += a.prob[i]
	}
	lz := math.Log(z)
	var pl float64
	ps := a.psum[s]
	for i, v := range logits {
		lp := float64(v) - maxv - lz
		p := a.prob[i] / z
		pl += p * lp
		ps[i] += p
	}
	a.plogp[s] += pl
	a.count[s]++
	return nil
}

// Score returns the mean and standard deviation of the splits' scores,
// once all n inputs have been added.
func (a *ISAccumulator) Score() (mean, std float64, err error) {
	if a.added != a.n {
		return 0, 0, fmt.Errorf("fidelity: IS: %d of %d inputs added", a.added, a.n)
	}
	scores := make([]float64, len(a.count))
	for s, c := range a.count {
		cn := float64(c)
		// mean KL = (Σ p·log p)/c − Σ q·log q, q = Σp/c.
		var qlq float64
		for _, v := range a.psum[s] {
			if q := v / cn; q > 0 {
				qlq += q * math.Log(q)
			}
		}
		scores[s] = math.Exp(a.plogp[s]/cn - qlq)
	}
	mean = meanOf(scores)
	var ss float64
	for _, v := range scores {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(scores))), nil
}
