// Package sgemm is a single-precision general matrix multiply for the
// default (cgo-free) build: panels of A and B are packed into contiguous
// strips and multiplied by a register-blocked micro-kernel. On amd64 the
// micro-kernel is AVX-512 assembly (6×64 register block) where the CPU
// and OS support AVX-512F, AVX2/FMA assembly (6×16) on other x86-64 CPUs
// that have it, and plain Go (6×16) elsewhere and under the purego build
// tag. The packing follows the selected kernel's register block.
//
// The result depends only on the inputs: the order of every floating-point
// operation is fixed by the blocking, never by scheduling, so repeated
// calls give bit-identical results. Each element of C is summed in order
// over k, in panels of kc = 256, with one fused multiply-add per term in
// both assembly kernels, so they give bit-identical results to each other.
package sgemm

import (
	"fmt"
	"sync"
	"unsafe"
)

// Cache blocking shared by all micro-kernels. kc fixes the summation
// order, so it must not depend on the kernel.
const (
	kc = 256  // depth of a packed panel
	nc = 4096 // most columns of a packed B block (kc×nc)

	// directN is the widest product for which A is read in place rather
	// than packed: each element of A is used only n times, so packing it
	// would cost about as much as the multiplication.
	directN = 64

	// Largest register block of any micro-kernel (the edge tile buffer).
	maxMR, maxNR = 6, 64
)

// kernel computes C[mr×nr] += Â·B̂ where Â holds k columns of mr packed
// values and B̂ k rows of nr packed values; C has row stride ldc.
type kernel func(k int, a, b, c *float32, ldc int)

// stridedKernel is a kernel reading Â in place, element (i, p) at
// a[i·rs + p·ks].
type stridedKernel func(k int, a *float32, rs, ks int, b, c *float32, ldc int)

// impl is a micro-kernel with its register block and the blocking that
// suits it.
type impl struct {
	name    string
	mr, nr  int
	mc      int // rows of a packed A block (mc×kc, in L2), a multiple of mr
	kern    kernel
	strided stridedKernel // nil: A is always packed
	asm     bool
}

// Register block of the portable kernel.
const goMR, goNR = 6, 16

var implGo = &impl{name: "go", mr: goMR, nr: goNR, mc: 120, kern: kernGo}

// impls lists the micro-kernels this machine can run, best first; the
// portable one is always last. kernel_amd64.go adds the assembly ones.
var impls = append(asmImpls(), implGo)

// forced, when set, is used for every product (tests and benchmarks).
var forced *impl

// pick chooses the micro-kernel for a product with n columns: the widest
// one, unless a narrower assembly kernel pads n much less (the AVX-512
// kernel runs about 10% faster than the AVX2 one per padded column).
func pick(n int) *impl {
	if forced != nil {
		return forced
	}
	best := impls[0]
	if len(impls) < 2 {
		return best
	}
	if next := impls[1]; next.asm && best.nr > next.nr && roundUp(n, best.nr)*10 > roundUp(n, next.nr)*11 {
		return next
	}
	return best
}

// Accelerated reports whether Sgemm runs on an assembly micro-kernel on
// this machine (as opposed to the portable Go one).
func Accelerated() bool { return impls[0].asm }

var (
	poolA = sync.Pool{New: func() any { s := make([]float32, 0); return &s }}
	poolB = sync.Pool{New: func() any { s := make([]float32, 0); return &s }}
)

// Sgemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices,
// op(x) = xᵀ when the flag is set; op(a) is m×k and op(b) is k×n. With
// beta = 0, c is not read (NaNs in it do not propagate).
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }

// blockStep is the block length for a dimension of size n: at most max,
// a multiple of unit (which divides max), the blocks as even as that
// allows.
func blockStep(n, max, unit int) int {
	return min(max, roundUp(ceilDiv(n, ceilDiv(n, max)), unit))
}

