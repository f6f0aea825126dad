package nn

import (
	"fmt"
	"sync"
)

// Conv2D is a stride-1 convolution with a K×K kernel and SAME zero padding
// of K/2 (the reference uses 3×3 and 1×1), without bias: like the
// reference's conv2d, it is followed by a Bias layer. With the equalized
// learning rate the stored weights W are N(0, 1) and the layer computes
// with Scale·W, Scale = gain/√(K·K·In).
//
// It is im2col followed by one matrix product per sample, the samples
// spread over GOMAXPROCS goroutines.
type Conv2D[T Float] struct {
	In, Out, K int
	Scale      T
	W          *Param[T] // [K, K, In, Out], the reference's HWIO layout

	x, tx *Tensor[T]
}

// NewConv2D returns a K×K convolution from in to out channels with weights
// drawn from rng (left zero if rng is nil) and the run-time scale
// gain/√fan_in; the reference's default gain is √2.
func NewConv2D[T Float](in, out, k int, gain float64, rng Normal) *Conv2D[T] {
	if k%2 == 0 {
		panic(fmt.Sprintf("nn: Conv2D kernel size %d is not odd", k))
	}
	l := &Conv2D[T]{In: in, Out: out, K: k, Scale: wscale[T](gain, k*k*in), W: newParam[T](k, k, in, out)}
	l.W.initNormal(rng)
	return l
}

// Params returns the weights.
func (l *Conv2D[T]) Params() []*Param[T] { return []*Param[T]{l.W} }

// Forward implements Layer; x is [N, In, H, W] and the result [N, Out, H, W].
func (l *Conv2D[T]) Forward(x *Tensor[T]) *Tensor[T] {
	l.check(x)
	l.x, l.tx = x, nil
	return l.apply(x)
}

// Backward implements Layer.
func (l *Conv2D[T]) Backward(dy *Tensor[T]) *Tensor[T] { return l.backprop(l.x, dy, true, true) }

// BackwardInput implements DualLayer.
func (l *Conv2D[T]) BackwardInput(dy *Tensor[T]) *Tensor[T] { return l.backprop(l.x, dy, true, false) }

// Tangent implements DualLayer: the layer is linear in x, so ty = conv(tx).
func (l *Conv2D[T]) Tangent(tx *Tensor[T]) *Tensor[T] {
	sameShape(l.x, tx, "Conv2D tangent")
	l.tx = tx
	return l.apply(tx)
}

// TangentBackward implements DualLayer. As ty = W∗tx, the weights get the
// outer products of both pairs, (dy, x) and (dty, tx).
func (l *Conv2D[T]) TangentBackward(dy, dty *Tensor[T]) (dx, dtx *Tensor[T]) {
	if dy != nil {
		dx = l.backprop(l.x, dy, true, true)
	}
	return dx, l.backprop(l.tx, dty, true, true)
}

func (l *Conv2D[T]) check(x *Tensor[T]) {
	if len(x.Shape) != 4 || x.Shape[1] != l.In {
		panic(fmt.Sprintf("nn: Conv2D with %d input channels got shape %v", l.In, x.Shape))
	}
}

func (l *Conv2D[T]) apply(x *Tensor[T]) *Tensor[T] {
	n, c, h, w := nchw(x)
	hw, kk := h*w, l.K*l.K*c
	if d := x.dev; d != nil {
		wv, _ := l.W.on(d)
		y := emptyOn[T](d, n, l.Out, h, w)
		if hw <= smallMap {
			// One product over the whole batch: the columns [kk][n·hw],
			// the result [Out][n·hw] transposed back to [n][Out][hw].
			b := d.b.workspace(n * kk * hw)
			if l.K > 1 {
				d.b.im2colT(b, x.ptr, n, c, h, w, l.K)
			} else {
				d.b.batchTranspose(b, x.ptr, n, c, hw)
			}
			yT := d.b.temp(n * l.Out * hw)
			d.b.gemm(true, false, l.Out, n*hw, kk, float32(l.Scale), wv, l.Out, 0, b, n*hw, 0, 0, yT, n*hw, 0, 1)
			d.b.batchTranspose(y.ptr, yT, l.Out, n, hw)
			d.b.free(yT, n*l.Out*hw)
			return y
		}
		// Large maps: im2col of every sample, then one strided-batched
		// product with the weights repeated.
		b := x.ptr
		if l.K > 1 {
			b = d.b.workspace(n * kk * hw)
			d.b.im2col(b, x.ptr, n, c, h, w, l.K)
		}
		d.b.gemm(true, false, l.Out, hw, kk, float32(l.Scale), wv, l.Out, 0, b, hw, kk*hw, 0, y.ptr, hw, l.Out*hw, n)
		return y
	}
	y := New[T](n, l.Out, h, w)
	parallelFor(n, kk*l.Out*hw, func(lo, hi int) {
		var col []T
		if l.K > 1 {
			col = make([]T, kk*hw)
		}
		for i := lo; i < hi; i++ {
			b := x.Data[i*c*hw:][:c*hw]
			if l.K > 1 {
				im2col(col, b, c, h, w, l.K)
				b = col
			}
			gemm(true, false, l.Out, hw, kk, l.Scale, l.W.Value, l.Out, b, hw, 0, y.Data[i*l.Out*hw:][:l.Out*hw], hw)
		}
	})
	return y
}

