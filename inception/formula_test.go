package inception

import (
	"hash/fnv"
	"math"
)

// The deterministic test weights of testdata/README.md ("progan test
// weights v1"): a splitmix64 stream per tensor, seeded with the FNV-1a hash
// of its name, computed here exactly as testdata/gen/gen.py computes it.

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// uniform returns n values of the stream of seed: v = (2r+1−2²⁴)/2²⁴ with
// r the top 24 bits of splitmix64, exactly representable, in (−1, 1).
func uniform(seed uint64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		z := seed + uint64(i+1)*0x9E3779B97F4A7C15
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		r := int64(z >> 40)
		out[i] = float64(2*r+1-(1<<24)) / (1 << 24)
	}
	return out
}

// formulaTensor returns the formula's values of a conv or fc weight.
func formulaTensor(name string, shape []int, fcGain float64) []float32 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	fanIn := n / shape[0]
	gain := math.Sqrt(3.0 / float64(fanIn))
	if name == "fc.weight" {
		gain *= fcGain
	}
	v := uniform(fnv64(name), n)
	out := make([]float32, n)
	for i, x := range v {
		out[i] = float32(x * gain)
	}
	return out
}
