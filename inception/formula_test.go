package inception

import "github.com/progan/progan/internal/inceptiontest"

func fnv64(s string) uint64                { return inceptiontest.Seed(s) }
func uniform(seed uint64, n int) []float64 { return inceptiontest.Uniform(seed, n) }
func formulaTensor(name string, shape []int, _ float64) []float32 {
	return inceptiontest.Weight(name, shape)
}
