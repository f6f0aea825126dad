package nn

import (
	"math"
	"runtime"
	"testing"
)

// TestAdam checks two steps against values worked out by hand from
// TensorFlow's ApplyAdam, for the reference's β1 = 0 and for β1 = 0.9,
// where the bias correction 1/(1 − β1^t) matters.
func TestAdam(t *testing.T) {
	const lr, eps = 0.001, 1e-8
	g1, g2 := []float64{0.5, -2, 0}, []float64{-1, 1, 3}
	for _, tc := range []struct {
		beta1, beta2 float64
	}{{0, 0.99}, {0.9, 0.999}} {
		p := newParam[float64](3)
		copy(p.Value, []float64{1, 2, 3})
		a := NewAdam([]*Param[float64]{p}, tc.beta1, tc.beta2, eps)

		// By hand: m, v, θ for the two steps.
		theta := []float64{1, 2, 3}
		m, v := make([]float64, 3), make([]float64, 3)
		for step, g := range [][]float64{g1, g2} {
			tt := float64(step + 1)
			alpha := lr * math.Sqrt(1-math.Pow(tc.beta2, tt)) / (1 - math.Pow(tc.beta1, tt))
			for i := range theta {
				m[i] = tc.beta1*m[i] + (1-tc.beta1)*g[i]
				v[i] = tc.beta2*v[i] + (1-tc.beta2)*g[i]*g[i]
				theta[i] -= alpha * m[i] / (math.Sqrt(v[i]) + eps)
			}
			copy(p.Grad, g)
			if !a.Step(lr) {
				t.Fatalf("β1 %g: step %d skipped", tc.beta1, step+1)
			}
			for i := range theta {
				if d := math.Abs(p.Value[i] - theta[i]); d > 1e-14 {
					t.Errorf("β1 %g step %d: θ[%d] = %.17g, want %.17g", tc.beta1, step+1, i, p.Value[i], theta[i])
				}
			}
		}
		if a.Steps != 2 {
			t.Errorf("Steps = %d, want 2", a.Steps)
		}
	}

	// The reference's first step moves every weight with a nonzero
	// gradient by lr·√(1−β2)/(√(1−β2)|g| + ε)·|g| ≈ lr against its sign.
	p := newParam[float32](2)
	copy(p.Grad, []float32{3, -0.25})
	a := NewAdam([]*Param[float32]{p}, 0, 0.99, 1e-8)
	a.Step(0.001)
	if math.Abs(float64(p.Value[0])+0.001) > 1e-9 || math.Abs(float64(p.Value[1])-0.001) > 1e-9 {
		t.Errorf("first float32 step: %v, want [-0.001 0.001]", p.Value)
	}
}

func TestAdamSkipsNonFiniteAndResets(t *testing.T) {
	p, q := newParam[float32](2), newParam[float32](1)
	a := NewAdam([]*Param[float32]{p, q}, 0, 0.99, 1e-8)
	copy(p.Grad, []float32{1, 1})
	q.Grad[0] = 1
	a.Step(0.01)
	before := append([]float32(nil), p.Value...)
	vBefore := append([]float32(nil), a.V[0]...)
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		q.Grad[0] = bad
		if a.Step(0.01) {
			t.Fatalf("gradient %v: step taken", bad)
		}
		if p.Value[0] != before[0] || a.V[0][0] != vBefore[0] || a.Steps != 1 {
			t.Fatalf("gradient %v: state changed", bad)
		}
	}
	a.Reset()
	if a.Steps != 0 || a.V[0][0] != 0 || a.M[1][0] != 0 || a.Beta2Power != 0.99 || a.Beta1Power != 0 {
		t.Errorf("Reset left state: steps %d v %v m %v powers %v %v", a.Steps, a.V[0], a.M[1], a.Beta1Power, a.Beta2Power)
	}
}

func TestMovingAverage(t *testing.T) {
	avg, src := newParam[float64](2), newParam[float64](2)
	copy(avg.Value, []float64{1, 2})
	copy(src.Value, []float64{3, -2})
	MovingAverage([]*Param[float64]{avg}, []*Param[float64]{src}, 0.999)
	want := []float64{3 + (1-3)*0.999, -2 + (2+2)*0.999}
	for i := range want {
		if math.Abs(avg.Value[i]-want[i]) > 1e-15 {
			t.Errorf("avg[%d] = %g, want %g", i, avg.Value[i], want[i])
		}
	}
}

// TestConvGradientDeterministic checks that the weight gradient of a batch
// split over goroutines is the same to the bit on every run, which
// resuming a training run exactly depends on.
func TestConvGradientDeterministic(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2 to split the batch")
	}
	rng := newRand(7)
	l := NewConv2D[float32](16, 16, 3, math.Sqrt2, rng)
	x, dy := to32(randTensor(rng, 8, 16, 16, 16)), to32(randTensor(rng, 8, 16, 16, 16))
	var first []float32
	for range 20 {
		clear(l.W.Grad)
		l.Forward(x)
		l.Backward(dy)
		if first == nil {
			first = append([]float32(nil), l.W.Grad...)
			continue
		}
		for i := range first {
			if l.W.Grad[i] != first[i] {
				t.Fatalf("weight gradient %d differs between runs: %g vs %g", i, l.W.Grad[i], first[i])
			}
		}
	}
}
