package nprand

import "math"

// numpy's legacy_gauss calls the C library's log, which on glibc is
// correctly rounded except in about one case in a thousand (one in 3000 of
// the arguments randn produces). Go's math.Log is only accurate to within
// one ulp and disagrees with glibc in the last bit for about 3% of those
// arguments, so NormFloat64 uses log below, a correctly rounded logarithm
// evaluated in double-double arithmetic, which agrees with glibc whenever
// glibc is right.

// Double-double representation of ln 2.
const (
	ln2Hi = 0x1.62e42fefa39efp-1
	ln2Lo = 0x1.abc9e3b39803fp-56
)

// atanhCoef holds 1/(2j+1), j = 0..10, as double-double values.
var atanhCoef = func() (c [11][2]float64) {
	for j := range c {
		d := float64(2*j + 1)
		hi := 1 / d
		c[j] = [2]float64{hi, -math.FMA(hi, d, -1) / d}
	}
	return c
}()

// twoSum returns s and e with s = fl(a+b) and s+e = a+b exactly.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// ddAdd returns the normalized double-double sum of (ah, al) and (bh, bl).
func ddAdd(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	e += al + bl
	h := s + e
	return h, e - (h - s)
}

// ddMul returns the normalized double-double product of (ah, al) and (bh, bl).
func ddMul(ah, al, bh, bl float64) (float64, float64) {
	p := ah * bh
	e := math.FMA(ah, bh, -p)
	e += ah*bl + al*bh
	h := p + e
	return h, e - (h - p)
}

// log returns the natural logarithm of x correctly rounded (barring inputs
// within about 2^-100 ulp of a rounding boundary). It reduces x to
// f * 2^e with f in [1/√2, √2) and sums e·ln 2 + 2·atanh((f-1)/(f+1)) with
// about 104 bits of precision before rounding once.
func log(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		return math.Log(x)
	}
	f, e := math.Frexp(x)
	if f < math.Sqrt2/2 {
		f *= 2
		e--
	}

	// s = (f-1)/(f+1); f-1 is exact because f is within a factor 2 of 1.
	num := f - 1
	dh, dl := twoSum(f, 1)
	sh := num / dh
	sl := (math.FMA(-sh, dh, num) - sh*dl) / dh
	zh, zl := ddMul(sh, sl, sh, sl) // s² ≤ 0.0295

	// atanh(s)/s = Σ z^j/(2j+1). Terms past j = 21 are below 2^-110; those
	// from j = 11 on are below 2^-56 and need only float64 precision.
	t := 0.0
	for j := 21; j >= 11; j-- {
		t = t*zh + 1/float64(2*j+1)
	}
	ph, pl := t, 0.0
	for j := 10; j >= 0; j-- {
		ph, pl = ddMul(ph, pl, zh, zl)
		ph, pl = ddAdd(ph, pl, atanhCoef[j][0], atanhCoef[j][1])
	}
	lh, ll := ddMul(sh, sl, ph, pl)
	lh, ll = 2*lh, 2*ll

	if e != 0 {
		k := float64(e)
		kh := k * ln2Hi
		kl := math.FMA(k, ln2Hi, -kh) + k*ln2Lo
		lh, ll = ddAdd(kh, kl, lh, ll)
	}
	return lh + ll
}
