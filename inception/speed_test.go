package inception

import (
	"strings"
	"testing"
)

func plainModel(t testing.TB) *Model {
	tensors := map[string]Tensor{}
	for _, l := range Layout() {
		n := 1
		for _, d := range l.Shape {
			n *= d
		}
		var data []float32
		switch {
		case strings.HasSuffix(l.Name, ".weight") && len(l.Shape) > 1:
			data = formulaTensor(l.Name, l.Shape, 1)
		case strings.HasSuffix(l.Name, "running_var") || strings.HasSuffix(l.Name, "bn.weight"):
			data = make([]float32, n)
			for i := range data {
				data[i] = 1
			}
		default:
			data = make([]float32, n)
		}
		tensors[l.Name] = Tensor{Shape: l.Shape, Data: data}
	}
	m, err := New(tensors)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func BenchmarkForward(b *testing.B) {
	m := plainModel(b)
	x := make([]float32, 3*InputSize*InputSize)
	for i := range x {
		x[i] = float32(i%255)/128 - 1
	}
	b.ResetTimer()
	for b.Loop() {
		o := m.Forward(x)
		_ = o
	}
}
