package nn

import (
	"math"
	"strings"
	"testing"
)

// smallD is a discriminator in the shape of the reference's D_paper at
// 4×4, shrunk: FromRGB 1×1, lrelu, conv 3×3, lrelu, average pool (the
// fused conv-down of the reference), minibatch stddev, conv 3×3, lrelu,
// dense, lrelu, dense to the score and outputs−1 label logits. Its input is
// [N, 3, 4, 4], N a multiple of 4.
func smallD[T Float](outputs int) Sequential[T] {
	return Sequential[T]{
		NewConv2D[T](3, 4, 1, math.Sqrt2, nil), NewBias[T](4), &LeakyReLU[T]{Slope: 0.2},
		NewConv2D[T](4, 4, 3, math.Sqrt2, nil), NewBias[T](4), &LeakyReLU[T]{Slope: 0.2},
		&Downscale2D[T]{},
		&MinibatchStddev[T]{},
		NewConv2D[T](5, 4, 3, math.Sqrt2, nil), NewBias[T](4), &LeakyReLU[T]{Slope: 0.2},
		NewDense[T](4*2*2, 3, math.Sqrt2, nil), NewBias[T](3), &LeakyReLU[T]{Slope: 0.2},
		NewDense[T](3, outputs, 1, nil), NewBias[T](outputs),
	}
}

// fadeD is a discriminator during a 2×2 → 4×4 transition, built as the
// reference's D_paper: the 4×4 FromRGB and block blended with the average
// pooled input through the 2×2 FromRGB, then smallD's 4×4 block from the
// minibatch stddev on. Its input is [N, 3, 4, 4].
func fadeD[T Float](alpha T) Sequential[T] {
	return append(Sequential[T]{
		&Fade[T]{
			New: Sequential[T]{
				NewConv2D[T](3, 2, 1, math.Sqrt2, nil), NewBias[T](2), &LeakyReLU[T]{Slope: 0.2},
				NewConv2D[T](2, 4, 3, math.Sqrt2, nil), NewBias[T](4), &LeakyReLU[T]{Slope: 0.2},
				&Downscale2D[T]{},
			},
			Old:   Sequential[T]{&Downscale2D[T]{}, NewConv2D[T](3, 4, 1, math.Sqrt2, nil), NewBias[T](4), &LeakyReLU[T]{Slope: 0.2}},
			Alpha: alpha,
		},
	}, smallD[T](1)[7:]...)
}

type layerCase[T Float] struct {
	name  string
	layer Layer[T]
	shape []int // of the input
	dual  bool  // whether the tangent passes exist
}

