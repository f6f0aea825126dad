// Package nprand reproduces the random stream of numpy's legacy
// numpy.random.RandomState seeded with an integer, so that Go code can make
// the same random choices (dataset orders, shuffles, latent vectors) as a
// Python program that used np.random.RandomState(seed).
//
// RandomState is the MT19937 Mersenne Twister of randomkit, which numpy
// kept unchanged as its legacy generator. This package follows numpy's
// sources from 1.17 on (and was checked against numpy 1.24): the seeding
// and generator of mt19937.c, random_interval of distributions.c, the
// masked-rejection bounded integers of _bounded_integers.pyx (RandomState
// never uses the faster Lemire method, to keep its old stream), and
// legacy_gauss of legacy-distributions.c.
//
// Uint32, Float64, Interval, Shuffle, Permutation and Randint are bit-exact.
// NormFloat64 consumes exactly the same draws as numpy, so the stream never
// drifts out of step, but its value depends on the C library's log: it
// matches numpy on glibc for all but about 1 value in 3000, which differ by
// at most a few ulps (see NormFloat64).
//
// Array-valued numpy calls draw exactly as the same number of scalar calls
// made in C order: rs.randn(a, b) is a*b successive NormFloat64 values, and
// rs.randint(low, high, size=n) with the default int64 dtype is n successive
// Randint values. (In numpy that is not so for dtypes narrower than 32 bits,
// such as uint8 or bool, whose array path takes several results from one
// 32-bit draw; this package does not provide those.)
//
// A RandomState is not safe for concurrent use.
package nprand

import "math"

const (
	mtN       = 624
	mtM       = 397
	matrixA   = 0x9908b0df
	upperMask = 0x80000000
	lowerMask = 0x7fffffff
)

// RandomState is the state of numpy's legacy RandomState: the MT19937 key
// and position, plus the cached second gaussian of the polar method.
type RandomState struct {
	key      [mtN]uint32
	pos      int
	hasGauss bool
	gauss    float64
}

