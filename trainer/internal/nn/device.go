package nn

import (
	"errors"
	"fmt"
)

// Device is a GPU that tensors, parameters and optimiser state can live
// on. A nil *Device is the host: the pure-Go kernels of kernels.go. With
// the build tag cuda, OpenCUDA opens an NVIDIA GPU (cuda.go); in other
// builds it returns ErrNoCUDA.
//
// A tensor on a device has no Data: its values stay in device memory
// through every layer pass, and the layers allocate their outputs on the
// device of their input. Only float32 tensors can live on a device.
//
// A Device serves the goroutine that opened it (a CUDA context is current
// per OS thread; OpenCUDA locks the goroutine to its thread until Close).
// Errors of the device (out of memory, a failed launch) are sticky, as
// CUDA's are: the first is kept, later operations do nothing, and Err
// reports it; callers check Err after each step.
type Device struct {
	b      backend
	name   string
	memory int64
}

// ErrNoCUDA is returned by OpenCUDA in a build without the cuda tag.
var ErrNoCUDA = errors.New("this progan was built without CUDA: build it with a CUDA toolkit installed as `go build -tags cuda ./cmd/progan`")

// Name returns the GPU's name, such as "NVIDIA H100 80GB HBM3".
func (d *Device) Name() string { return d.name }

// Memory returns the GPU's total memory in bytes.
func (d *Device) Memory() int64 { return d.memory }

// PeakMemory returns the most device memory this Device has held at once,
// in bytes: its pool of buffers, which it reuses rather than frees.
func (d *Device) PeakMemory() int64 { return d.b.peak() }

// Err returns the first error the device met, after waiting for the work
// queued so far.
func (d *Device) Err() error { return d.b.sync() }

// Close waits for the device, releases its memory and context, and
// unlocks the goroutine from its thread.
func (d *Device) Close() error { return d.b.close() }

// Mark returns the current position of the device's tensor arena: tensors
// allocated afterwards (layer outputs, gradients, uploads) are returned to
// the pool by Release(mark). A training step is one arena: every tensor of
// the step is garbage after it. Parameters and optimiser slots are not in
// the arena.
func (d *Device) Mark() int { return d.b.mark() }

// Release returns the tensors allocated since mark to the pool; they must
// not be used afterwards.
func (d *Device) Release(mark int) { d.b.release(mark, nil) }

// ReleaseKeep is Release except for the tensors in keep, which stay
// allocated until an earlier mark is released: a phase of a step can free
// its intermediate tensors and hand on its result.
func ReleaseKeep[T Float](d *Device, mark int, keep ...*Tensor[T]) {
	k := map[uintptr]bool{}
	for _, t := range keep {
		if t != nil && t.dev == d {
			k[t.ptr] = true
		}
	}
	d.b.release(mark, k)
}

// backend is what a GPU build provides: memory, transfers, and the kernels
// of kernels.go on device memory, in float32. Pointers are device
// addresses; sizes count float32 values. The backend queues work in order
// on one stream and keeps its first error.
type backend interface {
	alloc(n int) uintptr      // zeroed, in the arena
	allocEmpty(n int) uintptr // uninitialised, in the arena
	temp(n int) uintptr       // uninitialised, returned with free
	free(p uintptr, n int)
	// workspace returns the one scratch buffer of the convolutions'
	// im2col columns, grown to n values: one is in use at a time, so a
	// single buffer of the largest size serves every layer.
	workspace(n int) uintptr
	persistent(n int) uintptr // zeroed, outside the arena, returned with free
	mark() int
	release(mark int, keep map[uintptr]bool)
	discard(p uintptr) // an arena tensor back to the pool before its release
	peak() int64
	sync() error
	close() error

	upload(dst uintptr, src []float32)
	download(dst []float32, src uintptr)
	copy(dst, src uintptr, n int)
	zero(p uintptr, n int)

	// gemm is kernels.go's row-major gemm, batch times, the i-th product
	// on a+i·sa, b+i·sb, c+i·sc (strides in values; 0 repeats a matrix).
	gemm(tA, tB bool, m, n, k int, alpha float32, a uintptr, lda, sa int, b uintptr, ldb, sb int, beta float32, c uintptr, ldc, sc, batch int)
	im2col(col, x uintptr, n, c, h, w, k int)
	im2colT(col, x uintptr, n, c, h, w, k int)     // col [k·k·c][n][h·w]
	batchTranspose(dst, src uintptr, n, c, hw int) // [n][c][hw] to [c][n][hw]
	col2imT(x, col uintptr, n, c, h, w, k int)     // col2im from im2colT's layout
	col2im(x, col uintptr, n, c, h, w, k int)
	leakyMul(dst, src, x uintptr, n int, slope float32)
	addBias(dst, src, b uintptr, n, c, hw int)
	sumBias(db, dy uintptr, n, c, hw int)
	upscale(dst, src uintptr, nc, h, w, f int, alpha float32)
	downscale(dst, src uintptr, nc, h, w, f int, alpha float32)
	lerp(dst, a, b uintptr, n int, t float32)
	scale(dst, src uintptr, n int, alpha float32)
	add(dst, src uintptr, n int)
	pixelNorm(y, x uintptr, n, c, hw int, eps float32)
	pixelNormBackward(dx, dy, x uintptr, n, c, hw int, eps float32)
	mbstd(stat, tstat, x, tx uintptr, n, g, k int)
	mbstdBackward(dx, dtx, x, tx, dstat, dtstat uintptr, n, g, k int)
	appendChannel(dst, src, stat uintptr, n, c, hw, m int)
	splitChannel(dst, stat, src uintptr, n, c, hw, m int)
	adamUpdate(theta, m, v, g uintptr, n int, alpha, c1, c2, eps float32)
	allFinite(ps []uintptr, ns []int) bool
	rowSqNorms(x uintptr, n, k int) []float64
	scaleRows(dst, src uintptr, n, k int, s []float32)
	mixRows(dst, a, b uintptr, n, k int, u []float32)
}

