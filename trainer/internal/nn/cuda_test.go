//go:build cuda || cudaemu

package nn

// Tests of the CUDA backend against the Go kernels, run where a GPU is:
//
//	go test -tags cuda -run CUDA ./trainer/internal/nn
//
// They do not use t.Run: a CUDA context is current on the test's locked
// thread only.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func openTestCUDA(t testing.TB) *Device {
	t.Helper()
	d, err := OpenCUDA()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("device %s, %.1f GiB", d.Name(), float64(d.Memory())/(1<<30))
	return d
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func (d *Device) put(x []float32) uintptr {
	p := d.b.alloc(len(x))
	d.b.upload(p, x)
	return p
}

func (d *Device) get(p uintptr, n int) []float32 {
	r := make([]float32, n)
	d.b.download(r, p)
	return r
}

// devErr is max |got − want| over max |want|.
func devErr(got, want []float32) float64 {
	var diff, scale float64
	for i := range want {
		diff = max(diff, math.Abs(float64(got[i])-float64(want[i])))
		scale = max(scale, math.Abs(float64(want[i])))
	}
	return diff / max(scale, 1e-30)
}

type kernelCase struct {
	name string
	tol  float64 // 0: bit-identical
	run  func(d *Device) (got, want []float32)
}

func kernelCases(rng *rand.Rand) []kernelCase {
	const n, c, h, w, k = 3, 5, 7, 6, 3
	hw, kk := h*w, k*k*c
	x := randSlice(rng, n*c*hw)
	y := randSlice(rng, n*c*hw)
	b := randSlice(rng, c)
	col := randSlice(rng, n*kk*hw)
	return []kernelCase{
		{"im2col", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, n*kk*hw)
			for i := range n {
				im2col(want[i*kk*hw:][:kk*hw], x[i*c*hw:][:c*hw], c, h, w, k)
			}
			p := d.b.alloc(len(want))
			d.b.im2col(p, d.put(x), n, c, h, w, k)
			return d.get(p, len(want)), want
		}},
		{"im2colT", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, n*kk*hw)
			one := make([]float32, kk*hw)
			for i := range n {
				im2col(one, x[i*c*hw:][:c*hw], c, h, w, k)
				for r := range kk {
					copy(want[(r*n+i)*hw:][:hw], one[r*hw:][:hw])
				}
			}
			p := d.b.alloc(len(want))
			d.b.im2colT(p, d.put(x), n, c, h, w, k)
			return d.get(p, len(want)), want
		}},
		{"batchTranspose", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			for i := range n {
				for ci := range c {
					copy(want[(ci*n+i)*hw:][:hw], x[(i*c+ci)*hw:][:hw])
				}
			}
			p := d.b.alloc(len(want))
			d.b.batchTranspose(p, d.put(x), n, c, hw)
			return d.get(p, len(want)), want
		}},
		{"col2imT", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, n*c*hw)
			colT := make([]float32, len(col)) // col's values in the [kk][n][hw] layout
			for i := range n {
				for r := range kk {
					copy(colT[(r*n+i)*hw:][:hw], col[(i*kk+r)*hw:][:hw])
				}
				col2im(want[i*c*hw:][:c*hw], col[i*kk*hw:][:kk*hw], c, h, w, k)
			}
			p := d.b.alloc(len(want))
			d.b.col2imT(p, d.put(colT), n, c, h, w, k)
			return d.get(p, len(want)), want
		}},
		{"col2im", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, n*c*hw)
			for i := range n {
				col2im(want[i*c*hw:][:c*hw], col[i*kk*hw:][:kk*hw], c, h, w, k)
			}
			p := d.b.alloc(len(want))
			d.b.col2im(p, d.put(col), n, c, h, w, k)
			return d.get(p, len(want)), want
		}},
		{"leakyMul", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			leakyMul(want, y, x, 0.2)
			p := d.b.alloc(len(x))
			d.b.leakyMul(p, d.put(y), d.put(x), len(x), 0.2)
			return d.get(p, len(x)), want
		}},
		{"addBias", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			addBias(want, x, b, n, c, hw)
			p := d.b.alloc(len(x))
			d.b.addBias(p, d.put(x), d.put(b), n, c, hw)
			return d.get(p, len(x)), want
		}},
		{"sumBias", 1e-6, func(d *Device) (got, want []float32) {
			want = append([]float32(nil), b...)
			sumBias(want, x, n, c, hw)
			p := d.put(b)
			d.b.sumBias(p, d.put(x), n, c, hw)
			return d.get(p, c), want
		}},
		{"sumBias in chunks", 1e-6, func(d *Device) (got, want []float32) {
			const n, c, hw = 4, 2, 40000 // 19 chunks a channel
			dy, db := randSlice(rng, n*c*hw), randSlice(rng, c)
			p := d.put(db)
			d.b.sumBias(p, d.put(dy), n, c, hw)
			sumBias(db, dy, n, c, hw)
			return d.get(p, c), db
		}},
		{"upscale", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x)*4)
			upscale(want, x, n*c, h, w, 2, 0.5)
			p := d.b.alloc(len(want))
			d.b.upscale(p, d.put(x), n*c, h, w, 2, 0.5)
			return d.get(p, len(want)), want
		}},
		{"downscale", 0, func(d *Device) (got, want []float32) {
			const h = 8 // even sizes, as every layer has
			x := randSlice(rng, n*c*h*w)
			want = make([]float32, len(x)/4)
			downscale(want, x, n*c, h, w, 2, 0.25)
			p := d.b.alloc(len(want))
			d.b.downscale(p, d.put(x), n*c, h, w, 2, 0.25)
			return d.get(p, len(want)), want
		}},
		{"lerp", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			lerp(want, x, y, 0.3)
			p := d.b.alloc(len(x))
			d.b.lerp(p, d.put(x), d.put(y), len(x), 0.3)
			return d.get(p, len(x)), want
		}},
		{"scale", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			scale(want, x, 0.7)
			p := d.b.alloc(len(x))
			d.b.scale(p, d.put(x), len(x), 0.7)
			return d.get(p, len(x)), want
		}},
		{"add", 0, func(d *Device) (got, want []float32) {
			want = append([]float32(nil), y...)
			add(want, x)
			p := d.put(y)
			d.b.add(p, d.put(x), len(x))
			return d.get(p, len(x)), want
		}},
		{"pixelNorm", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			pixelNorm(want, x, n, c, hw, 1e-8)
			p := d.b.alloc(len(x))
			d.b.pixelNorm(p, d.put(x), n, c, hw, 1e-8)
			return d.get(p, len(x)), want
		}},
		{"pixelNormBackward", 0, func(d *Device) (got, want []float32) {
			want = make([]float32, len(x))
			pixelNormBackward(want, y, x, n, c, hw, 1e-8)
			p := d.b.alloc(len(x))
			d.b.pixelNormBackward(p, d.put(y), d.put(x), n, c, hw, 1e-8)
			return d.get(p, len(x)), want
		}},
		{"mbstd", 1e-6, func(d *Device) (got, want []float32) {
			const N, g = 8, 4
			xs, txs := randSlice(rng, N*c*hw), randSlice(rng, N*c*hw)
			stat, tstat := make([]float32, N/g), make([]float32, N/g)
			mbstd(stat, tstat, xs, txs, N, g, c*hw)
			ps, pt := d.b.alloc(N/g), d.b.alloc(N/g)
			d.b.mbstd(ps, pt, d.put(xs), d.put(txs), N, g, c*hw)
			return append(d.get(ps, N/g), d.get(pt, N/g)...), append(stat, tstat...)
		}},
		{"mbstdBackward", 1e-6, func(d *Device) (got, want []float32) {
			const N, g = 8, 4
			xs, txs := randSlice(rng, N*c*hw), randSlice(rng, N*c*hw)
			dx, dtx := randSlice(rng, N*c*hw), randSlice(rng, N*c*hw)
			ds, dts := randSlice(rng, N/g), randSlice(rng, N/g)
			px, ptx := d.put(dx), d.put(dtx)
			d.b.mbstdBackward(px, ptx, d.put(xs), d.put(txs), d.put(ds), d.put(dts), N, g, c*hw)
			mbstdBackward(dx, dtx, xs, txs, ds, dts, N, g, c*hw)
			return append(d.get(px, len(dx)), d.get(ptx, len(dtx))...), append(dx, dtx...)
		}},
		{"appendChannel", 0, func(d *Device) (got, want []float32) {
			stat := randSlice(rng, 1)
			want = make([]float32, n*(c+1)*hw)
			appendChannel(want, x, stat, n, c, hw)
			p := d.b.alloc(len(want))
			d.b.appendChannel(p, d.put(x), d.put(stat), n, c, hw, 1)
			return d.get(p, len(want)), want
		}},
		{"splitChannel", 1e-6, func(d *Device) (got, want []float32) {
			const N, m = 8, 2
			src := randSlice(rng, N*(c+1)*hw)
			dst, stat := make([]float32, N*c*hw), make([]float32, m)
			splitChannel(dst, stat, src, N, c, hw)
			pd, ps := d.b.alloc(len(dst)), d.b.alloc(m)
			d.b.splitChannel(pd, ps, d.put(src), N, c, hw, m)
			if g := d.get(pd, len(dst)); devErr(g, dst) != 0 {
				return g, dst // the copied channels are exact
			}
			return d.get(ps, m), stat
		}},
		{"adamUpdate", 0, func(d *Device) (got, want []float32) {
			th, m, v, g := randSlice(rng, 100), randSlice(rng, 100), randSlice(rng, 100), randSlice(rng, 100)
			for i := range v {
				v[i] *= v[i]
			}
			pt, pm, pv := d.put(th), d.put(m), d.put(v)
			d.b.adamUpdate(pt, pm, pv, d.put(g), 100, 0.001, 1, 0.01, 1e-8)
			adamUpdate(th, m, v, g, 0.001, 1, 0.01, 1e-8)
			return append(append(d.get(pt, 100), d.get(pm, 100)...), d.get(pv, 100)...), append(append(th, m...), v...)
		}},
		{"allFinite", 0, func(d *Device) (got, want []float32) {
			bad := append([]float32(nil), x...)
			bad[17] = float32(math.Inf(-1))
			nan := append([]float32(nil), x...)
			nan[len(nan)-1] = float32(math.NaN())
			ok := d.b.allFinite([]uintptr{d.put(x), d.put(y)}, []int{len(x), len(y)})
			inf := d.b.allFinite([]uintptr{d.put(x), d.put(bad)}, []int{len(x), len(bad)})
			isNaN := d.b.allFinite([]uintptr{d.put(nan)}, []int{len(nan)})
			f := func(b bool) float32 {
				if b {
					return 1
				}
				return 0
			}
			return []float32{f(ok), f(inf), f(isNaN)}, []float32{1, 0, 0}
		}},
		{"rowSqNorms", 1e-12, func(d *Device) (got, want []float32) {
			var wantD []float64
			xt := &Tensor[float32]{Shape: []int{n, c * hw}, Data: x}
			wantD = rowSqNorms(xt)
			gotD := d.b.rowSqNorms(d.put(x), n, c*hw)
			var e float64
			for i := range wantD {
				e = max(e, math.Abs(gotD[i]-wantD[i])/wantD[i])
			}
			if e > 1e-12 {
				return []float32{float32(e)}, []float32{0}
			}
			return []float32{1}, []float32{1}
		}},
		{"scaleRows", 0, func(d *Device) (got, want []float32) {
			s := []float32{0.5, 0, -2}
			want = scaleRows(&Tensor[float32]{Shape: []int{n, c * hw}, Data: x}, s).Data
			p := d.b.alloc(len(x))
			d.b.scaleRows(p, d.put(x), n, c*hw, s)
			return d.get(p, len(x)), want
		}},
		{"mixRows", 0, func(d *Device) (got, want []float32) {
			u := []float32{0.25, 0.5, 0.9}
			a, bb := &Tensor[float32]{Shape: []int{n, c * hw}, Data: x}, &Tensor[float32]{Shape: []int{n, c * hw}, Data: y}
			want = MixRows(a, bb, u).Data
			p := d.b.alloc(len(x))
			d.b.mixRows(p, d.put(x), d.put(y), n, c*hw, u)
			return d.get(p, len(x)), want
		}},
	}
}

