// Package inception runs the Inception v3 network that FID, KID and the
// Inception Score are defined with: the 2015-12-05 TensorFlow graph as
// torch-fidelity's FeatureExtractorInceptionV3 computes it in PyTorch
// (github.com/toshas/torch-fidelity, feature_extractor_inceptionv3.py), on
// the CPU, in pure Go.
//
// A Model is built from the pretrained weights in the state_dict layout of
// torch-fidelity's weights-inception-2015-12-05-6726825d.pth, which
// pytorch-fid's pt_inception-2015-12-05-6726825d.pth shares (see Load). For
// an image it gives the 2048 features of the last average pool, which FID
// and KID compare, and the 1008 logits without the last layer's bias,
// which the Inception Score uses ("2048" and "logits_unbiased" in
// torch-fidelity).
//
// The input is resized to 299×299 and scaled as the chosen Protocol says:
// torch-fidelity's port of TensorFlow 1's bilinear resize (bit-exact here)
// and (x−128)/128, or pytorch-fid's F.interpolate and 2x−1. The network
// then computes in float32, each convolution as the matrix product of an
// im2col buffer (internal/sgemm), built in bands of output rows that stay in
// the cache for the large early maps; a batch norm is applied after its product
// as PyTorch's inference kernel does. Results agree with PyTorch's to
// float32 rounding, not bit for bit (the products sum in another order); the
// package's tests check them against torch-fidelity's own outputs.
//
// Memory: the weights (23.9 million floats, 96 MB) and 27 MB of scratch
// per goroutine running the network, kept by the Model for the next call.
package inception

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"iter"
	"math"
	"runtime"
	"slices"

	"errors"
	"fmt"
	"image"
	"strings"
	"sync"

	"github.com/progan/progan/internal/parallel"
)

const (
	// InputSize is the side of the network's input.
	InputSize = 299
	// PoolDim is the length of the pool features.
	PoolDim = poolDim
	// NumClasses is the length of the logits (1001 ImageNet classes padded).
	NumClasses = numClasses

	poolDim    = 2048
	numClasses = 1008
)

// Protocol is a way to turn an image into the network's input.
type Protocol string

const (
	// TorchFidelity resizes 8-bit RGB with TensorFlow 1's bilinear
	// resize without corner alignment, as torch-fidelity's
	// interpolate_bilinear_2d_like_tensorflow1x does, and scales it to
	// (x−128)/128: the numbers of the original TensorFlow FID and IS code.
	TorchFidelity Protocol = "torch-fidelity"
	// PytorchFID scales 8-bit RGB to [0, 1] (x/255), resizes it with
	// PyTorch's bilinear F.interpolate (half-pixel centres, no
	// antialiasing) and maps it to 2x−1, as pytorch-fid does.
	PytorchFID Protocol = "pytorch-fid"
)

// Protocols lists the protocols by name.
func Protocols() []Protocol { return []Protocol{TorchFidelity, PytorchFID} }

// Output is the network's result for one image.
type Output struct {
	Pool   []float32 // PoolDim features of the last average pool
	Logits []float32 // NumClasses logits without the fc layer's bias
}

// Model is a loaded Inception v3. It is safe for concurrent use; each
// goroutine running it holds its own scratch memory.
type Model struct {
	net     *network
	mu      sync.Mutex
	scratch []*arena // idle scratch buffers, kept across calls (a sync.Pool would drop them at every GC)
	digest  string
	once    sync.Once
}

// Tensor is one named tensor of the weights: its shape and its elements in
// row-major order.
type Tensor struct {
	Shape []int
	Data  []float32
}

// TensorSpec names a tensor of the weights and gives its shape.
type TensorSpec struct {
	Name  string
	Shape []int
}

// Layout returns every tensor a Model needs, in the order of the network's
// PyTorch state_dict.
func Layout() []TensorSpec {
	net := newNetwork()
	var out []TensorSpec
	add := func(name string, shape ...int) {
		out = append(out, TensorSpec{name, shape})
	}
	for _, c := range net.convs {
		add(c.name+".conv.weight", c.out, c.in, c.kh, c.kw)
		for _, s := range []string{"weight", "bias", "running_mean", "running_var"} {
			add(c.name+".bn."+s, c.out)
		}
	}
	add("fc.weight", numClasses, poolDim)
	add("fc.bias", numClasses)
	return out
}

