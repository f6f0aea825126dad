package sgemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ref is the plain triple loop, accumulating in float64.
func ref(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv float32
				if tA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

type shape struct{ m, n, k int }

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// run checks one product against ref; pad widens every leading dimension.
func run(t *testing.T, r *rand.Rand, tA, tB bool, s shape, alpha, beta float32, pad int) {
	t.Helper()
	runWith(t, Sgemm, r, tA, tB, s, alpha, beta, pad)
}

// runWith is run for f.
func runWith(t *testing.T, f sgemmFunc, r *rand.Rand, tA, tB bool, s shape, alpha, beta float32, pad int) {
	t.Helper()
	m, n, k := s.m, s.n, s.k
	ra, ca := m, k
	if tA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB {
		rb, cb = n, k
	}
	lda, ldb, ldc := max(1, ca)+pad, max(1, cb)+pad, max(1, n)+pad
	a := randSlice(r, ra*lda)
	b := randSlice(r, rb*ldb)
	c := randSlice(r, m*ldc)
	if beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	want := append([]float32(nil), c...)
	ref(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	got := append([]float32(nil), c...)
	f(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
	var scale float64
	for i := range m {
		for j := range n {
			scale = max(scale, math.Abs(float64(want[i*ldc+j])))
		}
	}
	// Tolerance grows slowly with the depth of the sums.
	tol := 1e-5 * max(scale, 1) * math.Sqrt(float64(max(k, 16))/16)
	for i := range m {
		for j := range ldc {
			g, w := got[i*ldc+j], want[i*ldc+j]
			if j >= n {
				// Padding must stay untouched (NaN compares unequal).
				if math.Float32bits(g) != math.Float32bits(c[i*ldc+j]) {
					t.Fatalf("tA=%v tB=%v %v: padding C[%d,%d] changed", tA, tB, s, i, j)
				}
				continue
			}
			if math.IsNaN(float64(g)) || math.Abs(float64(g-w)) > tol {
				t.Fatalf("tA=%v tB=%v %v alpha=%v beta=%v pad=%d: C[%d,%d] = %v, want %v (tol %g)", tA, tB, s, alpha, beta, pad, i, j, g, w, tol)
			}
		}
	}
}

// paths runs f once for every micro-kernel this machine can run (AVX-512,
// AVX2, Go), forcing its use.
func paths(t *testing.T, f func(t *testing.T)) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			old := forced
			forced = im
			defer func() { forced = old }()
			f(t)
		})
	}
}

func TestSgemm(t *testing.T) {
	edge := []int{1, 7, 17, 33, 100}
	var shapes []shape
	for _, m := range edge {
		for _, n := range edge {
			for _, k := range edge {
				shapes = append(shapes, shape{m, n, k})
			}
		}
	}
	shapes = append(shapes,
		shape{0, 5, 3}, shape{4, 0, 3}, shape{4, 5, 0},
		shape{6, 16, 256}, shape{12, 32, 257}, shape{121, 17, 300}, // block edges
		shape{512, 16, 4608}, shape{4608, 16, 512}, shape{4608, 512, 16}, // trainer, 4×4
		shape{128, 1024, 1152}, shape{1152, 1024, 128}, shape{1152, 128, 1024}, // trainer, scaled down
		shape{7, 4100, 9}, // more than one B block
	)
	if testing.Short() {
		shapes = shapes[:len(edge)*len(edge)*len(edge)+6]
	}
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for i, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				alpha, beta := []float32{1, 0.5, -1.5}[i%3], []float32{0, 1, -0.75}[(i/3)%3]
				run(t, r, tr[0], tr[1], s, alpha, beta, (i%4)*3)
			}
		}
	})
}

func TestSgemmAlphaBeta(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, alpha := range []float32{0, 1, -2.5} {
			for _, beta := range []float32{0, 1, 0.3} {
				run(t, r, false, true, shape{13, 35, 19}, alpha, beta, 2)
			}
		}
	})
}

// TestSgemmRandom tries random shapes, transposes, scalars and strides.
func TestSgemmRandom(t *testing.T) {
	iters := 300
	if testing.Short() {
		iters = 50
	}
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for range iters {
			s := shape{1 + r.IntN(150), 1 + r.IntN(150), 1 + r.IntN(600)}
			alpha := float32(r.NormFloat64())
			beta := []float32{0, 1, float32(r.NormFloat64())}[r.IntN(3)]
			run(t, r, r.IntN(2) == 0, r.IntN(2) == 0, s, alpha, beta, r.IntN(5))
		}
	})
}