// layerCases returns every layer on small odd shapes, so that mixed-up
// axes show, plus the composed discriminators.
func layerCases[T Float]() []layerCase[T] {
	return []layerCase[T]{
		{"Conv2D/3x3", NewConv2D[T](3, 2, 3, math.Sqrt2, nil), []int{2, 3, 4, 5}, true},
		{"Conv2D/1x1", NewConv2D[T](3, 4, 1, 1, nil), []int{2, 3, 3, 2}, true},
		{"Conv2D/5x5", NewConv2D[T](2, 3, 5, math.Sqrt2, nil), []int{1, 2, 5, 4}, true},
		{"Conv2D/3x3-on-1x1", NewConv2D[T](2, 2, 3, math.Sqrt2, nil), []int{3, 2, 1, 1}, true},
		{"Dense", NewDense[T](5, 4, math.Sqrt2, nil), []int{3, 5}, true},
		{"Dense/flatten", NewDense[T](8, 3, 1, nil), []int{2, 2, 2, 2}, true},
		{"Bias/map", NewBias[T](3), []int{2, 3, 2, 2}, true},
		{"Bias/vector", NewBias[T](4), []int{3, 4}, true},
		{"LeakyReLU", &LeakyReLU[T]{Slope: 0.2}, []int{2, 3, 3, 3}, true},
		{"Upscale2D", &Upscale2D[T]{}, []int{2, 2, 3, 2}, true},
		{"Upscale2D/3", &Upscale2D[T]{Factor: 3}, []int{1, 2, 2, 2}, true},
		{"Downscale2D", &Downscale2D[T]{}, []int{2, 2, 4, 6}, true},
		{"Downscale2D/4", &Downscale2D[T]{Factor: 4}, []int{1, 1, 8, 4}, true},
		{"Reshape", &Reshape[T]{Shape: []int{3, 2, 2}}, []int{2, 12}, true},
		{"MinibatchStddev/8-in-2-groups", &MinibatchStddev[T]{}, []int{8, 3, 2, 2}, true},
		{"MinibatchStddev/batch-2", &MinibatchStddev[T]{}, []int{2, 2, 3, 3}, true},
		{"MinibatchStddev/groups-of-3", &MinibatchStddev[T]{GroupSize: 3}, []int{6, 2, 2, 2}, true},
		{"PixelNorm/map", &PixelNorm[T]{}, []int{2, 4, 2, 3}, false},
		{"PixelNorm/vector", &PixelNorm[T]{}, []int{3, 5}, false},
		{"Fade", &Fade[T]{New: NewConv2D[T](2, 3, 1, 1, nil), Old: Sequential[T]{NewConv2D[T](2, 3, 3, 1, nil), &LeakyReLU[T]{Slope: 0.2}}, Alpha: 0.3}, []int{2, 2, 3, 3}, true},
		{"Sequential/G-start", Sequential[T]{&PixelNorm[T]{}, NewDense[T](4, 2*16, math.Sqrt2/4, nil), &Reshape[T]{Shape: []int{2, 4, 4}}, NewBias[T](2), &LeakyReLU[T]{Slope: 0.2}, &PixelNorm[T]{}, &Upscale2D[T]{}}, []int{2, 4}, false},
		{"Sequential/smallD", smallD[T](2), []int{8, 3, 4, 4}, true},
		{"Sequential/fadeD", fadeD[T](0.3), []int{4, 3, 4, 4}, true},
	}
}

func TestLayerDerivatives(t *testing.T) {
	for i, c := range layerCases[float64]() {
		t.Run(c.name, func(t *testing.T) {
			rng := newRand(uint64(i))
			randomize(c.layer, rng)
			x := randTensor(rng, c.shape...)
			checkBackward(t, c.layer, c.dual, x, rng)
			if !c.dual {
				return
			}
			d := c.layer.(DualLayer[float64])
			checkTangentFD(t, d, x, rng)
			checkTangentBackward(t, d, x, rng)
		})
	}
}

func TestLerp(t *testing.T) {
	rng := newRand(1)
	l := Lerp[float64]{Alpha: 0.3}
	a, b := randTensor(rng, 2, 3, 2, 2), randTensor(rng, 2, 3, 2, 2)
	ta, tb := randTensor(rng, a.Shape...), randTensor(rng, a.Shape...)
	w, u := randTensor(rng, a.Shape...), randTensor(rng, a.Shape...)
	loss := func() float64 { return dot(w, l.Forward(a, b)) + dot(u, l.Tangent(ta, tb)) }

	da, db, dta, dtb := l.TangentBackward(w, u)
	check(t, "tangent-backward/x", "Lerp da", da.Data, numGrad(a.Data, fdStep, loss), fdTol)
	check(t, "tangent-backward/x", "Lerp db", db.Data, numGrad(b.Data, fdStep, loss), fdTol)
	check(t, "tangent-backward/tx", "Lerp dta", dta.Data, numGrad(ta.Data, fdStep, loss), fdTol)
	check(t, "tangent-backward/tx", "Lerp dtb", dtb.Data, numGrad(tb.Data, fdStep, loss), fdTol)
	da2, db2 := l.Backward(w)
	check(t, "backward/x", "Lerp da", da2.Data, da.Data, 0)
	check(t, "backward/x", "Lerp db", db2.Data, db.Data, 0)
	if y := l.Forward(a, b); y.Data[0] != a.Data[0]+(b.Data[0]-a.Data[0])*0.3 {
		t.Errorf("Lerp = %v", y.Data[0])
	}
}

