package ndfilter

import "math"

// The Gaussian weights are exp() of float64 arguments. Go's math.Exp is
// faithful but not correctly rounded (it differs from glibc in about 13%
// of the kernel arguments), so the kernel uses expCR, a correctly rounded
// exp in double-double arithmetic. That is what the IBM exp of glibc ≤ 2.27
// (the authors' era) returns; glibc ≥ 2.28 rounds the same in all but about
// 0.08% of arguments (a one-ulp difference in a weight, which moves a
// float32 filter output with a probability of the order of 2⁻²⁹).

// dd is an unevaluated sum hi+lo of two float64 with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s = quickTwoSum(s.hi, s.lo+t.hi)
	return quickTwoSum(s.hi, s.lo+t.lo)
}

func ddMul(a, b dd) dd {
	p := twoProd(a.hi, b.hi)
	return quickTwoSum(p.hi, p.lo+float64(a.hi*b.lo)+float64(a.lo*b.hi))
}

func ddDiv(a dd, b float64) dd {
	q1 := a.hi / b
	p := twoProd(q1, b)
	s := twoSum(a.hi, -p.hi)
	q2 := (s.hi + (s.lo - p.lo + a.lo)) / b
	return quickTwoSum(q1, q2)
}

// ln2DD is ln 2 to about 107 bits.
var ln2DD = dd{6.931471805599452862e-01, 2.319046813846299558e-17}

// expCR returns e**x rounded to nearest for |x| ≤ 700 (the error before the
// final rounding is about 2⁻¹⁰⁰ relative, so only an argument within that
// distance of a rounding tie could round wrongly). Outside that range it
// falls back to math.Exp; the Gaussian kernel's arguments lie in [−32, 0].
func expCR(x float64) float64 {
	if !(math.Abs(x) <= 700) {
		return math.Exp(x)
	}
	if x == 0 {
		return 1
	}
	k := math.Round(x / math.Ln2)
	kl := ddMul(dd{k, 0}, ln2DD)
	r := ddAdd(dd{x, 0}, dd{-kl.hi, -kl.lo}) // |r| ≤ 0.35
	sum, term := dd{1, 0}, dd{1, 0}
	for n := 1; n <= 27; n++ { // 0.35²⁸/28! < 2⁻¹²⁰
		term = ddDiv(ddMul(term, r), float64(n))
		sum = ddAdd(sum, term)
	}
	return math.Ldexp(sum.hi+sum.lo, int(k))
}