// TestSgemmDeterministic checks that repeated and concurrent calls agree to
// the bit.
func TestSgemmDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	m, n, k := 130, 70, 600
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	want := make([]float32, m*n)
	Sgemm(true, false, m, n, k, 1, a, m, b, n, 0, want, n)
	done := make(chan []float32)
	for range 4 {
		go func() {
			c := make([]float32, m*n)
			Sgemm(true, false, m, n, k, 1, a, m, b, n, 0, c, n)
			done <- c
		}()
	}
	for range 4 {
		c := <-done
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
				t.Fatalf("C[%d] = %v, want %v", i, c[i], want[i])
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	for _, f := range []func(){
		func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() { Sgemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// TestSgemmBlockEdges tries, for every micro-kernel, sizes around the
// multiples of its register block (mr, nr) and of the cache blocking (kc,
// mc, nc, directN), with random transposes, scalars and strides.
func TestSgemmBlockEdges(t *testing.T) {
	iters := 150
	if testing.Short() {
		iters = 30
	}
	paths(t, func(t *testing.T) {
		im := forced
		mr, nr, mc := im.mr, im.nr, im.mc
		ms := []int{1, 2, mr - 1, mr, mr + 1, 2*mr + 1, mc - 1, mc, mc + 1, 2*mc + mr + 1}
		ns := []int{1, 2, nr - 1, nr, nr + 1, 2*nr + 3, directN, directN + 1, 3*nr + 5}
		ks := []int{0, 1, 2, 3, 5, kc - 1, kc, kc + 1, 2*kc + 3}
		r := rand.New(rand.NewPCG(9, uint64(nr)))
		try := func(s shape) {
			alpha := []float32{1, -0.5, float32(r.NormFloat64())}[r.IntN(3)]
			beta := []float32{0, 1, float32(r.NormFloat64())}[r.IntN(3)]
			run(t, r, r.IntN(2) == 0, r.IntN(2) == 0, s, alpha, beta, r.IntN(4))
		}
		for range iters {
			try(shape{ms[r.IntN(len(ms))], ns[r.IntN(len(ns))], ks[r.IntN(len(ks))]})
		}
		// Every k edge with the smallest and a ragged block, m = 1 and
		// n = 1, and more than one B block (nc).
		for _, k := range ks {
			try(shape{1, 1, k})
			try(shape{mr + 1, nr + 1, k})
			try(shape{1, 3*nr + 5, k})
			try(shape{mc + 1, 1, k})
		}
		try(shape{3, nc + 1, 5})
		try(shape{mr + 1, 2*nc + nr + 1, 3})
	})
}

// TestKernelsAgree checks that the assembly kernels (AVX-512 and AVX2)
// give bit-identical results: both sum each element of C in the same
// order with fused multiply-adds.
func TestKernelsAgree(t *testing.T) {
	var asm []*impl
	for _, im := range impls {
		if im.asm {
			asm = append(asm, im)
		}
	}
	if len(asm) < 2 {
		t.Skipf("only %d assembly kernel(s) on this machine", len(asm))
	}
	r := rand.New(rand.NewPCG(11, 12))
	defer func() { forced = nil }()
	for i := range 60 {
		m, n, k := 1+r.IntN(200), 1+r.IntN(300), r.IntN(700)
		if i%5 == 0 {
			n = 1 + r.IntN(80)
		}
		tA, tB := r.IntN(2) == 0, r.IntN(2) == 0
		lda, ldb, ldc := max(1, k), max(1, n), n+r.IntN(3)
		if tA {
			lda = m
		}
		if tB {
			ldb = max(1, k)
		}
		a, b := randSlice(r, m*k+lda), randSlice(r, k*n+ldb)
		c0 := randSlice(r, m*ldc)
		alpha, beta := float32(r.NormFloat64()), []float32{0, 1, -0.25}[i%3]
		var want []float32
		for j, im := range asm {
			forced = im
			got := append([]float32(nil), c0...)
			Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
			if j == 0 {
				want = got
				continue
			}
			for e := range got {
				if math.Float32bits(got[e]) != math.Float32bits(want[e]) {
					t.Fatalf("tA=%v tB=%v m=%d n=%d k=%d: %s C[%d] = %v, %s %v", tA, tB, m, n, k, im.name, e, got[e], asm[0].name, want[e])
				}
			}
		}
	}
}