// TestFloat32 runs every pass of every layer in float32 and compares with
// the float64 instantiation checked above.
func TestFloat32(t *testing.T) {
	c64, c32 := layerCases[float64](), layerCases[float32]()
	for i := range c64 {
		t.Run(c64[i].name, func(t *testing.T) {
			rng := newRand(uint64(i))
			l64, l32 := c64[i].layer, c32[i].layer
			randomize(l64, rng)
			for j, p := range Params(l32) {
				copy32(p.Value, Params(l64)[j].Value)
			}
			x := randTensor(rng, c64[i].shape...)
			tx := randTensor(rng, x.Shape...)
			x32, tx32 := to32(x), to32(tx)

			y := l64.Forward(x)
			w := randTensor(rng, y.Shape...)
			u := randTensor(rng, y.Shape...)
			check32(t, "forward", l32.Forward(x32), y)
			check32(t, "backward", l32.Backward(to32(w)), l64.Backward(w))
			if !c64[i].dual {
				return
			}
			d64, d32 := l64.(DualLayer[float64]), l32.(DualLayer[float32])
			check32(t, "tangent", d32.Tangent(tx32), d64.Tangent(tx))
			dx32, dtx32 := d32.TangentBackward(to32(w), to32(u))
			dx, dtx := d64.TangentBackward(w, u)
			check32(t, "tangent-backward dx", dx32, dx)
			check32(t, "tangent-backward dtx", dtx32, dtx)
			for j, p := range Params(l32) {
				g := make([]float64, len(p.Grad))
				for k, v := range p.Grad {
					g[k] = float64(v)
				}
				check(t, "float32", "param gradient", g, Params(l64)[j].Grad, 1e-5)
			}
		})
	}
}

func copy32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

func to32(t *Tensor[float64]) *Tensor[float32] {
	r := New[float32](t.Shape...)
	copy32(r.Data, t.Data)
	return r
}

func check32(t *testing.T, what string, got *Tensor[float32], want *Tensor[float64]) {
	t.Helper()
	if !equalShape(got.Shape, want.Shape) {
		t.Fatalf("%s: float32 shape %v, float64 %v", what, got.Shape, want.Shape)
	}
	g := make([]float64, len(got.Data))
	for i, v := range got.Data {
		g[i] = float64(v)
	}
	check(t, "float32", what, g, want.Data, 1e-5)
}

// The forward passes against direct transcriptions of the reference's
// definitions, which pin down the layouts (HWIO weights, NCHW flattening,
// strided minibatch groups) that the derivative checks cannot.

func TestConv2DForward(t *testing.T) {
	for _, k := range []int{1, 3, 5} {
		rng := newRand(uint64(k))
		const n, in, out, h, w = 2, 3, 2, 4, 5
		l := NewConv2D[float64](in, out, k, math.Sqrt2, rng)
		x := randTensor(rng, n, in, h, w)
		y := l.Forward(x)
		want := New[float64](n, out, h, w)
		p := k / 2
		for ni := range n {
			for o := range out {
				for i := range h {
					for j := range w {
						var s float64
						for ky := range k {
							for kx := range k {
								for c := range in {
									yi, xj := i+ky-p, j+kx-p
									if yi < 0 || yi >= h || xj < 0 || xj >= w {
										continue
									}
									s += l.W.Value[((ky*k+kx)*in+c)*out+o] * x.Data[((ni*in+c)*h+yi)*w+xj]
								}
							}
						}
						want.Data[((ni*out+o)*h+i)*w+j] = s * math.Sqrt2 / math.Sqrt(float64(k*k*in))
					}
				}
			}
		}
		check(t, "forward", "Conv2D", y.Data, want.Data, 1e-12)
	}
}

func TestDenseForward(t *testing.T) {
	rng := newRand(2)
	l := NewDense[float64](8, 3, math.Sqrt2/4, rng)
	x := randTensor(rng, 2, 2, 2, 2)
	y := l.Forward(x)
	for n := range 2 {
		for o := range 3 {
			var s float64
			for i := range 8 {
				s += x.Data[n*8+i] * l.W.Value[i*3+o]
			}
			if got, want := y.Data[n*3+o], s*math.Sqrt2/4/math.Sqrt(8); math.Abs(got-want) > 1e-12 {
				t.Errorf("y[%d,%d] = %v, want %v", n, o, got, want)
			}
		}
	}
}