// TestCUDAKernels runs every kernel of the backend on random data and
// compares with the Go kernel: element-wise kernels bit for bit,
// reductions (double sums in another order) within a stated tolerance.
func TestCUDAKernels(t *testing.T) {
	d := openTestCUDA(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kc := range kernelCases(rng) {
		mark := d.Mark()
		got, want := kc.run(d)
		if err := d.Err(); err != nil {
			t.Fatalf("%s: %v", kc.name, err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d values, want %d", kc.name, len(got), len(want))
		} else if e := devErr(got, want); e > kc.tol || (kc.tol == 0 && !bitEqual(got, want)) {
			t.Errorf("%s: relative error %.3g, tolerance %g", kc.name, e, kc.tol)
		} else {
			t.Logf("%-18s relative error %.3g (tolerance %g)", kc.name, e, kc.tol)
		}
		d.Release(mark)
	}
}

func bitEqual(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] == 0 && b[i] == 0) {
			return false
		}
	}
	return true
}

// TestCUDAGemm checks the row-major products, transposed or not, batched
// with strides and with a repeated matrix, against gonum's.
func TestCUDAGemm(t *testing.T) {
	d := openTestCUDA(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		tA, tB         bool
		m, n, k, batch int
		beta           float32
	}{
		{false, false, 17, 33, 65, 1, 0},
		{true, false, 16, 100, 36, 3, 0},
		{false, true, 45, 8, 300, 1, 1},
		{true, true, 9, 10, 11, 2, 0.5},
	} {
		lda, ldb := tc.k, tc.n
		if tc.tA {
			lda = tc.m
		}
		if tc.tB {
			ldb = tc.k
		}
		a := randSlice(rng, tc.m*tc.k) // repeated over the batch (stride 0)
		b := randSlice(rng, tc.batch*tc.k*tc.n)
		c := randSlice(rng, tc.batch*tc.m*tc.n)
		pc := d.put(c)
		d.b.gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.3, d.put(a), lda, 0, d.put(b), ldb, tc.k*tc.n, tc.beta, pc, tc.n, tc.m*tc.n, tc.batch)
		for i := range tc.batch {
			gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.3, a, lda, b[i*tc.k*tc.n:], ldb, tc.beta, c[i*tc.m*tc.n:], tc.n)
		}
		got := d.get(pc, len(c))
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%+v", tc)
		if e := devErr(got, c); e > 1e-5 {
			t.Errorf("gemm %s: relative error %.3g", name, e)
		} else {
			t.Logf("gemm %s: relative error %.3g", name, e)
		}
	}
}

