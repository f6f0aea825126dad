package swd

//go:noescape
func panelsHalf(dst *float32, ldc int, src *uint16, npanel int, dirs *float32, ndirs int)

//go:noescape
func panelsFixed(dst *float32, ldc int, src *uint16, npanel int, dirs *float32, ndirs int)

//go:noescape
func panelsFloat(dst *float32, ldc int, src *float32, npanel int, dirs *float32, ndirs int)

//go:noescape
func halfsF16C(dst *uint16, src *float32, n int)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// haveAVX2 reports whether the CPU and OS support AVX2, FMA and F16C, which
// the projection kernel needs.
func haveAVX2() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
		f16c    = 1 << 29
	)
	if ecx1&(fma|osxsave|avx|f16c) != fma|osxsave|avx|f16c {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

var useAVX2 = haveAVX2()

// panelsHalfFast (half floats, or int16 with fixed) and panelsFloatFast
// run the AVX2 kernels over npanel consecutive panels of src, writing
// direction j's projection keys of the panels' descriptors to
// dst[j*ldc : j*ldc+16*npanel].
func panelsHalfFast(dst []float32, ldc int, src []uint16, npanel int, fixed bool, tiles []float32, ndirs int) {
	_ = dst[(ndirs-1)*ldc+npanel*group-1]
	_ = src[npanel*panelLen-1]
	_ = tiles[(ndirs+5)/6*6*dim-1]
	if fixed {
		panelsFixed(&dst[0], ldc, &src[0], npanel, &tiles[0], ndirs)
	} else {
		panelsHalf(&dst[0], ldc, &src[0], npanel, &tiles[0], ndirs)
	}
}

func panelsFloatFast(dst []float32, ldc int, src []float32, npanel int, tiles []float32, ndirs int) {
	_ = dst[(ndirs-1)*ldc+npanel*group-1]
	_ = src[npanel*panelLen-1]
	_ = tiles[(ndirs+5)/6*6*dim-1]
	panelsFloat(&dst[0], ldc, &src[0], npanel, &tiles[0], ndirs)
}

// toHalfs converts src to half floats in dst.
func toHalfs(dst []uint16, src []float32) {
	if !useAVX2 || len(src)%8 != 0 {
		toHalfsPortable(dst, src)
		return
	}
	if len(src) == 0 {
		return
	}
	_ = dst[len(src)-1]
	halfsF16C(&dst[0], &src[0], len(src))
}

//go:noescape
func vert5u8(dst *uint16, r0, r1, r2, r3, r4 *byte, n int)

//go:noescape
func horiz5u16(dst *float32, src *uint16, blocks int)

// blurDownU8 is blurDown for a plane of bytes (the first level), in 16-bit
// integer arithmetic, which is exact there; it reports false when the AVX2
// path is not available.
func blurDownU8(dst []float32, src []byte, n int, v []uint16) bool {
	if !useAVX2 || n < 24 {
		return false
	}
	m := (n + 1) / 2
	vn := (n + 15) &^ 15
	v = v[:vn]
	blocks := (n - 3) / 16 // blocks of 8 outputs from j = 1: x up to 16·blocks+1 <= n-1
	for i := range m {
		var r [5]*byte
		for o := -2; o <= 2; o++ {
			r[o+2] = &src[mirror(2*i+o, n)*n]
		}
		if n%16 == 0 {
			vert5u8(&v[0], r[0], r[1], r[2], r[3], r[4], n)
		} else {
			for x := range n {
				v[x] = uint16(src[mirror(2*i-2, n)*n+x]) + 4*uint16(src[mirror(2*i-1, n)*n+x]) +
					6*uint16(src[mirror(2*i, n)*n+x]) + 4*uint16(src[mirror(2*i+1, n)*n+x]) + uint16(src[mirror(2*i+2, n)*n+x])
			}
		}
		d := dst[i*m : i*m+m]
		if blocks > 0 {
			_, _ = d[8*blocks], v[16*blocks+3] // the last ones the kernel touches
			horiz5u16(&d[1], &v[2], blocks)
		}
		for j := 0; j < m; j++ {
			if j == 1 {
				j = 1 + 8*blocks
				if j >= m {
					break
				}
			}
			var s uint32
			for o := -2; o <= 2; o++ {
				s += uint32(binom[o+2]) * uint32(v[mirror(2*j+o, n)])
			}
			d[j] = float32(s) * (1.0 / 256)
		}
	}
	return true
}