func TestMinibatchStddevForward(t *testing.T) {
	tests := []struct {
		n, group, wantGroups int
	}{
		{8, 0, 2}, // the reference's group size 4: groups {0,2,4,6}, {1,3,5,7}
		{2, 0, 1}, // min(4, N)
		{6, 3, 2},
		{4, 1, 4},
	}
	for _, tt := range tests {
		rng := newRand(3)
		const c, h, w = 2, 2, 3
		x := randTensor(rng, tt.n, c, h, w)
		l := &MinibatchStddev[float64]{GroupSize: tt.group}
		y := l.Forward(x)
		if !equalShape(y.Shape, []int{tt.n, c + 1, h, w}) {
			t.Fatalf("shape %v", y.Shape)
		}
		m := tt.wantGroups
		g := tt.n / m
		for ni := range tt.n {
			var s float64
			for j := range c * h * w {
				var mu, v float64
				for gi := range g {
					mu += x.Data[(gi*m+ni%m)*c*h*w+j] / float64(g)
				}
				for gi := range g {
					d := x.Data[(gi*m+ni%m)*c*h*w+j] - mu
					v += d * d / float64(g)
				}
				s += math.Sqrt(v+1e-8) / float64(c*h*w)
			}
			out := y.Data[ni*(c+1)*h*w:][:(c+1)*h*w]
			check(t, "forward", "MinibatchStddev copy", out[:c*h*w], x.Data[ni*c*h*w:][:c*h*w], 0)
			for _, v := range out[c*h*w:] {
				if math.Abs(v-s) > 1e-12 {
					t.Errorf("n=%d group %d: sample %d statistic %v, want %v", tt.n, tt.group, ni, v, s)
					break
				}
			}
		}
	}
}

func TestPixelNormForward(t *testing.T) {
	x := &Tensor[float64]{Shape: []int{1, 2, 1, 2}, Data: []float64{3, 1, 4, -1}}
	y := (&PixelNorm[float64]{}).Forward(x)
	// Pixel 0 has channels (3, 4), mean square 12.5; pixel 1 (1, −1), 1.
	want := []float64{3 / math.Sqrt(12.5+1e-8), 1 / math.Sqrt(1+1e-8), 4 / math.Sqrt(12.5+1e-8), -1 / math.Sqrt(1+1e-8)}
	check(t, "forward", "PixelNorm", y.Data, want, 1e-15)
}

func TestResampleForward(t *testing.T) {
	x := &Tensor[float64]{Shape: []int{1, 1, 2, 2}, Data: []float64{1, 2, 3, 4}}
	up := (&Upscale2D[float64]{}).Forward(x)
	check(t, "forward", "Upscale2D", up.Data, []float64{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 0)
	down := (&Downscale2D[float64]{}).Forward(up)
	check(t, "forward", "Downscale2D", down.Data, x.Data, 0)
	x4 := &Tensor[float64]{Shape: []int{1, 1, 2, 4}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8}}
	check(t, "forward", "Downscale2D", (&Downscale2D[float64]{}).Forward(x4).Data, []float64{3.5, 5.5}, 0)
}

func TestBiasAndLeakyReLUForward(t *testing.T) {
	b := NewBias[float64](2)
	copy(b.B.Value, []float64{1, -1})
	x := &Tensor[float64]{Shape: []int{1, 2, 1, 2}, Data: []float64{-2, 3, 0.5, 1}}
	y := (&LeakyReLU[float64]{Slope: 0.2}).Forward(b.Forward(x))
	check(t, "forward", "Bias+LeakyReLU", y.Data, []float64{-0.2, 4, -0.1, 0}, 1e-15)
}