// New builds a Model from its tensors, named as in the PyTorch state_dict
// (Layout). Every tensor must be present with its shape; BatchNorm's
// num_batches_tracked and the auxiliary classifier (AuxLogits.*) that some
// files carry are ignored, any other name is an error. The tensors' data is
// used, not copied.
func New(tensors map[string]Tensor) (*Model, error) {
	net := newNetwork()
	want := map[string]bool{}
	get := func(name string, shape ...int) ([]float32, error) {
		want[name] = true
		t, ok := tensors[name]
		if !ok {
			return nil, fmt.Errorf("inception: tensor %s missing", name)
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if !slices.Equal(t.Shape, shape) || len(t.Data) != n {
			return nil, fmt.Errorf("inception: tensor %s: shape %v (%d values), want %v", name, t.Shape, len(t.Data), shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("inception: tensor %s: element %d is %v", name, i, v)
			}
		}
		return t.Data, nil
	}
	var err error
	for _, c := range net.convs {
		if c.w, err = get(c.name+".conv.weight", c.out, c.in, c.kh, c.kw); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			s   string
			dst *[]float32
		}{{"weight", &c.weight}, {"bias", &c.bias}, {"running_mean", &c.mean}, {"running_var", &c.varr}} {
			if *p.dst, err = get(c.name+".bn."+p.s, c.out); err != nil {
				return nil, err
			}
		}
		for o, v := range c.varr {
			if !(v >= 0) { // also NaN
				return nil, fmt.Errorf("inception: tensor %s.bn.running_var: element %d is %v", c.name, o, v)
			}
		}
	}
	if net.fcW, err = get("fc.weight", numClasses, poolDim); err != nil {
		return nil, err
	}
	if net.fcB, err = get("fc.bias", numClasses); err != nil {
		return nil, err
	}
	var extra []string
	for name := range tensors {
		if !want[name] && !ignorable(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		return nil, fmt.Errorf("inception: unexpected tensor %s (and %d more): not the Inception v3 of torch-fidelity or pytorch-fid", extra[0], len(extra)-1)
	}
	net.prepare()
	return &Model{net: net}, nil
}

func ignorable(name string) bool {
	return strings.HasSuffix(name, ".num_batches_tracked") || strings.HasPrefix(name, "AuxLogits.")
}

// Digest returns a SHA-256 identifying the weights, for caching results:
// of the file for a Model from Load, of the tensors' names, shapes and
// values for one from New.
func (m *Model) Digest() string {
	m.once.Do(func() {
		if m.digest != "" {
			return
		}
		h := sha256.New()
		b := make([]byte, 4)
		for _, l := range Layout() {
			fmt.Fprintf(h, "%s %v\n", l.Name, l.Shape)
			for _, v := range m.tensor(l.Name) {
				binary.LittleEndian.PutUint32(b, math.Float32bits(v))
				h.Write(b)
			}
		}
		m.digest = hex.EncodeToString(h.Sum(nil))
	})
	return m.digest
}

// tensor returns the loaded tensor of a state_dict name.
func (m *Model) tensor(name string) []float32 {
	switch name {
	case "fc.weight":
		return m.net.fcW
	case "fc.bias":
		return m.net.fcB
	}
	for _, c := range m.net.convs {
		switch name {
		case c.name + ".conv.weight":
			return c.w
		case c.name + ".bn.weight":
			return c.weight
		case c.name + ".bn.bias":
			return c.bias
		case c.name + ".bn.running_mean":
			return c.mean
		case c.name + ".bn.running_var":
			return c.varr
		}
	}
	return nil
}

// Bias returns the fc layer's bias, which Output.Logits leaves out: add it
// for the classifier's logits ("logits" in torch-fidelity).
func (m *Model) Bias() []float32 { return m.net.fcB }

// ErrEmpty is returned for an image without pixels.
var ErrEmpty = errors.New("inception: empty image")

// Run resizes img as p says and runs the network on it. The returned
// slices are new.
func (m *Model) Run(img image.Image, p Protocol) (Output, error) {
	x, err := Input(img, p)
	if err != nil {
		return Output{}, err
	}
	return m.Forward(x), nil
}

// Forward runs the network on x, a normalised 3×299×299 input in CHW
// order as Input returns it.
func (m *Model) Forward(x []float32) Output {
	if len(x) != 3*InputSize*InputSize {
		panic(fmt.Sprintf("inception: input of %d values, want 3×%d×%d", len(x), InputSize, InputSize))
	}
	m.mu.Lock()
	var ws *arena
	if n := len(m.scratch); n > 0 {
		ws, m.scratch = m.scratch[n-1], m.scratch[:n-1]
	} else {
		ws = &arena{}
	}
	m.mu.Unlock()
	out := Output{Pool: make([]float32, poolDim), Logits: make([]float32, numClasses)}
	m.net.forward(ws, x, InputSize, InputSize, out.Pool, out.Logits)
	m.mu.Lock()
	m.scratch = append(m.scratch, ws)
	m.mu.Unlock()
	return out
}

// Stream runs the model on every image of images with workers goroutines
// (0: GOMAXPROCS) and yields the outputs in input order. An error of the
// input or of an image ends the stream.
func (m *Model) Stream(ctx context.Context, images iter.Seq2[image.Image, error], p Protocol, workers int) iter.Seq2[Output, error] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type item struct {
		img image.Image
		err error
	}
	in := func(yield func(item) bool) {
		for img, err := range images {
			if !yield(item{img, err}) || err != nil {
				return
			}
		}
	}
	return parallel.Map(ctx, in, workers, func(it item) (Output, error) {
		if it.err != nil {
			return Output{}, it.err
		}
		return m.Run(it.img, p)
	})
}