// TestCUDAConvSizes runs 3×3 and 1×1 convolutions through every pass on
// maps on both sides of smallMap: one product over the batch, and
// products per sample.
func TestCUDAConvSizes(t *testing.T) {
	d := openTestCUDA(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(11, 12))
	norm := rand.New(rand.NewPCG(13, 14))
	for _, size := range []int{4, 32, 40} {
		for _, k := range []int{3, 1} {
			l := NewConv2D[float32](5, 7, k, math.Sqrt2, norm)
			x := &Tensor[float32]{Shape: []int{3, 5, size, size}, Data: randSlice(rng, 3*5*size*size)}
			dyv := randSlice(rng, 3*7*size*size)
			run := func(dev *Device) [][]float32 {
				if dev != nil {
					defer dev.Release(dev.Mark())
				}
				MoveParams(dev, Params[float32](l))
				ZeroGrad[float32](l)
				y := l.Forward(ToDevice(dev, x))
				dx := l.Backward(ToDevice(dev, &Tensor[float32]{Shape: y.Shape, Data: dyv}))
				SyncParams(Params[float32](l))
				SyncGrads(Params[float32](l))
				return [][]float32{y.Host().Data, dx.Host().Data, append([]float32(nil), l.W.Grad...)}
			}
			want := run(nil)
			got := run(d)
			MoveParams(nil, Params[float32](l))
			if err := d.Err(); err != nil {
				t.Fatal(err)
			}
			for i, what := range []string{"output", "input gradient", "weight gradient"} {
				if e := devErr(got[i], want[i]); e > 1e-5 {
					t.Errorf("%d×%d map, %d×%d kernel: %s: relative error %.3g", size, size, k, k, what, e)
				}
			}
		}
	}
}

