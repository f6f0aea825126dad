package nn

import (
	"math"
	"testing"
)

// The reference point: a 3×3 convolution, batch 16, 128 → 128
// channels at 32×32, float32. Forward plus backward (input and weight
// gradients) is about 14.5 GFLOP; hand-written im2col + gonum Sgemm took
// 646 ms for it on the project's 2-core machines.
func benchConv(b *testing.B) (*Conv2D[float32], *Tensor[float32], *Tensor[float32]) {
	rng := newRand(1)
	l := NewConv2D[float32](128, 128, 3, math.Sqrt2, rng)
	x, dy := to32(randTensor(rng, 16, 128, 32, 32)), to32(randTensor(rng, 16, 128, 32, 32))
	b.ResetTimer()
	return l, x, dy
}

func BenchmarkConv2DForward(b *testing.B) {
	l, x, _ := benchConv(b)
	for b.Loop() {
		l.Forward(x)
	}
}

func BenchmarkConv2DForwardBackward(b *testing.B) {
	l, x, dy := benchConv(b)
	for b.Loop() {
		l.Forward(x)
		l.Backward(dy)
	}
	b.ReportMetric(14.5e9*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// The extra work of the gradient penalty on the same layer: BackwardInput
// for ∂D/∂x̂, then Tangent and TangentBackward.
func BenchmarkConv2DPenaltyPasses(b *testing.B) {
	l, x, dy := benchConv(b)
	for b.Loop() {
		l.Forward(x)
		l.BackwardInput(dy)
		l.Tangent(dy)
		l.TangentBackward(dy, dy)
	}
}
