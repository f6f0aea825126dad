// Package nn is the small neural-network layer library the Progressive GAN
// trainer is built on: NCHW tensors and the layers of the reference
// networks (Karras et al., "Progressive Growing of GANs", ICLR 2018,
// networks.py of tkarras/progressive_growing_of_gans, described in
// docs/trainer.md): equalized-learning-rate convolutions and dense layers,
// bias, leaky ReLU, pixel norm, nearest upscaling, average pooling,
// minibatch standard deviation and the fade-in of a resolution transition,
// composed with Sequential and Fade; and the reference's optimiser,
// TensorFlow's Adam, with the moving average of the generator's weights
// (optim.go).
//
// Every layer has an ordinary forward and backward pass. The layers the
// discriminator uses also have a forward-mode pass, Tangent, and its
// reverse, TangentBackward. Together they give the WGAN-GP gradient
// penalty's weight gradient without graph-level double backpropagation:
// with g = ∂D/∂x̂ and v = ∂P/∂g held fixed,
//
//	∂P/∂θ = ∂/∂θ ⟨g(θ), v⟩ = ∂/∂θ Σ_b (J_x̂ D · v)_b,
//
// so one tangent pass of D at x̂ in the direction v followed by a backward
// pass through that tangent computation gives it (see Penalty).
//
// The layer code is generic over float32, used for training, and float64,
// which the tests use so that finite-difference checks can be tight. All
// loops over tensor data live in kernels.go; the layers only call those
// kernels, which the GPU backend provides too (Device: CUDA with the build
// tag cuda, an emulator with cudaemu; see docs/gpu.md). Matrix products go
// through gonum's blas32, pure Go unless an implementation such as
// OpenBLAS is registered with blas32.Use, or through cuBLAS on a GPU.
//
// A layer keeps references to its inputs from the last Forward and Tangent
// for the passes that follow, so a layer value serves one goroutine and one
// batch at a time: Forward, then Backward or BackwardInput; or, for the
// penalty, Forward, BackwardInput, Tangent, TangentBackward. Inputs are
// never modified; outputs are new tensors, except where a layer passes a
// tensor through unchanged (Bias.Backward, Reshape).
package nn

import (
	"fmt"
	"math"
)

// Float is the element type of tensors and parameters.
type Float interface{ float32 | float64 }

// Tensor is a dense row-major array: Shape is [N, C, H, W] for feature maps
// and [N, F] for feature vectors, the batch first. Its values are in Data
// on the host; a tensor on a Device has no Data (see Host).
type Tensor[T Float] struct {
	Shape []int
	Data  []T

	dev *Device
	ptr uintptr // device address when dev is not nil
}

// New returns a zeroed tensor of the given shape.
func New[T Float](shape ...int) *Tensor[T] {
	return &Tensor[T]{Shape: append([]int(nil), shape...), Data: make([]T, numel(shape))}
}

// Len returns the number of elements.
func (t *Tensor[T]) Len() int {
	if t.dev != nil {
		return numel(t.Shape)
	}
	return len(t.Data)
}

// Reshape returns a tensor sharing t's data with a new shape of the same size.
func (t *Tensor[T]) Reshape(shape ...int) *Tensor[T] {
	if numel(shape) != t.Len() {
		panic(fmt.Sprintf("nn: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor[T]{Shape: append([]int(nil), shape...), Data: t.Data, dev: t.dev, ptr: t.ptr}
}

// Clone returns a copy of t on t's device.
func (t *Tensor[T]) Clone() *Tensor[T] {
	if t.dev != nil {
		r := emptyOn[T](t.dev, t.Shape...)
		t.dev.b.copy(r.ptr, t.ptr, t.Len())
		return r
	}
	return &Tensor[T]{Shape: append([]int(nil), t.Shape...), Data: append([]T(nil), t.Data...)}
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in %v", shape))
		}
		n *= d
	}
	return n
}

// like returns a zeroed tensor with t's shape on t's device.
func like[T Float](t *Tensor[T]) *Tensor[T] { return newOn[T](t.dev, t.Shape...) }

// nchw returns the four dimensions of a feature map; a [N, F] tensor is
// taken as [N, F, 1, 1] so that per-channel layers also work on vectors.
func nchw[T Float](t *Tensor[T]) (n, c, h, w int) {
	switch len(t.Shape) {
	case 2:
		return t.Shape[0], t.Shape[1], 1, 1
	case 4:
		return t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]
	}
	panic(fmt.Sprintf("nn: want an [N,C,H,W] or [N,F] tensor, got shape %v", t.Shape))
}

// sameShape panics unless b, typically a tangent, has the shape of a, the
// input of the last Forward.
func sameShape[T Float](a, b *Tensor[T], what string) {
	if a == nil {
		panic(fmt.Sprintf("nn: %s before Forward", what))
	}
	if len(a.Shape) != len(b.Shape) || a.Len() != b.Len() || a.dev != b.dev {
		panic(fmt.Sprintf("nn: %s: shape %v, want %v", what, b.Shape, a.Shape))
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			panic(fmt.Sprintf("nn: %s: shape %v, want %v", what, b.Shape, a.Shape))
		}
	}
}