func TestPanics(t *testing.T) {
	x := New[float64](6, 2, 2, 2)
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"group does not divide batch", func() { (&MinibatchStddev[float64]{}).Forward(x) }, "does not divide"},
		{"wrong channels", func() { NewConv2D[float64](3, 2, 3, 1, nil).Forward(x) }, "input channels"},
		{"even kernel", func() { NewConv2D[float64](2, 2, 2, 1, nil) }, "not odd"},
		{"tangent before forward", func() { NewConv2D[float64](2, 2, 3, 1, nil).Tangent(x) }, "before Forward"},
		{"tangent shape", func() {
			l := &LeakyReLU[float64]{}
			l.Forward(x)
			l.Tangent(New[float64](6, 2, 2, 1))
		}, "shape"},
		{"dense inputs", func() { NewDense[float64](5, 2, 1, nil).Forward(x) }, "5 inputs"},
		{"no tangent", func() {
			s := Sequential[float64]{&PixelNorm[float64]{}}
			s.Forward(x)
			s.Tangent(x)
		}, "no tangent passes"},
		{"downscale odd size", func() { (&Downscale2D[float64]{}).Forward(New[float64](1, 1, 3, 2)) }, "Downscale2D"},
		{"reshape size", func() { x.Reshape(5) }, "cannot reshape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tt.msg) {
					t.Errorf("panic %v, want one containing %q", r, tt.msg)
				}
			}()
			tt.f()
		})
	}
}

// TestBigConvParallel runs the convolution with a batch large enough to be
// split over goroutines and compares with one sample at a time.
func TestBigConvParallel(t *testing.T) {
	rng := newRand(5)
	l := NewConv2D[float32](8, 8, 3, math.Sqrt2, rng)
	x := to32(randTensor(rng, 8, 8, 16, 16))
	dy := to32(randTensor(rng, 8, 8, 16, 16))
	y := l.Forward(x)
	dx := l.Backward(dy)
	whole := append([]float32(nil), l.W.Grad...)
	clear(l.W.Grad)
	for n := range 8 {
		xi := &Tensor[float32]{Shape: []int{1, 8, 16, 16}, Data: x.Data[n*8*256:][:8*256]}
		di := &Tensor[float32]{Shape: []int{1, 8, 16, 16}, Data: dy.Data[n*8*256:][:8*256]}
		yi := l.Forward(xi)
		dxi := l.Backward(di)
		for j := range yi.Data {
			if d := math.Abs(float64(yi.Data[j] - y.Data[n*8*256+j])); d > 1e-5 {
				t.Fatalf("sample %d: y differs by %g", n, d)
			}
			if d := math.Abs(float64(dxi.Data[j] - dx.Data[n*8*256+j])); d > 1e-5 {
				t.Fatalf("sample %d: dx differs by %g", n, d)
			}
		}
	}
	for j := range whole {
		if d := math.Abs(float64(whole[j]-l.W.Grad[j])) / (1 + math.Abs(float64(whole[j]))); d > 1e-4 {
			t.Fatalf("weight gradient %d differs by %g", j, d)
		}
	}
}

// TestKernelsParallel runs the element-wise kernels on a tensor large
// enough to be split over goroutines and compares with direct loops.
func TestKernelsParallel(t *testing.T) {
	rng := newRand(6)
	const n, c, h, w = 2, 32, 32, 32
	x := randTensor(rng, n, c, h, w)

	y := (&LeakyReLU[float64]{Slope: 0.2}).Forward(x)
	for i, v := range x.Data {
		if want := max(v, 0.2*v); y.Data[i] != want {
			t.Fatalf("LeakyReLU[%d] = %v, want %v", i, y.Data[i], want)
		}
	}

	b := NewBias[float64](c)
	randomize(b, rng)
	y = b.Forward(x)
	for i, v := range x.Data {
		if want := v + b.B.Value[i/(h*w)%c]; y.Data[i] != want {
			t.Fatalf("Bias[%d] = %v, want %v", i, y.Data[i], want)
		}
	}

	up := (&Upscale2D[float64]{}).Forward(x)
	check(t, "forward", "Downscale2D(Upscale2D(x))", (&Downscale2D[float64]{}).Forward(up).Data, x.Data, 1e-15)

	y = (&PixelNorm[float64]{}).Forward(x)
	for ni := range n {
		for p := range h * w {
			var ms float64
			for ci := range c {
				v := x.Data[(ni*c+ci)*h*w+p]
				ms += v * v / c
			}
			for ci := range c {
				i := (ni*c+ci)*h*w + p
				if want := x.Data[i] / math.Sqrt(ms+1e-8); math.Abs(y.Data[i]-want) > 1e-14 {
					t.Fatalf("PixelNorm[%d] = %v, want %v", i, y.Data[i], want)
				}
			}
		}
	}
}
