package inception

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkForward runs the network on one 299×299 input per goroutine,
// one goroutine per core (GOMAXPROCS), and reports images/s over all.
func BenchmarkForward(b *testing.B) {
	m := goldenModel(b) // the speed does not depend on the values
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