// f32 reinterprets a slice of T as float32, which T is on a device.
func f32[T Float](s []T) []float32 {
	f, ok := any(s).([]float32)
	if !ok {
		panic("nn: only float32 tensors live on a device")
	}
	return f
}

// newOn returns a zeroed tensor on d, the host if d is nil.
func newOn[T Float](d *Device, shape ...int) *Tensor[T] {
	if d == nil {
		return New[T](shape...)
	}
	var z T
	f32([]T{z})
	return &Tensor[T]{Shape: append([]int(nil), shape...), dev: d, ptr: d.b.alloc(numel(shape))}
}

// emptyOn is newOn for a tensor its maker overwrites whole: on a device
// its memory is not cleared first. On the host it is zeroed as New.
func emptyOn[T Float](d *Device, shape ...int) *Tensor[T] {
	if d == nil {
		return New[T](shape...)
	}
	var z T
	f32([]T{z})
	return &Tensor[T]{Shape: append([]int(nil), shape...), dev: d, ptr: d.b.allocEmpty(numel(shape))}
}

func emptyLike[T Float](t *Tensor[T]) *Tensor[T] { return emptyOn[T](t.dev, t.Shape...) }

// Device returns the device t lives on, nil for the host.
func (t *Tensor[T]) Device() *Device { return t.dev }

// ToDevice returns a copy of t on d (t itself if it is there already); a
// nil d copies to the host, as Host does.
func ToDevice[T Float](d *Device, t *Tensor[T]) *Tensor[T] {
	if t.dev == d {
		return t
	}
	if d == nil {
		return t.Host()
	}
	if t.dev != nil {
		t = t.Host()
	}
	r := emptyOn[T](d, t.Shape...)
	d.b.upload(r.ptr, f32(t.Data))
	return r
}

// Host returns t with its values on the host: t itself, or a copy of a
// device tensor (zeros if the device has failed; see Device.Err).
func (t *Tensor[T]) Host() *Tensor[T] {
	if t.dev == nil {
		return t
	}
	r := New[T](t.Shape...)
	t.dev.b.download(f32(r.Data), t.ptr)
	return r
}

// devOf returns the device of a, checking that every other tensor given
// (nil ones are skipped) lives there too.
func devOf[T Float](a *Tensor[T], others ...*Tensor[T]) *Device {
	for _, o := range others {
		if o != nil && o.dev != a.dev {
			panic(fmt.Sprintf("nn: tensors on different devices (%s and %s)", a.dev.where(), o.dev.where()))
		}
	}
	return a.dev
}

func (d *Device) where() string {
	if d == nil {
		return "host"
	}
	return d.name
}

// discard frees the device tensor t, an intermediate gradient, unless it
// is the caller's input in or shares its memory with a result r1 or r2
// (layers such as Bias and Reshape pass a gradient on). On the host the
// garbage collector does this.
func discard[T Float](t, in, r1, r2 *Tensor[T]) {
	if t == nil || t.dev == nil || t == in || (in != nil && t.ptr == in.ptr) ||
		(r1 != nil && t.ptr == r1.ptr) || (r2 != nil && t.ptr == r2.ptr) {
		return
	}
	t.dev.b.discard(t.ptr)
}

