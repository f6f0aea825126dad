// Package npsum sums contiguous float arrays in NumPy's order, for the
// code that must reproduce NumPy's results bit for bit (scipy's Gaussian
// kernel, torch-fidelity's KID): ndarray.sum() and np.add.reduce of a
// contiguous array go through pairwise_sum
// (numpy/core/src/umath/loops_utils.h.src): sequential below 8 values,
// eight interleaved partial sums up to 128, and above that the two halves
// (the first rounded down to a multiple of 8) summed recursively. The
// arithmetic is in the array's own type, as NumPy's is.
package npsum

// Float is the element type NumPy's pairwise sum is reproduced for.
type Float interface{ ~float32 | ~float64 }

// Sum returns the sum of a as NumPy's add.reduce of a contiguous array
// computes it (the reduction's initial 0 adds nothing).
func Sum[T Float](a []T) T {
	n := len(a)
	switch {
	case n < 8:
		var res T
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]T
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return Sum(a[:n2]) + Sum(a[n2:])
	}
}
