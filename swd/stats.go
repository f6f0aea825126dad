package swd

import (
	"math"
	"runtime"

	"github.com/progan/progan/internal/parallel"
)

// The original standardises each level's descriptors (M, 3, 7, 7) with
// float32 numpy reductions: desc -= desc.mean(axis=(0, 2, 3)); desc /=
// desc.std(axis=(0, 2, 3)). NumPy forms such a sum by adding, in float32
// and in descriptor order, the float32 pairwise sum of each descriptor's
// 49 values of the channel (checked bit for bit against numpy 1.24). Its
// rounding errors reach 1e-5 of the mean and standard deviation, and a
// distance between similar sets is sensitive to them (a noise-floor
// comparison moved by 1e-4 relative), so the levels stored in float32 are
// standardised exactly that way: standardiseFull reproduces the mean, the
// centring and the standard deviation bit for bit.

// pairwise49 is numpy's float32 pairwise sum (FLOAT_pairwise_sum) of 49
// values, for the 16 descriptors of a panel at once: v holds value k of
// descriptor i at v[k*group+i]. Per descriptor: eight running sums over
// the first 48 values, combined as a tree, then the last value.
func pairwise49(v []float32, out *[group]float32) {
	const cdim = nhood * nhood
	v = v[:cdim*group]
	var r [8][group]float32
	for j := range r {
		copy(r[j][:], v[j*group:])
	}
	for i := 8; i < 48; i += 8 {
		for j := range r {
			row := v[(i+j)*group : (i+j+1)*group]
			for l, x := range row {
				r[j][l] += x
			}
		}
	}
	last := v[48*group : 49*group]
	for l := range out {
		res := ((r[0][l] + r[1][l]) + (r[2][l] + r[3][l])) + ((r[4][l] + r[5][l]) + (r[6][l] + r[7][l]))
		out[l] = res + last[l]
	}
}

// standardiseFull centres a float32 store in place with numpy's float32
// mean and sets s.std to numpy's float32 population standard deviation of
// the centred values (s.mean becomes 0), for m descriptors, on workers
// goroutines.
func standardiseFull(s *store, m, workers int) {
	const cdim = nhood * nhood
	workers = workerCount(workers)
	part := make([]float32, m*nchan) // pairwise sums per channel and descriptor
	// pass runs f on every panel in parallel; f gets the panel, a scratch
	// buffer of one channel and where its partial sums go.
	pass := func(f func(pan, tmp []float32, c int, out *[group]float32)) {
		tmps := make([][]float32, workers)
		parallel.For(m/group, 1, workers, func(w, p, _ int) {
			if tmps[w] == nil {
				tmps[w] = make([]float32, cdim*group)
			}
			pan := s.fullPanels(p, 1)
			for c := range nchan {
				f(pan[c*cdim*group:(c+1)*cdim*group], tmps[w], c, (*[group]float32)(part[(c*m/group+p)*group:]))
			}
		})
	}
	n := float32(m * cdim)
	mean := func() (out [nchan]float32) { // numpy: the partial sums added in descriptor order
		for c := range nchan {
			var acc float32
			for _, v := range part[c*m : (c+1)*m] {
				acc += v
			}
			out[c] = acc / n
		}
		return out
	}

	pass(func(pan, _ []float32, _ int, out *[group]float32) { pairwise49(pan, out) })
	m1 := mean()
	pass(func(pan, _ []float32, c int, out *[group]float32) { // desc -= mean, in place
		for i, v := range pan {
			pan[i] = v - m1[c]
		}
		pairwise49(pan, out)
	})
	m2 := mean() // desc.std(): the mean of the centred values, then the mean square
	pass(func(pan, tmp []float32, c int, out *[group]float32) {
		for i, v := range pan {
			d := v - m2[c]
			tmp[i] = float32(d * d) // rounded before the sum: no fused multiply-add
		}
		pairwise49(tmp, out)
	})
	v := mean()
	runtime.KeepAlive(s) // the chunks' memory
	for c := range nchan {
		s.mean[c] = 0
		// sqrtf is correctly rounded, and so is this (double rounding of a
		// square root from 53 to 24 bits is harmless).
		s.std[c] = float64(float32(math.Sqrt(float64(v[c]))))
	}
}
