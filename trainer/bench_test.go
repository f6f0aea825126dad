package trainer

import (
	"fmt"
	"testing"

	"github.com/progan/progan/trainer/internal/nn"
)

// benchStep times one D step and one G step at the given resolution (its
// final, stable level of detail), the reference's architecture with
// FmapMax channels at most, and reports images per second.
func benchStep(b *testing.B, res, fmapMax, minibatch int) {
	a := Arch{Resolution: res, Channels: 3, FmapBase: 8192, FmapMax: fmapMax, MbstdGroup: 4}
	a.LatentSize = a.nf(0)
	cfg := DefaultConfig("", "")
	init := stream(1, purposeInit, 0)
	t := &trainer{cfg: cfg, arch: a, g: newGenerator(a, init), d: newDiscriminator(a, init)}
	t.gnet, t.dnet = t.g.Net(0), t.d.Net(0)
	t.gOpt = nn.NewAdam(t.g.Params(), 0, 0.99, 1e-8)
	t.dOpt = nn.NewAdam(t.d.Params(), 0, 0.99, 1e-8)
	x := nn.New[f32](minibatch, 3, res, res)
	rng := stream(2, 0, 0)
	for i := range x.Data {
		x.Data[i] = f32(rng.Float64()*2 - 1)
	}
	b.ResetTimer()
	var i uint64
	for b.Loop() {
		t.dStep(x, nil, 0, i)
		t.dOpt.Step(0.001)
		t.gStep(minibatch, i)
		t.gOpt.Step(0.001)
		i++
	}
	b.ReportMetric(float64(minibatch)*float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkStep is one D+G step of the reference networks (FmapMax 512)
// at minibatch 16, the comparison point of bench/progan_step.py:
//
//	go test -run '^$' -bench 'Step/32x32' -benchtime 2x ./trainer/
//
// On two cores a step takes about 4.5 minutes at 32×32 and 17 at 128×128.
func BenchmarkStep(b *testing.B) {
	for _, res := range []int{32, 128} {
		b.Run(fmt.Sprintf("%dx%d", res, res), func(b *testing.B) { benchStep(b, res, 512, 16) })
	}
}

// BenchmarkStepSmall is the learning test's network (16×16, 32 channels).
func BenchmarkStepSmall(b *testing.B) { benchStep(b, 16, 32, 16) }
