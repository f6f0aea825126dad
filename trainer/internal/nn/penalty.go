package nn

import (
	"fmt"
	"math"
)

// Penalty is the WGAN-GP gradient penalty of the reference's
// D_wgangp_acgan (loss.py), averaged over the batch as the reference's
// per-sample losses are:
//
//	P = mean_b λ·(s·‖g_b‖ − γ)²/γ²,  g = ∂(Σ_b D_b(x̂))/∂x̂,
//
// with the norm over all of C×H×W and D_b the first output feature (the
// score; further features, label logits, are ignored).
type Penalty[T Float] struct {
	Lambda T // λ, wgan_lambda: 10 in the reference
	Target T // γ, wgan_target: 1 in the reference

	// NormScale s multiplies the gradient norm; 0 means 1. The reference
	// takes the gradient with respect to the full-resolution input that D
	// average-pools by f = 2^floor(lod), so a D run at the native
	// resolution reproduces it with s = 1/f.
	NormScale T
}

// Accumulate evaluates P for the discriminator d at x̂ and adds ∂P/∂θ to
// d's parameter gradients, without touching them otherwise. It returns P.
//
// It runs four passes: Forward at x̂; BackwardInput for g; the frozen
// v = ∂P/∂g; Tangent in the direction v, whose output summed over the
// batch is ⟨g, v⟩; and TangentBackward of that sum, which is ∂P/∂θ since
// v does not depend on θ. A sample with g = 0 gets v = 0 (the norm has no
// derivative there; TF's would be NaN).
func (p Penalty[T]) Accumulate(d DualLayer[T], xhat *Tensor[T]) T {
	if p.Target == 0 {
		panic("nn: Penalty with Target 0")
	}
	s := p.NormScale
	if s == 0 {
		s = 1
	}
	y := d.Forward(xhat)
	n := xhat.Shape[0]
	if len(y.Shape) != 2 || y.Shape[0] != n {
		panic(fmt.Sprintf("nn: Penalty needs a [N, F] discriminator output, got %v", y.Shape))
	}
	// The seed selects the score of every sample, so BackwardInput gives
	// the gradient of their sum and ⟨seed, J·v⟩ = ⟨g, v⟩.
	seed := New[T](y.Shape...)
	for b := range n {
		seed.Data[b*y.Shape[1]] = 1
	}
	seed = ToDevice(y.dev, seed)
	g := d.BackwardInput(seed)
	// Only the per-sample norms leave a device; v is g scaled per sample.
	sq := rowSqNorms(g)
	coef := make([]T, n)
	var sum float64
	lambda, gamma, fs := float64(p.Lambda), float64(p.Target), float64(s)
	for b := range n {
		norm := math.Sqrt(sq[b])
		e := fs*norm - gamma
		sum += lambda * e * e / (gamma * gamma)
		if norm == 0 {
			continue
		}
		// ∂P/∂g_b = 2λ(s‖g_b‖ − γ)/γ² · s·g_b/‖g_b‖, divided by N for the mean.
		coef[b] = T(2 * lambda * e / (gamma * gamma) * fs / norm / float64(n))
	}
	v := scaleRows(g, coef)
	d.Tangent(v)
	d.TangentBackward(nil, seed)
	return T(sum / float64(n))
}