// backprop returns the input gradient for output gradient dy at input x
// (nil unless wantDX) and, if wantDW, adds the weight gradient.
func (l *Conv2D[T]) backprop(x, dy *Tensor[T], wantDX, wantDW bool) *Tensor[T] {
	n, c, h, w := nchw(x)
	if len(dy.Shape) != 4 || dy.Shape[0] != n || dy.Shape[1] != l.Out || dy.Shape[2] != h || dy.Shape[3] != w {
		panic(fmt.Sprintf("nn: Conv2D output gradient has shape %v, want [%d %d %d %d]", dy.Shape, n, l.Out, h, w))
	}
	hw, kk := h*w, l.K*l.K*c
	var dx *Tensor[T]
	if wantDX {
		dx = emptyLike(x)
	}
	if d := devOf(x, dy); d != nil {
		l.backpropDevice(d, x, dy, dx, wantDW)
		return dx
	}
	// Goroutines sum their share of the weight gradient apart; the shares
	// are added in batch order afterwards, so that the result does not
	// depend on scheduling (training runs must be reproducible to the bit
	// for resuming). A goroutine with the whole batch adds directly.
	var mu sync.Mutex
	var shares [][]T // by the first sample of the share
	parallelFor(n, 2*kk*l.Out*hw, func(lo, hi int) {
		var col, dcol, dw []T
		if l.K > 1 {
			col, dcol = make([]T, kk*hw), make([]T, kk*hw)
		}
		if wantDW {
			if lo == 0 && hi == n {
				dw = l.W.Grad
			} else {
				dw = make([]T, kk*l.Out)
				mu.Lock()
				if shares == nil {
					shares = make([][]T, n)
				}
				shares[lo] = dw
				mu.Unlock()
			}
		}
		for i := lo; i < hi; i++ {
			dyi := dy.Data[i*l.Out*hw:][:l.Out*hw]
			if wantDX {
				dxi := dx.Data[i*c*hw:][:c*hw]
				if l.K == 1 {
					gemm(false, false, kk, hw, l.Out, l.Scale, l.W.Value, l.Out, dyi, hw, 0, dxi, hw)
				} else {
					gemm(false, false, kk, hw, l.Out, l.Scale, l.W.Value, l.Out, dyi, hw, 0, dcol, hw)
					col2im(dxi, dcol, c, h, w, l.K)
				}
			}
			if wantDW {
				b := x.Data[i*c*hw:][:c*hw]
				if l.K > 1 {
					im2col(col, b, c, h, w, l.K)
					b = col
				}
				gemm(false, true, kk, l.Out, hw, l.Scale, b, hw, dyi, hw, 1, dw, l.Out)
			}
		}
	})
	for _, dw := range shares {
		if dw != nil {
			add(l.W.Grad, dw)
		}
	}
	return dx
}

// smallMap is the largest feature map (in pixels) whose convolutions run
// on a device as one product over the whole batch in every pass; larger
// ones run the forward and input-gradient products per sample, batched
// (at 4×4 and minibatch 128 one product of n·hw = 2048 columns instead of
// 128 of 16).
const smallMap = 32 * 32

// backpropDevice is backprop on a device: the weight gradient as one
// product over the whole batch, col [kk][n·hw] times dy transposed to
// [Out][n·hw]; the input gradient likewise for small maps, through one
// strided-batched product (and col2im) for large ones.
func (l *Conv2D[T]) backpropDevice(d *Device, x, dy, dx *Tensor[T], wantDW bool) {
	n, c, h, w := nchw(x)
	hw, kk := h*w, l.K*l.K*c
	wv, wg := l.W.on(d)
	s := float32(l.Scale)
	// dy as [Out][n·hw], for the products over the whole batch; the
	// input gradient of a large map (BackwardInput) needs none.
	var dyT uintptr
	if wantDW || (dx != nil && hw <= smallMap) {
		dyT = d.b.temp(n * l.Out * hw)
		defer d.b.free(dyT, n*l.Out*hw)
		d.b.batchTranspose(dyT, dy.ptr, n, l.Out, hw)
	}
	if dx != nil && hw <= smallMap {
		if l.K == 1 {
			dxT := d.b.temp(n * c * hw)
			d.b.gemm(false, false, kk, n*hw, l.Out, s, wv, l.Out, 0, dyT, n*hw, 0, 0, dxT, n*hw, 0, 1)
			d.b.batchTranspose(dx.ptr, dxT, c, n, hw)
			d.b.free(dxT, n*c*hw)
		} else {
			dcolT := d.b.workspace(n * kk * hw)
			d.b.gemm(false, false, kk, n*hw, l.Out, s, wv, l.Out, 0, dyT, n*hw, 0, 0, dcolT, n*hw, 0, 1)
			d.b.col2imT(dx.ptr, dcolT, n, c, h, w, l.K)
		}
	} else if dx != nil {
		if l.K == 1 {
			d.b.gemm(false, false, kk, hw, l.Out, s, wv, l.Out, 0, dy.ptr, hw, l.Out*hw, 0, dx.ptr, hw, kk*hw, n)
		} else {
			dcol := d.b.workspace(n * kk * hw)
			d.b.gemm(false, false, kk, hw, l.Out, s, wv, l.Out, 0, dy.ptr, hw, l.Out*hw, 0, dcol, hw, kk*hw, n)
			d.b.col2im(dx.ptr, dcol, n, c, h, w, l.K)
		}
	}
	if wantDW {
		b := d.b.workspace(n * kk * hw)
		if l.K > 1 {
			d.b.im2colT(b, x.ptr, n, c, h, w, l.K)
		} else {
			d.b.batchTranspose(b, x.ptr, n, c, hw)
		}
		d.b.gemm(false, true, kk, l.Out, n*hw, s, b, n*hw, 0, dyT, n*hw, 0, 1, wg, l.Out, 0, 1)
	}
}
