package nn

import (
	"fmt"
	"math"
	"testing"
)

// penaltyValue computes P = mean_b λ(s‖g_b‖ − γ)²/γ² with nothing but
// Forward and BackwardInput, independently of Penalty.Accumulate.
func penaltyValue(d DualLayer[float64], xhat *Tensor[float64], p Penalty[float64]) float64 {
	y := d.Forward(xhat)
	seed := like(y)
	n, f := y.Shape[0], y.Shape[1]
	for b := range n {
		seed.Data[b*f] = 1
	}
	g := d.BackwardInput(seed)
	k := g.Len() / n
	s := p.NormScale
	if s == 0 {
		s = 1
	}
	var sum float64
	for b := range n {
		var sq float64
		for _, v := range g.Data[b*k : (b+1)*k] {
			sq += v * v
		}
		e := s*math.Sqrt(sq) - p.Target
		sum += p.Lambda * e * e / (p.Target * p.Target)
	}
	return sum / float64(n)
}

// TestPenaltyGradient checks the WGAN-GP weight gradient, the point of the
// tangent passes, against finite differences of P(θ).
func TestPenaltyGradient(t *testing.T) {
	tests := []struct {
		name  string
		d     Sequential[float64]
		shape []int
		p     Penalty[float64]
	}{
		{"smallD", smallD[float64](1), []int{8, 3, 4, 4}, Penalty[float64]{Lambda: 10, Target: 1}},
		{"smallD/labels", smallD[float64](3), []int{4, 3, 4, 4}, Penalty[float64]{Lambda: 10, Target: 1}},
		{"smallD/target-and-scale", smallD[float64](1), []int{8, 3, 4, 4}, Penalty[float64]{Lambda: 10, Target: 2, NormScale: 0.25}},
		{"fadeD", fadeD[float64](0.3), []int{4, 3, 4, 4}, Penalty[float64]{Lambda: 10, Target: 1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := newRand(uint64(100 + i))
			randomize(tt.d, rng)
			xhat := randTensor(rng, tt.shape...)

			ZeroGrad(tt.d)
			pen := tt.p.Accumulate(tt.d, xhat)
			want := penaltyValue(tt.d, xhat, tt.p)
			if math.Abs(pen-want) > 1e-12*max(1, want) {
				t.Errorf("P = %v, want %v", pen, want)
			}
			for j, p := range Params(tt.d) {
				g := append([]float64(nil), p.Grad...)
				num := numGrad(p.Value, 1e-5, func() float64 { return penaltyValue(tt.d, xhat, tt.p) })
				check(t, "penalty/θ", fmt.Sprint("param ", j), g, num, 1e-6)
			}
		})
	}
}

// TestPenaltyAccumulates checks that Accumulate adds to the gradients
// rather than replacing them, and leaves out the score's own gradient.
func TestPenaltyAccumulates(t *testing.T) {
	rng := newRand(7)
	d := smallD[float64](1)
	randomize(d, rng)
	xhat := randTensor(rng, 4, 3, 4, 4)
	p := Penalty[float64]{Lambda: 10, Target: 1}
	ZeroGrad(d)
	p.Accumulate(d, xhat)
	var once [][]float64
	for _, q := range Params(d) {
		once = append(once, append([]float64(nil), q.Grad...))
	}
	p.Accumulate(d, xhat)
	for j, q := range Params(d) {
		for k := range q.Grad {
			if math.Abs(q.Grad[k]-2*once[j][k]) > 1e-12*(1+math.Abs(q.Grad[k])) {
				t.Fatalf("param %d[%d]: %v after two calls, %v after one", j, k, q.Grad[k], once[j][k])
			}
		}
	}
}
