package ndfilter

import (
	"fmt"
	"math"
)

// Median returns np.median(m, axis=(0, 1)) of a float32 image, one value
// per channel: the middle order statistic of the H·W samples for an odd
// count, otherwise np.mean of the two middle ones, which for float32 is
// float32(a+b)/2 computed in float32. A channel holding a NaN has median
// NaN, as in NumPy. Which zero is returned when −0 and +0 meet in the
// middle is unspecified (NumPy's partition does not order them either).
func Median(m *Image) ([]float32, error) {
	if err := m.check("input"); err != nil {
		return nil, err
	}
	n := m.W * m.H
	if n == 0 {
		return nil, fmt.Errorf("ndfilter: median of an empty %d×%d image", m.H, m.W)
	}
	keys := make([]uint32, n)
	med := make([]float32, m.C)
	for c := range m.C {
		nan := false
		for i := range keys {
			v := m.Pix[i*m.C+c]
			nan = nan || v != v
			keys[i] = sortKey(v)
		}
		switch {
		case nan:
			med[c] = float32(math.NaN())
		case n%2 == 1:
			med[c] = fromSortKey(selectKey(keys, n/2))
		default:
			a := fromSortKey(selectKey(keys, n/2-1))
			b := fromSortKey(selectKey(keys, n/2))
			med[c] = (a + b) / 2
		}
	}
	return med, nil
}

// sortKey maps a float32 to a uint32 whose unsigned order is the float
// order (−0 just below +0).
func sortKey(v float32) uint32 {
	u := math.Float32bits(v)
	if u>>31 != 0 {
		return ^u
	}
	return u | 1<<31
}

func fromSortKey(k uint32) float32 {
	if k>>31 != 0 {
		return math.Float32frombits(k &^ (1 << 31))
	}
	return math.Float32frombits(^k)
}

// selectKey returns the k-th smallest (0-based) of keys by a two-pass radix
// selection on the high and low 16 bits; keys is not modified.
func selectKey(keys []uint32, k int) uint32 {
	var hist [1 << 16]int
	for _, v := range keys {
		hist[v>>16]++
	}
	hi := 0
	for ; k >= hist[hi]; hi++ {
		k -= hist[hi]
	}
	clear(hist[:])
	for _, v := range keys {
		if int(v>>16) == hi {
			hist[v&0xffff]++
		}
	}
	lo := 0
	for ; k >= hist[lo]; lo++ {
		k -= hist[lo]
	}
	return uint32(hi)<<16 | uint32(lo)
}
