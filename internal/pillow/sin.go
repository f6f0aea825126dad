package pillow

import "math"

// sin is math.Sin for |x| < 2^29 (Go's port of the Cephes sin: reduction
// by π/4 in three parts, then a degree-13 polynomial), written with every
// product rounded before it is added. The math package's own code leaves
// fusion to the compiler, which fuses it on arm64 and with GOAMD64=v3; this
// copy gives the unfused results everywhere. Those are the results the
// oracle notes checked: float32(sin(u)/u) from the unfused math.Sin equals
// glibc's for every float32 u in (0, 3π], the range of the Lanczos kernel.
func sin(x float64) float64 {
	const (
		pi4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000: π/4 in three parts
		pi4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
		pi4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
	)
	if x == 0 || x != x {
		return x
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	j := uint64(x * (4 / math.Pi))
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	j &= 7
	z := float64(float64(x-float64(y*pi4A))-float64(y*pi4B)) - float64(y*pi4C)
	if j > 3 {
		sign = !sign
		j -= 4
	}
	zz := z * z
	if j == 1 || j == 2 {
		p := poly(zz, -1.13585365213876817300e-11, 2.08757008419747316778e-9,
			-2.75573141792967388112e-7, 2.48015872888517045348e-5,
			-1.38888888888730564116e-3, 4.16666666666665929218e-2)
		y = float64(1.0-float64(0.5*zz)) + float64(float64(zz*zz)*p)
	} else {
		p := poly(zz, 1.58962301576546568060e-10, -2.50507477628578072866e-8,
			2.75573136213857245213e-6, -1.98412698295895385996e-4,
			8.33333333332211858878e-3, -1.66666666666666307295e-1)
		y = z + float64(float64(z*zz)*p)
	}
	if sign {
		y = -y
	}
	return y
}

// poly evaluates ((((c0·z + c1)·z + c2)·z + c3)·z + c4)·z + c5 by Horner's
// rule, rounding each product.
func poly(z, c0, c1, c2, c3, c4, c5 float64) float64 {
	p := float64(c0*z) + c1
	p = float64(p*z) + c2
	p = float64(p*z) + c3
	p = float64(p*z) + c4
	return float64(p*z) + c5
}
