package nn

import (
	"fmt"
	"math"
)

// Adam is the optimiser of the reference trainer: TensorFlow 1.x's
// tf.train.AdamOptimizer (kernel ApplyAdam), which the reference runs with
// β1 = 0, β2 = 0.99, ε = 1e-8 for both networks (docs/trainer.md#adam).
// Per step t, in the parameters' precision,
//
//	α = lr·√(1 − β2^t)/(1 − β1^t)
//	m += (g − m)·(1 − β1)
//	v += (g² − v)·(1 − β2)
//	θ −= m·α/(√v + ε)
//
// with ε added to the uncorrected √v, and β1^t, β2^t kept as running
// products in the parameters' precision, as TensorFlow keeps its
// beta-power variables.
type Adam[T Float] struct {
	Beta1, Beta2, Eps T

	Params []*Param[T]
	// M and V are the first and second moment slots, one per parameter.
	M, V [][]T
	// Beta1Power and Beta2Power are β1^(t+1) and β2^(t+1) for the next
	// step t+1; Steps counts the steps taken since the last Reset.
	Beta1Power, Beta2Power T
	Steps                  int

	// On a device (MoveTo) the slots live there; M and V are stale until
	// Sync.
	dev    *Device
	dm, dv []uintptr
}

// NewAdam returns an optimiser for params with zeroed state.
func NewAdam[T Float](params []*Param[T], beta1, beta2, eps T) *Adam[T] {
	a := &Adam[T]{Beta1: beta1, Beta2: beta2, Eps: eps, Params: params}
	a.M, a.V = make([][]T, len(params)), make([][]T, len(params))
	for i, p := range params {
		a.M[i], a.V[i] = make([]T, len(p.Value)), make([]T, len(p.Value))
	}
	a.Reset()
	return a
}

// Reset clears the moments and restarts t, as the reference's
// reset_optimizer_state re-initialises the slots and beta powers.
func (a *Adam[T]) Reset() {
	for i := range a.M {
		clear(a.M[i])
		clear(a.V[i])
		if a.dev != nil {
			a.dev.b.zero(a.dm[i], len(a.M[i]))
			a.dev.b.zero(a.dv[i], len(a.V[i]))
		}
	}
	a.Beta1Power, a.Beta2Power, a.Steps = a.Beta1, a.Beta2, 0
}

// Step applies one update with learning rate lr from the gradients in the
// parameters' Grad. If any gradient is not finite it changes nothing, as
// the reference skips the whole update then, and returns false.
func (a *Adam[T]) Step(lr float64) bool {
	if d := a.dev; d != nil {
		grads, ns := make([]uintptr, len(a.Params)), make([]int, len(a.Params))
		for i, p := range a.Params {
			_, grads[i] = p.on(d)
			ns[i] = len(p.Grad)
		}
		if !d.b.allFinite(grads, ns) {
			return false
		}
	} else {
		for _, p := range a.Params {
			if !allFinite(p.Grad) {
				return false
			}
		}
	}
	alpha := T(lr) * T(math.Sqrt(float64(1-a.Beta2Power))) / (1 - a.Beta1Power)
	for i, p := range a.Params {
		if len(p.Grad) != len(a.M[i]) {
			panic(fmt.Sprintf("nn: Adam parameter %d has %d values, its slots %d", i, len(p.Grad), len(a.M[i])))
		}
		if d := a.dev; d != nil {
			v, g := p.on(d)
			d.b.adamUpdate(v, a.dm[i], a.dv[i], g, len(p.Grad), float32(alpha), float32(1-a.Beta1), float32(1-a.Beta2), float32(a.Eps))
			continue
		}
		adamUpdate(p.Value, a.M[i], a.V[i], p.Grad, alpha, 1-a.Beta1, 1-a.Beta2, a.Eps)
	}
	a.Beta1Power *= a.Beta1
	a.Beta2Power *= a.Beta2
	a.Steps++
	return true
}

// MovingAverage sets every avg parameter to src + (avg − src)·beta, the
// reference's setup_as_moving_average_of that keeps the generator's
// running average Gs (beta 0.999). The two lists must match in order and
// size.
func MovingAverage[T Float](avg, src []*Param[T], beta T) {
	if len(avg) != len(src) {
		panic(fmt.Sprintf("nn: MovingAverage of %d parameters into %d", len(src), len(avg)))
	}
	for i := range avg {
		if len(avg[i].Value) != len(src[i].Value) {
			panic(fmt.Sprintf("nn: MovingAverage parameter %d: %d values into %d", i, len(src[i].Value), len(avg[i].Value)))
		}
		if d := avg[i].dev; d != nil {
			av, _ := avg[i].on(d)
			sv, _ := src[i].on(d)
			d.b.lerp(av, sv, av, len(avg[i].Value), float32(beta))
			continue
		}
		if src[i].dev != nil {
			panic("nn: MovingAverage of device parameters into host ones")
		}
		lerp(avg[i].Value, src[i].Value, avg[i].Value, beta)
	}
}

// MoveTo moves the optimiser's slots to d, or with a nil d back to the
// host, with their values; its parameters are moved by MoveParams.
func (a *Adam[T]) MoveTo(d *Device) {
	if a.dev == d {
		return
	}
	if a.dev != nil {
		a.Sync()
		for i := range a.M {
			a.dev.b.free(a.dm[i], len(a.M[i]))
			a.dev.b.free(a.dv[i], len(a.V[i]))
		}
		a.dev, a.dm, a.dv = nil, nil, nil
	}
	if d == nil {
		return
	}
	a.dev = d
	a.dm, a.dv = make([]uintptr, len(a.M)), make([]uintptr, len(a.V))
	for i := range a.M {
		a.dm[i], a.dv[i] = d.b.persistent(len(a.M[i])), d.b.persistent(len(a.V[i]))
		d.b.upload(a.dm[i], f32(a.M[i]))
		d.b.upload(a.dv[i], f32(a.V[i]))
	}
}

// Sync copies the slots of an optimiser on a device to M and V.
func (a *Adam[T]) Sync() {
	if a.dev == nil {
		return
	}
	for i := range a.M {
		a.dev.b.download(f32(a.M[i]), a.dm[i])
		a.dev.b.download(f32(a.V[i]), a.dv[i])
	}
}

// Upload copies M and V to the slots on the device, after the host values
// were changed (a checkpoint restored).
func (a *Adam[T]) Upload() {
	if a.dev == nil {
		return
	}
	for i := range a.M {
		a.dev.b.upload(a.dm[i], f32(a.M[i]))
		a.dev.b.upload(a.dv[i], f32(a.V[i]))
	}
}
