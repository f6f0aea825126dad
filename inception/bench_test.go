package inception

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/progan/progan/internal/inceptiontest"
)

// benchModel has the test weights' convolutions (the speed does not depend
// on the values) and unit batch norms.
func benchModel(b *testing.B) *Model {
	tensors := map[string]Tensor{}
	for _, l := range Layout() {
		n := 1
		for _, d := range l.Shape {
			n *= d
		}
		data := make([]float32, n)
		switch {
		case len(l.Shape) > 1:
			data = inceptiontest.Weight(l.Name, l.Shape)
		case strings.HasSuffix(l.Name, "running_var") || strings.HasSuffix(l.Name, "bn.weight"):
			for i := range data {
				data[i] = 1
			}
		}
		tensors[l.Name] = Tensor{Shape: l.Shape, Data: data}
	}
	m, err := New(tensors)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkForward runs the network on one 299×299 input per goroutine,
// one goroutine per core (GOMAXPROCS), and reports images/s over all.
func BenchmarkForward(b *testing.B) {
	m := benchModel(b)
	x := make([]float32, 3*InputSize*InputSize)
	for i := range x {
		x[i] = float32(i%255)/128 - 1
	}
	m.Forward(x) // scratch grown
	var n atomic.Int64
	start := time.Now()
	b.ResetTimer()
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Forward(x)
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "images/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "goroutines")
}

// BenchmarkInput is the resize and scaling of a 64×64 image.
func BenchmarkInput(b *testing.B) {
	img := loadImage(b, "testdata/reals/0000.png")
	for b.Loop() {
		if _, err := Input(img, TorchFidelity); err != nil {
			b.Fatal(err)
		}
	}
}
