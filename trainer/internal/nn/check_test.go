package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"testing"
)

// The finite-difference checks run the float64 instantiation of the layer
// code, where central differences with step h are accurate to about
// h² + 1e-16/h, so the analytic derivatives can be held to 1e-6.
const (
	fdStep = 1e-6
	fdTol  = 1e-6
)

// worst records the largest relative error of every kind of check, logged
// at the end of the run (go test -v) for the report.
var worst = struct {
	sync.Mutex
	err map[string]float64
}{err: map[string]float64{}}

func record(kind string, e float64) {
	worst.Lock()
	worst.err[kind] = max(worst.err[kind], e)
	worst.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		var kinds []string
		for k := range worst.err {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(os.Stderr, "worst relative error %-32s %.2g\n", k, worst.err[k])
		}
	}
	os.Exit(code)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func randTensor(rng *rand.Rand, shape ...int) *Tensor[float64] {
	t := New[float64](shape...)
	for i := range t.Data {
		t.Data[i] = rng.NormFloat64()
	}
	return t
}

func dot(a, b *Tensor[float64]) float64 {
	if a == nil || b == nil {
		return 0
	}
	var s float64
	for i, v := range a.Data {
		s += v * b.Data[i]
	}
	return s
}

// numGrad returns the central-difference gradient of f with respect to
// every element of p, which it perturbs in place and restores.
func numGrad(p []float64, h float64, f func() float64) []float64 {
	g := make([]float64, len(p))
	for i := range p {
		v := p[i]
		p[i] = v + h
		fp := f()
		p[i] = v - h
		fm := f()
		p[i] = v
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// relErr is max|got − want| over max|want|, the error relative to the
// size of the derivative being checked. The size is taken as at least 1e-2
// because the differences have an absolute error of up to about 1e-9 (the
// rounding of a loss of size 10 over the step): a few true derivatives are
// nearly zero, such as that of the minibatch statistic's tangent in x for
// groups of two, which is scale invariant. The derivatives checked are
// otherwise larger than 1e-2.
func relErr(got, want []float64) float64 {
	var d, m float64
	for i := range want {
		var g float64
		if got != nil {
			g = got[i]
		}
		d = max(d, math.Abs(g-want[i]))
		m = max(m, math.Abs(want[i]))
	}
	return d / max(m, 1e-2)
}

func check(t *testing.T, kind, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) && got != nil {
		t.Fatalf("%s %s: %d values, want %d", kind, what, len(got), len(want))
	}
	e := relErr(got, want)
	record(kind, e)
	if e > tol || math.IsNaN(e) {
		t.Errorf("%s %s: relative error %.3g > %.3g", kind, what, e, tol)
	}
}

func dataOf(t *Tensor[float64]) []float64 {
	if t == nil {
		return nil
	}
	return t.Data
}

// checkBackward compares Backward with finite differences of ⟨w, f(x)⟩ in
// x and in every parameter, and BackwardInput, if l is dual, with Backward.
func checkBackward(t *testing.T, l Layer[float64], dual bool, x *Tensor[float64], rng *rand.Rand) {
	t.Helper()
	w := randTensor(rng, l.Forward(x).Shape...)
	loss := func() float64 { return dot(w, l.Forward(x)) }

	ZeroGrad(l)
	l.Forward(x)
	dx := l.Backward(w).Clone()
	check(t, "backward/x", "dx", dx.Data, numGrad(x.Data, fdStep, loss), fdTol)
	for i, p := range Params(l) {
		g := append([]float64(nil), p.Grad...)
		check(t, "backward/θ", fmt.Sprint("param ", i), g, numGrad(p.Value, fdStep, loss), fdTol)
	}

	if !dual {
		return
	}
	d := l.(DualLayer[float64])
	ZeroGrad(l)
	l.Forward(x)
	di := d.BackwardInput(w)
	check(t, "backward-input", "dx", di.Data, dx.Data, 1e-12)
	for _, p := range Params(l) {
		check(t, "backward-input", "untouched grad", p.Grad, make([]float64, len(p.Grad)), 0)
	}
}

// checkTangentFD compares Tangent with the central difference of Forward in
// the direction tx.
func checkTangentFD(t *testing.T, l DualLayer[float64], x *Tensor[float64], rng *rand.Rand) {
	t.Helper()
	tx := randTensor(rng, x.Shape...)
	l.Forward(x)
	ty := l.Tangent(tx).Clone()

	xp, xm := x.Clone(), x.Clone()
	for i := range x.Data {
		xp.Data[i] += fdStep * tx.Data[i]
		xm.Data[i] -= fdStep * tx.Data[i]
	}
	yp, ym := l.Forward(xp).Clone(), l.Forward(xm)
	want := make([]float64, len(yp.Data))
	for i := range want {
		want[i] = (yp.Data[i] - ym.Data[i]) / (2 * fdStep)
	}
	check(t, "tangent", "ty", ty.Data, want, fdTol)
}

// checkTangentBackward compares TangentBackward with finite differences of
// ⟨w, y⟩ + ⟨u, ty⟩ in x, tx and every parameter, and, with a nil dy, of
// ⟨u, ty⟩ alone, the case the penalty uses at the output.
func checkTangentBackward(t *testing.T, l DualLayer[float64], x *Tensor[float64], rng *rand.Rand) {
	t.Helper()
	tx := randTensor(rng, x.Shape...)
	y := l.Forward(x)
	w := randTensor(rng, y.Shape...)
	u := randTensor(rng, y.Shape...)
	for _, primal := range []bool{true, false} {
		kind := "tangent-backward"
		if !primal {
			kind += "(dy=nil)"
		}
		loss := func() float64 {
			y := l.Forward(x)
			s := dot(u, l.Tangent(tx))
			if primal {
				s += dot(w, y)
			}
			return s
		}
		ZeroGrad(l)
		l.Forward(x)
		l.Tangent(tx)
		dy := w
		if !primal {
			dy = nil
		}
		dx, dtx := l.TangentBackward(dy, u)
		gx, gtx := append([]float64(nil), dataOf(dx)...), append([]float64(nil), dataOf(dtx)...)
		if dx == nil {
			gx = nil
		}
		grads := make([][]float64, 0)
		for _, p := range Params(l) {
			grads = append(grads, append([]float64(nil), p.Grad...))
		}
		check(t, kind+"/x", "dx", gx, numGrad(x.Data, fdStep, loss), fdTol)
		check(t, kind+"/tx", "dtx", gtx, numGrad(tx.Data, fdStep, loss), fdTol)
		for i, p := range Params(l) {
			check(t, kind+"/θ", fmt.Sprint("param ", i), grads[i], numGrad(p.Value, fdStep, loss), fdTol)
		}
	}
}

// randomize gives every parameter of l random values, so that biases are
// not zero and every path is exercised.
func randomize[T Float](l Layer[T], rng *rand.Rand) {
	for _, p := range Params(l) {
		for i := range p.Value {
			p.Value[i] = T(rng.NormFloat64())
		}
	}
}