// New returns the generator numpy.random.RandomState(seed) builds for an
// integer seed (Knuth's init_genrand, as mt19937_seed does), with no cached
// gaussian.
func New(seed uint32) *RandomState {
	r := new(RandomState)
	s := seed
	for i := range r.key {
		r.key[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	r.pos = mtN
	return r
}

// generate refills the key with the next 624 untempered words.
func (r *RandomState) generate() {
	k := &r.key
	var i int
	for ; i < mtN-mtM; i++ {
		y := k[i]&upperMask | k[i+1]&lowerMask
		k[i] = k[i+mtM] ^ y>>1 ^ -(y&1)&matrixA
	}
	for ; i < mtN-1; i++ {
		y := k[i]&upperMask | k[i+1]&lowerMask
		k[i] = k[i+mtM-mtN] ^ y>>1 ^ -(y&1)&matrixA
	}
	y := k[mtN-1]&upperMask | k[0]&lowerMask
	k[mtN-1] = k[mtM-1] ^ y>>1 ^ -(y&1)&matrixA
	r.pos = 0
}

// Uint32 returns the next raw 32-bit output of MT19937 (genrand_int32).
func (r *RandomState) Uint32() uint32 {
	if r.pos == mtN {
		r.generate()
	}
	y := r.key[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// uint64 is numpy's mt19937_next64: the first 32-bit draw is the high half.
func (r *RandomState) uint64() uint64 {
	hi := uint64(r.Uint32())
	return hi<<32 | uint64(r.Uint32())
}

// Float64 returns a float64 in [0, 1) as RandomState.random_sample does:
// 27 bits from one draw and 26 from the next make a 53-bit fraction.
func (r *RandomState) Float64() float64 {
	a := r.Uint32() >> 5
	b := r.Uint32() >> 6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// mask returns the smallest 2^k-1 that is >= v.
func mask(v uint64) uint64 {
	v |= v >> 1
	v |= v >> 2
	v |= v >> 4
	v |= v >> 8
	v |= v >> 16
	v |= v >> 32
	return v
}

// Interval returns a uniform integer in [0, max] by numpy's random_interval:
// draws are masked to the smallest all-ones value covering max and rejected
// until they fall in range. Draws are 32-bit unless max needs more bits.
// Interval(0) consumes nothing.
func (r *RandomState) Interval(max uint64) uint64 {
	if max == 0 {
		return 0
	}
	mk := mask(max)
	if max <= math.MaxUint32 {
		for {
			if v := uint64(r.Uint32()) & mk; v <= max {
				return v
			}
		}
	}
	for {
		if v := r.uint64() & mk; v <= max {
			return v
		}
	}
}

// Shuffle permutes n elements the way RandomState.shuffle permutes a 1-D
// array of length n: a Fisher-Yates pass from the end, swap(i, j) with
// j = Interval(i) for i = n-1 down to 1. Note that the visiting order and
// the bounded draw both differ from math/rand's Shuffle.
func (r *RandomState) Shuffle(n int, swap func(i, j int)) {
	if n < 0 {
		panic("nprand: invalid argument to Shuffle")
	}
	for i := n - 1; i > 0; i-- {
		swap(i, int(r.Interval(uint64(i))))
	}
}

// Permutation returns the permutation of 0..n-1 that
// RandomState.permutation(n), i.e. shuffle(arange(n)), returns.
// It panics if n < 0 (numpy would return an empty array).
func (r *RandomState) Permutation(n int) []int {
	if n < 0 {
		panic("nprand: invalid argument to Permutation")
	}
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.Interval(uint64(i))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Randint returns an integer in [low, high) as RandomState.randint(low, high)
// does with the default int64 dtype: numpy's random_bounded_uint64 with the
// masked method on the range rng = high-1-low. A range of 0 consumes no draw,
// a range that fits in 32 bits uses one 32-bit draw per try (a full 32-bit
// range uses the draw unmasked), and a wider range uses 64-bit draws.
// It panics if low >= high, where numpy raises ValueError.
func (r *RandomState) Randint(low, high int64) int64 {
	if low >= high {
		panic("nprand: Randint called with low >= high")
	}
	rng := uint64(high-1) - uint64(low)
	off := uint64(low)
	switch {
	case rng == 0:
		return low
	case rng == math.MaxUint32:
		return int64(off + uint64(r.Uint32()))
	case rng < math.MaxUint32:
		mk := mask(rng)
		for {
			if v := uint64(r.Uint32()) & mk; v <= rng {
				return int64(off + v)
			}
		}
	}
	// rng == 1<<64-1, where numpy skips the mask, needs high = 1<<63 and
	// cannot be asked for with int64 arguments.
	mk := mask(rng)
	for {
		if v := r.uint64() & mk; v <= rng {
			return int64(off + v)
		}
	}
}

// NormFloat64 returns a standard normal value as RandomState.randn() and
// standard_normal() do (legacy_gauss): the polar Box-Muller method makes two
// values from each accepted pair of Float64 draws, returns one and caches the
// other for the next call. The cache lives in the RandomState, so calls to
// other methods in between do not discard it.
//
// numpy computes sqrt(-2*log(r2)/r2) with the C library's log. On glibc
// that log is misrounded for about 1 argument in 3000, and this package,
// which uses a correctly rounded log instead, then returns a pair of values
// that differ from numpy's by 1 to 3 ulps (in a test of 20 million values,
// 7005 differed, none by more than 3 ulps). Every draw and every
// accept/reject decision is still identical, so later values are unaffected.
func (r *RandomState) NormFloat64() float64 {
	if r.hasGauss {
		r.hasGauss = false
		g := r.gauss
		r.gauss = 0
		return g
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*r.Float64() - 1
		x2 = 2*r.Float64() - 1
		// The explicit conversions forbid fused multiply-adds, which
		// would round differently from numpy's C code.
		r2 = float64(x1*x1) + float64(x2*x2)
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * log(r2) / r2)
	r.gauss = f * x1
	r.hasGauss = true
	return f * x2
}
