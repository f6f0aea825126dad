package swd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	negZero := float32(math.Copysign(0, -1))
	normal := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		return x
	}
	tests := []struct {
		name string
		x    []float32
	}{
		{"empty", nil},
		{"one", []float32{3}},
		{"two", []float32{2, -1}},
		{"signed zeros", []float32{0, negZero, 1, -1, negZero, 0, 0}},
		{"all equal", slices.Repeat([]float32{-2.5}, 1000)},
		{"all equal positive", slices.Repeat([]float32{7}, 33)},
		{"duplicates", func() []float32 {
			x := make([]float32, 5000)
			for i := range x {
				x[i] = float32(r.IntN(7) - 3)
			}
			return x
		}()},
		{"extremes", []float32{math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)),
			math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-30, -1e-30, 0}},
		{"normal", normal(100003)},
		{"sorted", func() []float32 { x := normal(4096); slices.Sort(x); return x }()},
		{"reversed", func() []float32 { x := normal(4096); slices.Sort(x); slices.Reverse(x); return x }()},
		{"narrow range", func() []float32 { // only the low digits differ
			x := make([]float32, 3000)
			for i := range x {
				x[i] = 1 + float32(r.IntN(1000))*0x1p-23
			}
			return x
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.x)
			slices.Sort(want)
			x := slices.Clone(tc.x)
			got := sortFloat32(x, make([]uint32, len(x)), new(radix))
			if len(got) != len(want) {
				t.Fatalf("%d values, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] { // -0 == +0
					t.Fatalf("value %d = %v, want %v", i, got[i], want[i])
				}
				if i > 0 && got[i] == 0 && got[i-1] == 0 && math.Signbit(float64(got[i])) && !math.Signbit(float64(got[i-1])) {
					t.Fatalf("+0 before -0 at %d", i)
				}
			}
		})
	}
}

func BenchmarkRadixSort(b *testing.B) {
	for _, n := range []int{1 << 17, 1 << 21} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(r.NormFloat64())
			}
			x := make([]float32, n)
			buf := make([]uint32, n)
			rd := new(radix)
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				copy(x, src)
				sortFloat32(x, buf, rd)
			}
		})
	}
}

func BenchmarkSlicesSort(b *testing.B) {
	n := 1 << 21
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(r.NormFloat64())
	}
	x := make([]float32, n)
	b.SetBytes(int64(4 * n))
	for b.Loop() {
		copy(x, src)
		slices.Sort(x)
	}
}