// gemm is Sgemm after the argument checks.
func gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// C = beta·C first; the blocks below only add to it.
	if beta != 1 {
		for i := range m {
			row := c[i*ldc:][:n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	im := pick(n)
	mr := im.mr
	mcs := blockStep(m, im.mc, mr)
	ncs := blockStep(n, nc, im.nr)
	kcs := min(k, kc)
	pa := poolA.Get().(*[]float32)
	pb := poolB.Get().(*[]float32)
	defer poolA.Put(pa)
	defer poolB.Put(pb)
	if na := roundUp(mcs, mr) * kcs; cap(*pa) < na {
		*pa = make([]float32, na)
	}
	if nb := roundUp(ncs, im.nr) * kcs; cap(*pb) < nb {
		*pb = make([]float32, nb)
	}
	bufA, bufB := (*pa)[:cap(*pa)], (*pb)[:cap(*pb)]
	direct := im.strided != nil && n <= directN
	for j0 := 0; j0 < n; j0 += ncs {
		ncb := min(ncs, n-j0)
		for p0 := 0; p0 < k; p0 += kc {
			kcb := min(kc, k-p0)
			packB(bufB, b, ldb, tB, p0, kcb, j0, ncb, alpha, im.nr)
			for i0 := 0; i0 < m; i0 += mcs {
				mcb := min(mcs, m-i0)
				if !direct {
					packA(bufA, a, lda, tA, i0, mcb, p0, kcb, mr)
					macro(im, mcb, ncb, kcb, bufA, bufB, c[i0*ldc+j0:], ldc)
					continue
				}
				// Full strips straight from A, a short last one packed.
				full := mcb / mr * mr
				if full < mcb {
					packA(bufA[full*kcb:], a, lda, tA, i0+full, mcb-full, p0, kcb, mr)
				}
				rs, ks, off := lda, 1, i0*lda+p0
				if tA {
					rs, ks, off = 1, lda, p0*lda+i0
				}
				macroDirect(im, mcb, ncb, kcb, a[off:], rs, ks, bufA, bufB, c[i0*ldc+j0:], ldc)
			}
		}
	}
}

// edge runs kern on an h×w corner of C (h ≤ mr, w ≤ nr) through the tile
// buffer t: C is copied in and back, so the kernel adds to C exactly as it
// does for whole tiles.
func edge(kern func(c *float32, ldc int), t *[maxMR * maxNR]float32, nr, h, w int, c []float32, ldc int) {
	for i := range h {
		copy(t[i*nr:][:w], c[i*ldc:][:w])
	}
	kern(&t[0], nr)
	for i := range h {
		copy(c[i*ldc:][:w], t[i*nr:][:w])
	}
}

// macro multiplies a packed mcb×kcb block of A by a packed kcb×ncb block
// of B into c (offset to the block's corner).
func macro(im *impl, mcb, ncb, kcb int, pa, pb, c []float32, ldc int) {
	var t [maxMR * maxNR]float32
	mr, nr, kern := im.mr, im.nr, im.kern
	for jr := 0; jr < ncb; jr += nr {
		w := min(nr, ncb-jr)
		bp := &pb[jr*kcb]
		for ir := 0; ir < mcb; ir += mr {
			h := min(mr, mcb-ir)
			ap := &pa[ir*kcb]
			if h == mr && w == nr {
				// In bounds: check() made sure C holds the whole m×n block.
				kern(kcb, ap, bp, &c[ir*ldc+jr], ldc)
				continue
			}
			edge(func(c *float32, ldc int) { kern(kcb, ap, bp, c, ldc) }, &t, nr, h, w, c[ir*ldc+jr:], ldc)
		}
	}
}

// macroDirect is macro for direct products: full strips of mr rows are
// read in place from a (element (i, p) at a[i·rs + p·ks]), the short last
// strip, if any, from pa at offset (mcb/mr·mr)·kcb.
func macroDirect(im *impl, mcb, ncb, kcb int, a []float32, rs, ks int, pa, pb, c []float32, ldc int) {
	var t [maxMR * maxNR]float32
	mr, nr, kern, strided := im.mr, im.nr, im.kern, im.strided
	full := mcb / mr * mr
	for jr := 0; jr < ncb; jr += nr {
		w := min(nr, ncb-jr)
		bp := &pb[jr*kcb]
		for ir := 0; ir < mcb; ir += mr {
			h := min(mr, mcb-ir)
			if h == mr && w == nr {
				strided(kcb, &a[ir*rs], rs, ks, bp, &c[ir*ldc+jr], ldc)
				continue
			}
			if h == mr {
				ap := &a[ir*rs]
				edge(func(c *float32, ldc int) { strided(kcb, ap, rs, ks, bp, c, ldc) }, &t, nr, h, w, c[ir*ldc+jr:], ldc)
				continue
			}
			ap := &pa[full*kcb]
			edge(func(c *float32, ldc int) { kern(kcb, ap, bp, c, ldc) }, &t, nr, h, w, c[ir*ldc+jr:], ldc)
		}
	}
}

// packB packs rows p0..p0+kcb and columns j0..j0+ncb of op(b), scaled by
// alpha, as strips of nr columns: strip s holds kcb rows of nr values,
// zero-padded past the last column.
func packB(dst, b []float32, ldb int, tB bool, p0, kcb, j0, ncb int, alpha float32, nr int) {
	if !tB {
		// Row by row, so that b is read sequentially; every strip gets
		// whole cache lines.
		for p := range kcb {
			row := b[(p0+p)*ldb+j0:][:ncb]
			for s := 0; s < ncb; s += nr {
				dp := dst[s*kcb+p*nr:][:nr]
				src := row[s:min(s+nr, ncb)]
				if alpha == 1 {
					// copy is vectorised; 1·v is v, bit for bit.
					copy(dp, src)
				} else {
					for j, v := range src {
						dp[j] = alpha * v
					}
				}
				clear(dp[len(src):])
			}
		}
		return
	}
	for s := 0; s < ncb; s += nr {
		w := min(nr, ncb-s)
		d := dst[s*kcb:][:kcb*nr]
		for j := range w {
			col := b[(j0+s+j)*ldb+p0:][:kcb]
			for p, v := range col {
				d[p*nr+j] = alpha * v
			}
		}
		if w < nr {
			for p := range kcb {
				clear(d[p*nr+w : p*nr+nr])
			}
		}
	}
}

// packA packs rows i0..i0+mcb and columns p0..p0+kcb of op(a) as strips
// of mr rows: strip s holds kcb columns of mr values, zero-padded past the
// last row.
func packA(dst, a []float32, lda int, tA bool, i0, mcb, p0, kcb, mr int) {
	for s := 0; s < mcb; s += mr {
		h := min(mr, mcb-s)
		d := dst[s*kcb:][:kcb*mr]
		if tA {
			for p := range kcb {
				dp := d[p*mr:][:mr]
				copy(dp, a[(p0+p)*lda+i0+s:][:h])
				clear(dp[h:])
			}
			continue
		}
		if h == 6 && mr == 6 {
			r0 := a[(i0+s)*lda+p0:][:kcb]
			r1 := a[(i0+s+1)*lda+p0:][:kcb]
			r2 := a[(i0+s+2)*lda+p0:][:kcb]
			r3 := a[(i0+s+3)*lda+p0:][:kcb]
			r4 := a[(i0+s+4)*lda+p0:][:kcb]
			r5 := a[(i0+s+5)*lda+p0:][:kcb]
			for p := range kcb {
				dp := d[p*6:][:6]
				dp[0], dp[1], dp[2], dp[3], dp[4], dp[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			continue
		}
		if h < mr {
			clear(d)
		}
		for i := range h {
			row := a[(i0+s+i)*lda+p0:][:kcb]
			for p, v := range row {
				d[p*mr+i] = v
			}
		}
	}
}

// kernGo is the portable micro-kernel.
func kernGo(k int, a, b, c *float32, ldc int) {
	as := unsafe.Slice(a, k*goMR)
	bs := unsafe.Slice(b, k*goNR)
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	var acc [goMR][goNR]float32
	for p := range k {
		ap := as[p*goMR:][:goMR]
		bp := bs[p*goNR:][:goNR]
		for i, ai := range ap {
			ri := &acc[i]
			for j, bj := range bp {
				ri[j] += ai * bj
			}
		}
	}
	for i := range goMR {
		row := cs[i*ldc:][:goNR]
		for j := range row {
			row[j] += acc[i][j]
		}
	}
}

// check panics, as the reference BLAS would, on inconsistent arguments.
func check(tA, tB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("sgemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ra, ca := m, k
	if tA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB {
		rb, cb = n, k
	}
	if lda < max(1, ca) || ldb < max(1, cb) || ldc < max(1, n) {
		panic(fmt.Sprintf("sgemm: bad leading dimension lda=%d ldb=%d ldc=%d", lda, ldb, ldc))
	}
	need := func(r, c, ld int) int {
		if r == 0 || c == 0 {
			return 0
		}
		return (r-1)*ld + c
	}
	if la < need(ra, ca, lda) || lb < need(rb, cb, ldb) || lc < need(m, n, ldc) {
		panic("sgemm: short slice")
	}
}