// TestCUDALayers runs the convolutions (3×3 and 1×1) and a dense layer
// through every pass on the device and on the host.
func TestCUDALayers(t *testing.T) {
	d := openTestCUDA(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	norm := rand.New(rand.NewPCG(7, 8))
	for _, mk := range []func() DualLayer[float32]{
		func() DualLayer[float32] { return NewConv2D[float32](6, 5, 3, math.Sqrt2, norm) },
		func() DualLayer[float32] { return NewConv2D[float32](6, 5, 1, math.Sqrt2, norm) },
		func() DualLayer[float32] {
			return Sequential[float32]{NewConv2D[float32](6, 4, 3, 1, norm), &Downscale2D[float32]{}, &LeakyReLU[float32]{Slope: 0.2},
				&MinibatchStddev[float32]{GroupSize: 2}, &Reshape[float32]{Shape: []int{5 * 4 * 4}}, NewDense[float32](80, 3, 1, norm)}
		},
	} {
		l := mk()
		x := &Tensor[float32]{Shape: []int{4, 6, 8, 8}, Data: randSlice(rng, 4*6*64)}
		tx := &Tensor[float32]{Shape: x.Shape, Data: randSlice(rng, x.Len())}
		run := func(dev *Device) [][]float32 {
			mark := 0
			if dev != nil {
				mark = dev.Mark()
				defer dev.Release(mark)
			}
			MoveParams(dev, Params[float32](l))
			ZeroGrad[float32](l)
			y := l.Forward(ToDevice(dev, x))
			dy := ToDevice(dev, &Tensor[float32]{Shape: y.Shape, Data: randSlice(rand.New(rand.NewPCG(9, 9)), y.Len())})
			dx := l.Backward(dy)
			ty := l.Tangent(ToDevice(dev, tx))
			dx2, dtx := l.TangentBackward(dy, dy)
			SyncParams(Params[float32](l))
			SyncGrads(Params[float32](l))
			out := [][]float32{y.Host().Data, dx.Host().Data, ty.Host().Data, dtx.Host().Data}
			if dx2 != nil {
				out = append(out, dx2.Host().Data)
			}
			for _, p := range Params[float32](l) {
				out = append(out, append([]float32(nil), p.Grad...))
			}
			return out
		}
		want := run(nil)
		got := run(d)
		MoveParams(nil, Params[float32](l))
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if e := devErr(got[i], want[i]); e > 1e-5 {
				t.Errorf("%T result %d: relative error %.3g", l, i, e)
			}
		}
	}
}
