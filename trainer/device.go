package trainer

import (
	"context"
	"fmt"
	"iter"
	"runtime"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/trainer/internal/nn"
)

// The devices a run or a model can use.
const (
	DeviceCPU  = "cpu"
	DeviceCUDA = "cuda"
)

// DefaultDevice is "cuda" in a build with the CUDA backend (build tag
// cuda), "cpu" otherwise.
func DefaultDevice() string {
	if nn.CUDAAvailable {
		return DeviceCUDA
	}
	return DeviceCPU
}

// Device is where a run trains or a model generates. On a GPU the
// networks, their gradients and the optimiser state stay in GPU memory;
// only the reals and latents go up and the losses come back per step,
// the weights at checkpoints. Results agree with the CPU's to float32
// rounding, and a run started on one device resumes on the other.
//
// A GPU Device serves the goroutine that opened it: open it, use it and
// close it on one goroutine.
type Device struct {
	gpu *nn.Device
}

// OpenDevice opens "cpu" or "cuda" (the first GPU CUDA sees); "" means
// DefaultDevice. "cuda" in a build without the backend says how to build
// one.
func OpenDevice(name string) (*Device, error) {
	switch name {
	case "":
		return OpenDevice(DefaultDevice())
	case DeviceCPU:
		return &Device{}, nil
	case DeviceCUDA:
		d, err := nn.OpenCUDA()
		if err != nil {
			return nil, fmt.Errorf("trainer: device cuda: %w", err)
		}
		return &Device{gpu: d}, nil
	}
	return nil, fmt.Errorf("trainer: device %q: want cpu or cuda", name)
}

// String names the device, with the GPU's memory.
func (d *Device) String() string {
	if d == nil || d.gpu == nil {
		return fmt.Sprintf("cpu (%d threads)", runtime.GOMAXPROCS(0))
	}
	return fmt.Sprintf("cuda: %s, %.1f GiB", d.gpu.Name(), float64(d.gpu.Memory())/(1<<30))
}

// PeakMemory returns the most GPU memory the device has held, in bytes
// (0 on the CPU).
func (d *Device) PeakMemory() int64 {
	if d == nil || d.gpu == nil {
		return 0
	}
	return d.gpu.PeakMemory()
}

// Close releases a GPU; it returns the first error the GPU met.
func (d *Device) Close() error {
	if d == nil || d.gpu == nil {
		return nil
	}
	return d.gpu.Close()
}

func (d *Device) nn() *nn.Device {
	if d == nil {
		return nil
	}
	return d.gpu
}

// scope starts a device arena; its end function releases what the work in
// between allocated on the GPU and returns the GPU's error.
func (d *Device) scope() func() error {
	g := d.nn()
	if g == nil {
		return func() error { return nil }
	}
	m := g.Mark()
	return func() error {
		g.Release(m)
		return g.Err()
	}
}

// phase starts a part of a step whose GPU tensors are garbage at its end:
// the returned function frees them, but for the tensors given, which stay
// until the step's scope ends. It bounds a step's GPU memory by its
// largest phase instead of the sum of all.
func (d *Device) phase() func(keep ...*nn.Tensor[f32]) {
	g := d.nn()
	if g == nil {
		return func(...*nn.Tensor[f32]) {}
	}
	m := g.Mark()
	return func(keep ...*nn.Tensor[f32]) { nn.ReleaseKeep(g, m, keep...) }
}

// up returns t on the device.
func (d *Device) up(t *nn.Tensor[f32]) *nn.Tensor[f32] {
	if t == nil {
		return nil
	}
	return nn.ToDevice(d.nn(), t)
}

// place moves a network's parameters to the device (nil: the host).
func (n *network) place(d *nn.Device) { nn.MoveParams(d, n.Params()) }

// sync makes the host copies of a network's parameters current.
func (n *network) sync() { nn.SyncParams(n.Params()) }

func (n *network) device() *nn.Device {
	if len(n.params) == 0 {
		return nil
	}
	return n.params[0].p.Device()
}

// Use moves the model to d for Generate (nil: the CPU).
func (m *Model) Use(d *Device) { m.gs.place(d.nn()) }

// relay runs consume on its own goroutine over the images of produce,
// which runs on the caller's goroutine: a GPU generator must run on the
// goroutine that holds the GPU, while consumers such as swd.Collect read
// their input from a goroutine of their own.
func relay[R any](ctx context.Context, produce iter.Seq2[*planar.Image, error], consume func(context.Context, iter.Seq2[*planar.Image, error]) (R, error)) (R, error) {
	type item struct {
		img *planar.Image
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan item, sampleBatch)
	type result struct {
		r   R
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := consume(ctx, func(yield func(*planar.Image, error) bool) {
			for it := range ch {
				if !yield(it.img, it.err) {
					return
				}
			}
		})
		cancel()
		done <- result{r, err}
	}()
	for img, err := range produce {
		select {
		case ch <- item{img, err}:
		case <-ctx.Done():
		}
		if err != nil || ctx.Err() != nil {
			break
		}
	}
	close(ch)
	r := <-done
	return r.r, r.err
}
