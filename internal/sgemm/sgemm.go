// Package sgemm is a single-precision general matrix multiply for the
// default (cgo-free) build: panels of A and B are packed into contiguous
// strips and multiplied by a register-blocked micro-kernel, written in
// AVX2/FMA assembly on amd64 and in plain Go elsewhere (and under the
// purego build tag).
//
// The result depends only on the inputs: the order of every floating-point
// operation is fixed by the blocking, never by scheduling, so repeated
// calls give bit-identical results.
package sgemm

import (
	"fmt"
	"sync"
	"unsafe"
)

// Register block of the micro-kernel and the cache blocking around it.
const (
	mr = 6    // rows of C per micro-kernel call
	nr = 16   // columns of C per micro-kernel call
	kc = 256  // depth of a packed panel (B strip of kc×nr fits L1)
	mc = 120  // rows of a packed A block (mc×kc, in L2)
	nc = 4096 // columns of a packed B block (kc×nc)

	// directN is the widest product for which A is read in place rather
	// than packed: each element of A is used only n times, so packing it
	// would cost about as much as the multiplication.
	directN = 64
)

// kernel computes C[mr×nr] += Â·B̂ where Â holds k columns of mr packed
// values and B̂ k rows of nr packed values; C has row stride ldc.
type kernel func(k int, a, b, c *float32, ldc int)

// useAsm selects the assembly micro-kernel; tests clear it to exercise the
// Go one.
var useAsm = hasAsm

// Accelerated reports whether Sgemm runs on an assembly micro-kernel on
// this machine (as opposed to the portable Go one).
func Accelerated() bool { return useAsm }

var (
	poolA = sync.Pool{New: func() any { s := make([]float32, mc*kc); return &s }}
	poolB = sync.Pool{New: func() any { s := make([]float32, 0); return &s }}
)

// Sgemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices,
// op(x) = xᵀ when the flag is set; op(a) is m×k and op(b) is k×n. With
// beta = 0, c is not read (NaNs in it do not propagate).
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
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
	kern := kernGo
	if useAsm {
		kern = kernAsm
	}
	pa := poolA.Get().(*[]float32)
	pb := poolB.Get().(*[]float32)
	defer poolA.Put(pa)
	defer poolB.Put(pb)
	nbMax := (min(n, nc) + nr - 1) / nr * nr * min(k, kc)
	if cap(*pb) < nbMax {
		*pb = make([]float32, nbMax)
	}
	bufA, bufB := *pa, (*pb)[:nbMax]
	direct := useAsm && n <= directN
	for j0 := 0; j0 < n; j0 += nc {
		ncb := min(nc, n-j0)
		for p0 := 0; p0 < k; p0 += kc {
			kcb := min(kc, k-p0)
			packB(bufB, b, ldb, tB, p0, kcb, j0, ncb, alpha)
			for i0 := 0; i0 < m; i0 += mc {
				mcb := min(mc, m-i0)
				if !direct {
					packA(bufA, a, lda, tA, i0, mcb, p0, kcb)
					macro(kern, mcb, ncb, kcb, bufA, bufB, c[i0*ldc+j0:], ldc)
					continue
				}
				// Full strips straight from A, a short last one packed.
				full := mcb / mr * mr
				if full < mcb {
					packA(bufA[full*kcb:], a, lda, tA, i0+full, mcb-full, p0, kcb)
				}
				rs, ks, off := lda, 1, (i0)*lda+p0
				if tA {
					rs, ks, off = 1, lda, p0*lda+i0
				}
				macroDirect(mcb, ncb, kcb, a[off:], rs, ks, bufA, bufB, c[i0*ldc+j0:], ldc)
			}
		}
	}
}

// macro multiplies a packed mcb×kcb block of A by a packed kcb×ncb block
// of B into c (offset to the block's corner).
func macro(kern kernel, mcb, ncb, kcb int, pa, pb, c []float32, ldc int) {
	var t [mr * nr]float32
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
			clear(t[:])
			kern(kcb, ap, bp, &t[0], nr)
			for i := range h {
				row := c[(ir+i)*ldc+jr:][:w]
				for j := range row {
					row[j] += t[i*nr+j]
				}
			}
		}
	}
}

// macroDirect is macro for direct products: full strips of mr rows are
// read in place from a (element (i, p) at a[i·rs + p·ks]), the short last
// strip, if any, from pa at offset (mcb/mr·mr)·kcb.
func macroDirect(mcb, ncb, kcb int, a []float32, rs, ks int, pa, pb, c []float32, ldc int) {
	var t [mr * nr]float32
	full := mcb / mr * mr
	for jr := 0; jr < ncb; jr += nr {
		w := min(nr, ncb-jr)
		bp := &pb[jr*kcb]
		for ir := 0; ir < mcb; ir += mr {
			h := min(mr, mcb-ir)
			cp, ldt := &c[ir*ldc+jr], ldc
			if w < nr {
				clear(t[:])
				cp, ldt = &t[0], nr
			}
			if h == mr {
				kernAsmStrided(kcb, &a[ir*rs], rs, ks, bp, cp, ldt)
			} else {
				clear(t[:])
				cp, ldt = &t[0], nr
				kernAsm(kcb, &pa[full*kcb], bp, cp, ldt)
			}
			if cp != &t[0] {
				continue
			}
			for i := range h {
				row := c[(ir+i)*ldc+jr:][:w]
				for j := range row {
					row[j] += t[i*nr+j]
				}
			}
		}
	}
}

// packB packs rows p0..p0+kcb and columns j0..j0+ncb of op(b), scaled by
// alpha, as strips of nr columns: strip s holds kcb rows of nr values,
// zero-padded past the last column.
func packB(dst, b []float32, ldb int, tB bool, p0, kcb, j0, ncb int, alpha float32) {
	for s := 0; s < ncb; s += nr {
		w := min(nr, ncb-s)
		d := dst[s*kcb:][:kcb*nr]
		if !tB {
			for p := range kcb {
				row := b[(p0+p)*ldb+j0+s:][:w]
				dp := d[p*nr:][:nr]
				for j, v := range row {
					dp[j] = alpha * v
				}
				clear(dp[w:])
			}
			continue
		}
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
func packA(dst, a []float32, lda int, tA bool, i0, mcb, p0, kcb int) {
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
		if h == mr {
			r0 := a[(i0+s)*lda+p0:][:kcb]
			r1 := a[(i0+s+1)*lda+p0:][:kcb]
			r2 := a[(i0+s+2)*lda+p0:][:kcb]
			r3 := a[(i0+s+3)*lda+p0:][:kcb]
			r4 := a[(i0+s+4)*lda+p0:][:kcb]
			r5 := a[(i0+s+5)*lda+p0:][:kcb]
			for p := range kcb {
				dp := d[p*mr:][:mr]
				dp[0], dp[1], dp[2], dp[3], dp[4], dp[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			continue
		}
		clear(d)
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
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*nr)
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	var acc [mr][nr]float32
	for p := range k {
		ap := as[p*mr:][:mr]
		bp := bs[p*nr:][:nr]
		for i, ai := range ap {
			ri := &acc[i]
			for j, bj := range bp {
				ri[j] += ai * bj
			}
		}
	}
	for i := range mr {
		row := cs[i*ldc:][:nr]
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