// Param is one trainable array of a layer.
type Param[T Float] struct {
	// Shape is the reference's layout: [k, k, in, out] (HWIO) for a
	// convolution, [in, out] for a dense layer, [C] for a bias.
	Shape []int
	// Value holds the stored weights. With the equalized learning rate
	// these are the unscaled N(0, 1) variables, as in the reference's
	// pickles; the layer multiplies by its Scale at run time.
	Value []T
	// Grad accumulates ∂loss/∂Value over Backward and TangentBackward
	// calls until the caller clears it.
	Grad []T

	// On a device (MoveParams) the values and gradients live there.
	dev         *Device
	dval, dgrad uintptr
}

func newParam[T Float](shape ...int) *Param[T] {
	n := numel(shape)
	return &Param[T]{Shape: shape, Value: make([]T, n), Grad: make([]T, n)}
}

// Normal is a source of standard normal numbers, such as *rand.Rand from
// math/rand/v2 or numpy's RandomState from internal/nprand.
type Normal interface{ NormFloat64() float64 }

func (p *Param[T]) initNormal(rng Normal) {
	if rng == nil {
		return
	}
	for i := range p.Value {
		p.Value[i] = T(rng.NormFloat64())
	}
}

// wscale is the equalized-learning-rate factor gain/√fan_in.
func wscale[T Float](gain float64, fanIn int) T { return T(gain / math.Sqrt(float64(fanIn))) }

// Layer is a differentiable map y = f(x; θ) on a batch.
type Layer[T Float] interface {
	// Forward returns y = f(x) and keeps what the other passes need.
	Forward(x *Tensor[T]) *Tensor[T]
	// Backward returns dx = (∂f/∂x)ᵀ dy at the input of the last Forward
	// and adds (∂f/∂θ)ᵀ dy to the parameter gradients.
	Backward(dy *Tensor[T]) *Tensor[T]
}

// DualLayer is a Layer that also has the passes the gradient penalty
// needs: the directional derivative in the input and its reverse.
type DualLayer[T Float] interface {
	Layer[T]
	// BackwardInput is Backward without touching the parameter gradients:
	// it gives ∂D/∂x̂ for the penalty, which is not itself part of the loss.
	BackwardInput(dy *Tensor[T]) *Tensor[T]
	// Tangent returns ty = J·tx, the derivative of f in the direction tx
	// at the input of the last Forward, with θ fixed.
	Tangent(tx *Tensor[T]) *Tensor[T]
	// TangentBackward is the reverse of the pair (y, ty) = (f(x; θ),
	// J_x f(x; θ)·tx) computed by the last Forward and Tangent: given the
	// cotangents dy of y and dty of ty it returns those of x and tx and
	// adds the one of θ to the parameter gradients. A nil dy stands for
	// zero, and a nil dx is returned where the result is zero, which is
	// the case for every linear layer above the first nonlinear one.
	TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T])
}

// Params lists the trainable parameters of l, which may be any of this
// package's layers or a Sequential.
func Params[T Float](l Layer[T]) []*Param[T] {
	if p, ok := l.(interface{ Params() []*Param[T] }); ok {
		return p.Params()
	}
	return nil
}

// ZeroGrad clears the gradients of all parameters of l.
func ZeroGrad[T Float](l Layer[T]) { ClearGrads(Params(l)) }

// ClearGrads clears the gradients of ps. An optimiser that updates a whole
// network needs all of them cleared before a step, including those of
// layers the step's network leaves out.
func ClearGrads[T Float](ps []*Param[T]) {
	for _, p := range ps {
		if p.dev != nil {
			p.dev.b.zero(p.dgrad, len(p.Grad))
		} else {
			clear(p.Grad)
		}
	}
}

// Sequential applies its layers in order. It is a DualLayer when all its
// layers are; the dual passes panic on one that is not.
type Sequential[T Float] []Layer[T]

// Forward implements Layer.
func (s Sequential[T]) Forward(x *Tensor[T]) *Tensor[T] {
	for _, l := range s {
		x = l.Forward(x)
	}
	return x
}

// Backward implements Layer. On a device, every gradient it makes between
// its layers is freed as soon as the next layer has used it: no layer
// keeps the gradient it receives.
func (s Sequential[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	in := dy
	for i := len(s) - 1; i >= 0; i-- {
		next := s[i].Backward(dy)
		discard(dy, in, next, nil)
		dy = next
	}
	return dy
}

// BackwardInput implements DualLayer.
func (s Sequential[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] {
	in := dy
	for i := len(s) - 1; i >= 0; i-- {
		next := s.dual(i).BackwardInput(dy)
		discard(dy, in, next, nil)
		dy = next
	}
	return dy
}

// Tangent implements DualLayer.
func (s Sequential[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	for i := range s {
		tx = s.dual(i).Tangent(tx)
	}
	return tx
}

// TangentBackward implements DualLayer.
func (s Sequential[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	iny, inty := dy, dty
	for i := len(s) - 1; i >= 0; i-- {
		ny, nty := s.dual(i).TangentBackward(dy, dty)
		discard(dy, iny, ny, nty)
		discard(dty, inty, ny, nty)
		dy, dty = ny, nty
	}
	return dy, dty
}

// Params returns the parameters of all layers in order.
func (s Sequential[T]) Params() []*Param[T] {
	var ps []*Param[T]
	for _, l := range s {
		ps = append(ps, Params(l)...)
	}
	return ps
}

func (s Sequential[T]) dual(i int) DualLayer[T] {
	d, ok := s[i].(DualLayer[T])
	if !ok {
		panic(fmt.Sprintf("nn: layer %d (%T) has no tangent passes", i, s[i]))
	}
	return d
}

func (t *Tensor[T]) dataOrNil() []T {
	if t == nil {
		return nil
	}
	return t.Data
}
