//go:build amd64 && !purego

package ndfilter

import "golang.org/x/sys/cpu"

// useAVX2 reports whether the Gaussian passes may run the AVX2 kernels,
// useAVX512 whether they may run the AVX-512 ones, which do the same
// arithmetic on eight lanes instead of four.
var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX2 && cpu.X86.HasAVX512F
)

// correlateAVX2 computes blocks blocks of 16 outputs of correlateRow's sum:
// block b is centred on ctr + b·ctrStep bytes, its pairs lie ±k·stride
// bytes away, and its 16 float32 results go to dst + b·dstStep bytes. See
// gauss_amd64.s.
//
//go:noescape
func correlateAVX2(dst *float32, dstStep int, ctr *float64, ctrStep int, stride int, w *float64, r int, blocks int)

// correlatePanel runs the AVX-512 or AVX2 kernel down a panel (see
// correlateAxis0Panels): rows output rows of 16, the first centred on
// buf[c0], the panel's rows 16 samples apart, written dstStep samples
// apart from dst[0]. Pairs of rows share their loads; an odd last row
// goes through the one-row kernel.
func correlatePanel(dst []float32, dstStep int, buf []float64, c0 int, w []float64, rows int) {
	r := len(w) - 1
	_ = dst[(rows-1)*dstStep+panel-1]
	_ = buf[c0-r*panel]
	_ = buf[c0+(rows-1+r)*panel+panel-1]
	if useAVX512 {
		correlatePairs512(&dst[0], 4*dstStep, &buf[c0], 8*panel, &w[0], r, rows/2)
	} else {
		correlatePairsAVX2(&dst[0], 4*dstStep, &buf[c0], 8*panel, &w[0], r, rows/2)
	}
	if rows%2 == 1 {
		last := rows - 1
		correlateAVX2(&dst[last*dstStep], 0, &buf[c0+last*panel], 0, 8*panel, &w[0], r, 1)
	}
}

// correlatePairsAVX2 is correlateAVX2 for a panel of 16 columns with rows
// S bytes apart, two output rows at a time (2·pairs rows, centred on
// ctr + row·S, written at dst + row·dstStep). See gauss_amd64.s.
//
//go:noescape
func correlatePairsAVX2(dst *float32, dstStep int, ctr *float64, S int, w *float64, r int, pairs int)

// correlatePairs512 is correlatePairsAVX2 with AVX-512 instructions.
//
//go:noescape
func correlatePairs512(dst *float32, dstStep int, ctr *float64, S int, w *float64, r int, pairs int)
