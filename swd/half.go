package swd

import (
	"math"
	"sync"
)

// Band-pass descriptors are stored as IEEE half floats: 11 significant
// bits, relative rounding error at most 2^-11 (values are at most 255 in
// magnitude, far from the half range's limits).

// toHalf rounds f to the nearest half float (ties to even). Values beyond
// the half range (never produced here: pyramid values lie in [-255, 255])
// saturate to infinity.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case exp >= 31:
		if b&0x7fffffff > 0x7f800000 {
			return sign | 0x7e00 // NaN
		}
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		halfway := uint32(1) << (shift - 1)
		if rem > halfway || rem == halfway && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // may carry into the exponent, which is right
	}
	return sign | uint16(h)
}

// toHalfsPortable converts src to half floats in dst.
func toHalfsPortable(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = toHalf(v)
	}
}

// fromHalf converts a half float to float32 (exactly).
func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		return float32(math.Copysign(float64(mant)*0x1p-24, float64(int32(sign)|1)))
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// toFixed stores a low-pass value v in [0, 255] as round(256·(v - 128)).
func toFixed(v float32) uint16 {
	return uint16(int16(math.RoundToEven(float64(v)*256) - 32768))
}

// halfTable maps every half float to float32, for the portable projection.
var halfTable = sync.OnceValue(func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for i := range t {
		t[i] = fromHalf(uint16(i))
	}
	return t
})
