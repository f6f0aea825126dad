// Package inceptiontest computes the deterministic Inception v3 test weights
// of inception/testdata ("progan test weights v1", see its README.md): the
// convolution and fc weights from a splitmix64 stream per tensor, seeded
// with the FNV-1a hash of the tensor's name, exactly as the golden
// generator inception/testdata/gen/gen.py computes them. The batch norm
// tensors and the fc bias come from inception/testdata/bn.pth instead.
package inceptiontest

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/progan/progan/internal/pth"
)

// FCGain scales fc.weight so that the logits spread over a few units.
const FCGain = 16.0

// Seed returns the stream seed of a name: its 64-bit FNV-1a hash.
func Seed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Uniform returns n values of the stream of seed: v = (2r+1−2²⁴)/2²⁴ with r
// the top 24 bits of splitmix64 — exactly representable, in (−1, 1).
func Uniform(seed uint64, n int) []float64 {
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

// Weight returns the values of a conv weight or of fc.weight of the given
// shape: float32(v·√(3/fan_in)), times FCGain for fc.weight.
func Weight(name string, shape []int) []float32 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	gain := math.Sqrt(3.0 / float64(n/shape[0]))
	if name == "fc.weight" {
		gain *= FCGain
	}
	v := Uniform(Seed(name), n)
	out := make([]float32, n)
	for i, x := range v {
		out[i] = float32(x * gain)
	}
	return out
}

// Weights are the test weights: the formula's, and the tensors of bn.pth.
type Weights struct {
	bn map[string]*pth.Tensor
}

// Load reads inception/testdata/bn.pth from path.
func Load(bnPath string) (*Weights, error) {
	bn, err := pth.ReadFile(bnPath)
	if err != nil {
		return nil, err
	}
	return &Weights{bn: bn}, nil
}

// Tensor returns the values of the state_dict tensor name of the given
// shape: bn.pth's when it holds it, the formula's (Weight) otherwise.
func (w *Weights) Tensor(name string, shape []int) ([]float32, error) {
	if t, ok := w.bn[name]; ok {
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("inceptiontest: bn.pth: %s has shape %v, want %v", name, t.Shape, shape)
		}
		return t.Float32()
	}
	return Weight(name, shape), nil
}
