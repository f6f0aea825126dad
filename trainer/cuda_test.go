//go:build cuda || cudaemu

package trainer

// The trainer on a GPU against the CPU, and the GPU benchmark, run where
// a GPU is:
//
//	go test -tags cuda -run CUDA -bench StepCUDA ./trainer

import (
	"fmt"
	"math"
	"testing"

	"github.com/progan/progan/trainer/internal/nn"
)

func maxRel(got, want []f32) float64 {
	var diff, scale float64
	for i := range want {
		diff = max(diff, math.Abs(float64(got[i])-float64(want[i])))
		scale = max(scale, math.Abs(float64(want[i])))
	}
	return diff / max(scale, 1e-30)
}

// relScalar is the relative error of a loss; a score, a mean of terms of
// both signs that can be near zero, is compared with floor 1.
func relScalar(got, want, floor float64) float64 {
	return math.Abs(got-want) / max(math.Abs(want), floor)
}

// TestCUDAStep runs one D step (reals, fakes, the WGAN-GP penalty) and one
// G step on the GPU and on the CPU from the same weights and inputs, in a
// fade and stable, with and without labels, and compares the losses and
// every gradient: within 1e-5 relative (of the largest magnitude of each
// tensor; scores, means near zero, relative to max(|score|, 1)).
func TestCUDAStep(t *testing.T) {
	dev, err := OpenDevice(DeviceCUDA)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	t.Logf("device %s", dev)
	const tol = 1e-5
	for _, tc := range []struct {
		lod    float64
		labels int
	}{{0.5, 3}, {0, 0}, {1, 3}} {
		name := fmt.Sprintf("lod %g labels %d", tc.lod, tc.labels)
		a := Arch{Resolution: 16, Channels: 3, LabelSize: tc.labels, LatentSize: 32, FmapBase: 128, FmapMax: 32, MbstdGroup: 4}
		cpu, gpu := newTestTrainer(a, "wgangp"), newTestTrainer(a, "wgangp")
		gpu.dev = dev
		gpu.g.place(dev.gpu)
		gpu.d.place(dev.gpu)
		res := 16 >> int(tc.lod)
		const n = 8
		x := nn.New[f32](n, 3, res, res)
		rng := stream(5, 0, 0)
		for i := range x.Data {
			x.Data[i] = f32(rng.Float64()*2 - 1)
		}
		var y *nn.Tensor[f32]
		if tc.labels > 0 {
			y = cpu.randomLabels(n, stream(6, 0, 0))
		}
		for _, tr := range []*trainer{cpu, gpu} {
			tr.gnet, tr.dnet = tr.g.Net(tc.lod), tr.d.Net(tc.lod)
		}
		end := dev.scope()
		want, got := cpu.dStep(x, y, tc.lod, 11), gpu.dStep(x, y, tc.lod, 11)
		wantG, gotG := cpu.gStep(n, 12), gpu.gStep(n, 12)
		if err := end(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, s := range []struct {
			what             string
			got, want, floor float64
		}{
			{"D loss", got.DLoss, want.DLoss, 1e-30}, {"penalty", got.Penalty, want.Penalty, 1e-30},
			{"real score", got.RealScore, want.RealScore, 1}, {"fake score", got.FakeScore, want.FakeScore, 1},
			{"G loss", gotG, wantG, 1e-30},
		} {
			if e := relScalar(s.got, s.want, s.floor); e > tol {
				t.Errorf("%s: %s %g, CPU %g (relative error %.3g)", name, s.what, s.got, s.want, e)
			}
		}
		nn.SyncGrads(gpu.g.Params())
		nn.SyncGrads(gpu.d.Params())
		worst := 0.0
		for _, nets := range [][2]*network{{&cpu.g.network, &gpu.g.network}, {&cpu.d.network, &gpu.d.network}} {
			for i, p := range nets[0].params {
				e := maxRel(nets[1].params[i].p.Grad, p.p.Grad)
				worst = max(worst, e)
				if e > tol {
					t.Errorf("%s: gradient of %s: relative error %.3g", name, p.name, e)
				}
			}
		}
		t.Logf("%s: D loss %g (CPU %g), G loss %g (CPU %g), largest gradient error %.3g", name, got.DLoss, want.DLoss, gotG, wantG, worst)
	}
}

// BenchmarkStepCUDA times one D+G step of the paper's networks (fmap 512)
// on the GPU, with both Adam updates and the Gs average, at 128²
// minibatch 16 and 1024² minibatch 4, and reports images/s and the GPU
// memory held. The comparison point is
// bench/progan_step.py --device cuda on the same GPU.
func BenchmarkStepCUDA(b *testing.B) {
	for _, c := range []struct{ res, minibatch int }{{128, 16}, {1024, 4}} {
		b.Run(fmt.Sprintf("%dx%d", c.res, c.res), func(b *testing.B) {
			dev, err := OpenDevice(DeviceCUDA)
			if err != nil {
				b.Fatal(err)
			}
			defer dev.Close()
			a := Arch{Resolution: c.res, Channels: 3, FmapBase: 8192, FmapMax: 512, MbstdGroup: 4}
			a.LatentSize = a.nf(0)
			init := stream(1, purposeInit, 0)
			t := &trainer{cfg: DefaultConfig("", ""), arch: a, g: newGenerator(a, init), d: newDiscriminator(a, init), gs: newGenerator(a, nil), dev: dev}
			t.gOpt = nn.NewAdam(t.g.Params(), 0, 0.99, 1e-8)
			t.dOpt = nn.NewAdam(t.d.Params(), 0, 0.99, 1e-8)
			t.g.place(dev.gpu)
			t.d.place(dev.gpu)
			t.gs.place(dev.gpu)
			t.gOpt.MoveTo(dev.gpu)
			t.dOpt.MoveTo(dev.gpu)
			t.gnet, t.dnet = t.g.Net(0), t.d.Net(0)
			x := nn.New[f32](c.minibatch, 3, c.res, c.res)
			rng := stream(2, 0, 0)
			for i := range x.Data {
				x.Data[i] = f32(rng.Float64()*2 - 1)
			}
			var i uint64
			step := func() {
				end := dev.scope()
				t.dStep(x, nil, 0, i)
				t.dOpt.Step(0.001)
				nn.MovingAverage(t.gs.Params(), t.g.Params(), 0.999)
				t.gStep(c.minibatch, i)
				t.gOpt.Step(0.001)
				if err := end(); err != nil {
					b.Fatal(err)
				}
				i++
			}
			step() // warm-up: the pool fills, the kernels load
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(c.minibatch)*float64(b.N)/b.Elapsed().Seconds(), "images/s")
			b.ReportMetric(float64(dev.PeakMemory())/(1<<30), "GiB")
		})
	}
}
