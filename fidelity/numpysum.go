package fidelity

// numpy's float32 reductions, reproduced because KID's value is a small
// difference of large float32 sums: summed in another order, the result
// moves by about 1e-4 of itself. These follow numpy 1.x's pairwise_sum
// (numpy/core/src/umath/loops_utils.h.src) and its reduction of a
// C-contiguous matrix along axis 0 (one row added after another).

// pairwiseSum is numpy's pairwise_sum for float32: sequential below 8
// values, eight interleaved partial sums up to 128, halves (rounded down to
// a multiple of 8) above.
func pairwiseSum(a []float32) float32 {
	n := len(a)
	switch {
	case n < 8:
		var res float32
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float32
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range 8 {
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
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}

// npSum is ndarray.sum() of a contiguous float32 vector: the reduction
// starts from the identity 0 and adds the pairwise sum.
func npSum(a []float32) float32 { return 0 + pairwiseSum(a) }