// p returns the device address of t, 0 for a nil t.
func (t *Tensor[T]) p() uintptr {
	if t == nil {
		return 0
	}
	return t.ptr
}

// on returns the device addresses of the parameter's value and gradient,
// which must live on d.
func (p *Param[T]) on(d *Device) (value, grad uintptr) {
	if p.dev != d {
		panic(fmt.Sprintf("nn: a %v parameter is on the %s, its input on the %s (MoveParams)", p.Shape, p.dev.where(), d.where()))
	}
	return p.dval, p.dgrad
}

// Device returns the device the parameter lives on, nil for the host.
func (p *Param[T]) Device() *Device { return p.dev }

// MoveParams moves the parameters to d, or with a nil d back to the host:
// values are copied, gradients cleared. While on a device, a parameter's
// Value and Grad are stale until SyncParams and SyncGrads.
func MoveParams[T Float](d *Device, ps []*Param[T]) {
	for _, p := range ps {
		if p.dev == d {
			continue
		}
		if p.dev != nil {
			p.dev.b.download(f32(p.Value), p.dval)
			p.dev.b.free(p.dval, len(p.Value))
			p.dev.b.free(p.dgrad, len(p.Value))
			p.dev, p.dval, p.dgrad = nil, 0, 0
		}
		clear(p.Grad)
		if d != nil {
			f32(p.Value)
			p.dev, p.dval, p.dgrad = d, d.b.persistent(len(p.Value)), d.b.persistent(len(p.Value))
			d.b.upload(p.dval, f32(p.Value))
		}
	}
}

// SyncParams copies the values of the parameters that live on a device to
// their Value (what a checkpoint saves).
func SyncParams[T Float](ps []*Param[T]) {
	for _, p := range ps {
		if p.dev != nil {
			p.dev.b.download(f32(p.Value), p.dval)
		}
	}
}

// SyncGrads copies the gradients of the parameters that live on a device
// to their Grad.
func SyncGrads[T Float](ps []*Param[T]) {
	for _, p := range ps {
		if p.dev != nil {
			p.dev.b.download(f32(p.Grad), p.dgrad)
		}
	}
}

// UploadParams copies Value to the device copy of every parameter on a
// device, after the host values were changed (a checkpoint restored).
func UploadParams[T Float](ps []*Param[T]) {
	for _, p := range ps {
		if p.dev != nil {
			p.dev.b.upload(p.dval, f32(p.Value))
		}
	}
}

// MixRows returns the per-sample blend a + (b − a)·u[i] of two same-shaped
// batches, sample i of the result taking u[i]: the x̂ of the WGAN-GP
// penalty.
func MixRows[T Float](a, b *Tensor[T], u []T) *Tensor[T] {
	sameShape(a, b, "MixRows")
	n := a.Shape[0]
	if len(u) != n {
		panic(fmt.Sprintf("nn: MixRows of %d samples with %d weights", n, len(u)))
	}
	k := a.Len() / max(n, 1)
	d := devOf(a, b)
	r := emptyOn[T](d, a.Shape...)
	if d != nil {
		d.b.mixRows(r.ptr, a.ptr, b.ptr, n, k, f32(u))
		return r
	}
	for s := range n {
		us := u[s]
		for i := s * k; i < (s+1)*k; i++ {
			r.Data[i] = a.Data[i] + (b.Data[i]-a.Data[i])*us
		}
	}
	return r
}

// rowSqNorms returns Σ x[b, :]² of every sample b, in float64.
func rowSqNorms[T Float](x *Tensor[T]) []float64 {
	n := x.Shape[0]
	k := x.Len() / max(n, 1)
	if x.dev != nil {
		return x.dev.b.rowSqNorms(x.ptr, n, k)
	}
	r := make([]float64, n)
	for b := range n {
		var sq float64
		for _, v := range x.Data[b*k:][:k] {
			sq += float64(v) * float64(v)
		}
		r[b] = sq
	}
	return r
}

// scaleRows returns the batch x with sample b multiplied by s[b].
func scaleRows[T Float](x *Tensor[T], s []T) *Tensor[T] {
	n := x.Shape[0]
	k := x.Len() / max(n, 1)
	r := emptyOn[T](x.dev, x.Shape...)
	if x.dev != nil {
		x.dev.b.scaleRows(r.ptr, x.ptr, n, k, f32(s))
		return r
	}
	for b := range n {
		if s[b] != 0 {
			scale(r.Data[b*k:][:k], x.Data[b*k:][:k], s[b])
		}
	}
	return r
}
