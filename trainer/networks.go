package trainer

import (
	"fmt"
	"math"

	"github.com/progan/progan/trainer/internal/nn"
)

// Arch is the shape of a G_paper/D_paper pair (docs/trainer.md#channels,
// #g_paper, #d_paper): what a checkpoint needs to rebuild the networks.
type Arch struct {
	Resolution int `json:"resolution"` // final resolution R
	Channels   int `json:"channels"`   // image channels: 1 or 3
	LabelSize  int `json:"label_size"` // 0 for an unconditional network
	LatentSize int `json:"latent_size"`
	FmapBase   int `json:"fmap_base"`
	FmapMax    int `json:"fmap_max"`
	MbstdGroup int `json:"mbstd_group"`
}

// nf is the channel count of stage s, min(FmapBase/2^s, FmapMax); a block
// at resolution 2^r uses nf(r−1).
func (a Arch) nf(s int) int { return min(a.FmapBase>>s, a.FmapMax) }

func (a Arch) log2R() int { return log2(a.Resolution) }

// Limits on a network, which also bound what a checkpoint's metadata may
// claim: beyond them the networks, or the buffers sized from them, would
// not fit in memory. The reference's largest network (R = 1024, fmap base
// 8192, max 512, latent 512) has 23M parameters in G and in D.
const (
	MaxResolution = 8192    // final resolution R
	MaxFmap       = 1 << 16 // fmap base and fmap max
	MaxLatent     = 8192    // latent size
	MaxLabels     = 1 << 16 // label size
	MaxMbstdGroup = 1024    // minibatch-stddev group
	MaxParams     = 1 << 28 // parameters of G or of D: 1 GiB of float32 each
)

func (a Arch) check() error {
	if !isPow2(a.Resolution) || a.Resolution < 4 || a.Resolution > MaxResolution {
		return fmt.Errorf("resolution %d: want a power of two from 4 to %d", a.Resolution, MaxResolution)
	}
	if a.Channels != 1 && a.Channels != 3 {
		return fmt.Errorf("%d image channels: want 1 or 3", a.Channels)
	}
	if a.LabelSize < 0 || a.LabelSize > MaxLabels {
		return fmt.Errorf("label size %d: want 0 to %d", a.LabelSize, MaxLabels)
	}
	if a.LatentSize < 1 || a.LatentSize > MaxLatent {
		return fmt.Errorf("latent size %d: want 1 to %d", a.LatentSize, MaxLatent)
	}
	if a.FmapBase < 1 || a.FmapBase > MaxFmap || a.FmapMax < 1 || a.FmapMax > MaxFmap {
		return fmt.Errorf("fmap base %d and max %d: want 1 to %d", a.FmapBase, a.FmapMax, MaxFmap)
	}
	if a.MbstdGroup < 1 || a.MbstdGroup > MaxMbstdGroup {
		return fmt.Errorf("minibatch-stddev group %d: want 1 to %d", a.MbstdGroup, MaxMbstdGroup)
	}
	if a.nf(a.log2R()-1) < 1 {
		return fmt.Errorf("network too small: fmap base %d leaves no channels at %d×%d", a.FmapBase, a.Resolution, a.Resolution)
	}
	for _, n := range []struct {
		what   string
		shapes []paramShape
	}{{"G", a.generatorShapes()}, {"D", a.discriminatorShapes()}} {
		if c := shapeValues(n.shapes); c > MaxParams {
			return fmt.Errorf("network too large: %s would have %d parameters, at most %d", n.what, c, MaxParams)
		}
	}
	return nil
}

// paramShape is a parameter's name and shape, as newGenerator and
// newDiscriminator create it.
type paramShape struct {
	name  string
	shape []int
}

// shapeValues returns the number of values of shapes, in int64: the limits on
// the fields keep every product far from overflowing it.
func shapeValues(shapes []paramShape) int64 {
	var c int64
	for _, s := range shapes {
		n := int64(1)
		for _, d := range s.shape {
			n *= int64(d)
		}
		c += n
	}
	return c
}

// generatorShapes returns the parameters of newGenerator(a) without
// allocating them: what a checkpoint's tensors are checked against before
// a network is built from its metadata.
func (a Arch) generatorShapes() []paramShape {
	var ps []paramShape
	add := func(name string, w ...int) {
		ps = append(ps, paramShape{name + "/weight", w}, paramShape{name + "/bias", []int{w[len(w)-1]}})
	}
	for r := 2; r <= a.log2R(); r++ {
		name := fmt.Sprintf("%dx%d", 1<<r, 1<<r)
		nf := a.nf(r - 1)
		if r == 2 {
			ps = append(ps, paramShape{name + "/Dense/weight", []int{a.LatentSize + a.LabelSize, nf * 16}},
				paramShape{name + "/Dense/bias", []int{nf}})
			add(name+"/Conv", 3, 3, nf, nf)
		} else {
			add(name+"/Conv0_up", 3, 3, a.nf(r-2), nf)
			add(name+"/Conv1", 3, 3, nf, nf)
		}
	}
	for r := 2; r <= a.log2R(); r++ {
		add(fmt.Sprintf("ToRGB_lod%d", a.log2R()-r), 1, 1, a.nf(r-1), a.Channels)
	}
	return ps
}

// discriminatorShapes is generatorShapes for newDiscriminator.
func (a Arch) discriminatorShapes() []paramShape {
	var ps []paramShape
	add := func(name string, w ...int) {
		ps = append(ps, paramShape{name + "/weight", w}, paramShape{name + "/bias", []int{w[len(w)-1]}})
	}
	for r := 2; r <= a.log2R(); r++ {
		add(fmt.Sprintf("FromRGB_lod%d", a.log2R()-r), 1, 1, a.Channels, a.nf(r-1))
	}
	for r := 2; r <= a.log2R(); r++ {
		name := fmt.Sprintf("%dx%d", 1<<r, 1<<r)
		if r == 2 {
			nf, in := a.nf(1), a.nf(1)
			if a.MbstdGroup > 1 {
				in++
			}
			add(name+"/Conv", 3, 3, in, nf)
			add(name+"/Dense0", nf*16, a.nf(0))
			add(name+"/Dense1", a.nf(0), 1+a.LabelSize)
		} else {
			add(name+"/Conv0", 3, 3, a.nf(r-1), a.nf(r-1))
			add(name+"/Conv1_down", 3, 3, a.nf(r-1), a.nf(r-2))
		}
	}
	return ps
}

type f32 = float32

type namedParam struct {
	name string
	p    *nn.Param[f32]
}

// network holds the parameters of a G or D by the reference's variable
// names, in a fixed order.
type network struct {
	params []namedParam
}

func (n *network) add(name string, ps ...*nn.Param[f32]) {
	suffix := []string{"weight", "bias"}
	for i, p := range ps {
		n.params = append(n.params, namedParam{name + "/" + suffix[i], p})
	}
}

// Params returns the parameters in the network's order.
func (n *network) Params() []*nn.Param[f32] {
	ps := make([]*nn.Param[f32], len(n.params))
	for i, np := range n.params {
		ps[i] = np.p
	}
	return ps
}

// count returns the number of parameter values.
func (n *network) count() int {
	var c int
	for _, np := range n.params {
		c += len(np.p.Value)
	}
	return c
}

func lrelu() nn.Layer[f32] { return &nn.LeakyReLU[f32]{Slope: 0.2} }

// conv returns a convolution with its bias, registered under name.
func (n *network) conv(name string, in, out, k int, gain float64, rng nn.Normal) (*nn.Conv2D[f32], *nn.Bias[f32]) {
	c, b := nn.NewConv2D[f32](in, out, k, gain, rng), nn.NewBias[f32](out)
	n.add(name, c.W, b.B)
	return c, b
}

func (n *network) dense(name string, in, out int, gain float64, rng nn.Normal) (*nn.Dense[f32], *nn.Bias[f32]) {
	d, b := nn.NewDense[f32](in, out, gain, rng), nn.NewBias[f32](out)
	n.add(name, d.W, b.B)
	return d, b
}

// generator is G_paper: a normalised latent (and label) vector to an image
// through blocks from 4×4 up, each ending in a pixel norm, with a 1×1
// linear toRGB at every resolution. It runs at the resolution of the
// current level of detail: its output at lod is the reference's output
// before the final nearest-neighbour upscaling to R.
type generator struct {
	Arch
	network
	blocks []nn.Sequential[f32] // blocks[r-2]: the block of resolution 2^r
	toRGB  []nn.Sequential[f32] // likewise
}

// newGenerator builds G with weights drawn from rng (zero if rng is nil).
func newGenerator(a Arch, rng nn.Normal) *generator {
	g := &generator{Arch: a}
	pn := func() nn.Layer[f32] { return &nn.PixelNorm[f32]{} }
	for r := 2; r <= a.log2R(); r++ {
		name := fmt.Sprintf("%dx%d", 1<<r, 1<<r)
		nf := a.nf(r - 1)
		var blk nn.Sequential[f32]
		if r == 2 {
			// The bias follows the reshape: one per channel, not per unit.
			d, db := nn.NewDense[f32](a.LatentSize+a.LabelSize, nf*16, math.Sqrt2/4, rng), nn.NewBias[f32](nf)
			g.add(name+"/Dense", d.W, db.B)
			c, cb := g.conv(name+"/Conv", nf, nf, 3, math.Sqrt2, rng)
			blk = nn.Sequential[f32]{pn(), // normalize_latents, over latent and label
				d, &nn.Reshape[f32]{Shape: []int{nf, 4, 4}}, db, lrelu(), pn(),
				c, cb, lrelu(), pn()}
		} else {
			c0, b0 := g.conv(name+"/Conv0_up", a.nf(r-2), nf, 3, math.Sqrt2, rng)
			c1, b1 := g.conv(name+"/Conv1", nf, nf, 3, math.Sqrt2, rng)
			blk = nn.Sequential[f32]{&nn.Upscale2D[f32]{}, c0, b0, lrelu(), pn(), c1, b1, lrelu(), pn()}
		}
		g.blocks = append(g.blocks, blk)
	}
	for r := 2; r <= a.log2R(); r++ {
		c, b := g.conv(fmt.Sprintf("ToRGB_lod%d", a.log2R()-r), a.nf(r-1), a.Channels, 1, 1, rng)
		g.toRGB = append(g.toRGB, nn.Sequential[f32]{c, b})
	}
	return g
}

// Net returns G at level of detail lod, taking [N, LatentSize+LabelSize]
// inputs to [N, C, res, res] images, res = R/2^floor(lod). In a fade the
// new block's output is blended with the upscaled output of the previous
// resolution, weight lod − floor(lod) on the latter. The result shares
// G's layers: use one at a time.
func (g *generator) Net(lod float64) nn.Layer[f32] {
	r, frac := levels(g.Arch, lod)
	seq := nn.Sequential[f32]{}
	for i := 2; i < r; i++ {
		seq = append(seq, g.blocks[i-2])
	}
	last := nn.Sequential[f32]{g.blocks[r-2], g.toRGB[r-2]}
	if frac == 0 {
		return append(seq, last)
	}
	return append(seq, &nn.Fade[f32]{
		New:   last,
		Old:   nn.Sequential[f32]{g.toRGB[r-3], &nn.Upscale2D[f32]{}},
		Alpha: f32(frac),
	})
}

// levels returns log2 of the resolution of level of detail lod and its
// fractional part.
func levels(a Arch, lod float64) (r int, frac float64) {
	if lod < 0 || lod > float64(a.log2R()-2) {
		panic(fmt.Sprintf("trainer: lod %g outside [0, %d]", lod, a.log2R()-2))
	}
	fl := math.Floor(lod)
	return a.log2R() - int(fl), lod - fl
}

// discriminator is D_paper: fromRGB (1×1 conv, leaky ReLU) at the input
// resolution, blocks of a 3×3 conv and a 3×3 conv followed by 2×2 average
// pooling down to 4×4, then minibatch stddev, a 3×3 conv and two dense
// layers giving the score and, for a conditional network, label logits.
type discriminator struct {
	Arch
	network
	blocks  []nn.Sequential[f32] // blocks[r-2]: the block of resolution 2^r
	fromRGB []nn.Sequential[f32]
}

// newDiscriminator builds D with weights drawn from rng (zero if rng is
// nil).
func newDiscriminator(a Arch, rng nn.Normal) *discriminator {
	d := &discriminator{Arch: a}
	for r := 2; r <= a.log2R(); r++ {
		c, b := d.conv(fmt.Sprintf("FromRGB_lod%d", a.log2R()-r), a.Channels, a.nf(r-1), 1, math.Sqrt2, rng)
		d.fromRGB = append(d.fromRGB, nn.Sequential[f32]{c, b, lrelu()})
	}
	for r := 2; r <= a.log2R(); r++ {
		name := fmt.Sprintf("%dx%d", 1<<r, 1<<r)
		var blk nn.Sequential[f32]
		if r == 2 {
			nf := a.nf(1)
			in := nf
			if a.MbstdGroup > 1 {
				blk = append(blk, &nn.MinibatchStddev[f32]{GroupSize: a.MbstdGroup})
				in++
			}
			c, cb := d.conv(name+"/Conv", in, nf, 3, math.Sqrt2, rng)
			d0, b0 := d.dense(name+"/Dense0", nf*16, a.nf(0), math.Sqrt2, rng)
			d1, b1 := d.dense(name+"/Dense1", a.nf(0), 1+a.LabelSize, 1, rng)
			blk = append(blk, c, cb, lrelu(), d0, b0, lrelu(), d1, b1)
		} else {
			c0, b0 := d.conv(name+"/Conv0", a.nf(r-1), a.nf(r-1), 3, math.Sqrt2, rng)
			c1, b1 := d.conv(name+"/Conv1_down", a.nf(r-1), a.nf(r-2), 3, math.Sqrt2, rng)
			// The reference's fused conv + pool is a 3×3 conv followed by
			// 2×2 average pooling; the bias commutes with the pooling.
			blk = nn.Sequential[f32]{c0, b0, lrelu(), c1, &nn.Downscale2D[f32]{}, b1, lrelu()}
		}
		d.blocks = append(d.blocks, blk)
	}
	return d
}

// Net returns D at level of detail lod, taking [N, C, res, res] images,
// res = R/2^floor(lod), to [N, 1+LabelSize] outputs: the score, then the
// label logits. In a fade the new block's output is blended with the
// previous fromRGB of the average-pooled input, weight lod − floor(lod)
// on the latter.
func (d *discriminator) Net(lod float64) nn.DualLayer[f32] {
	r, frac := levels(d.Arch, lod)
	first := nn.Layer[f32](nn.Sequential[f32]{d.fromRGB[r-2], d.blocks[r-2]})
	if frac > 0 {
		first = &nn.Fade[f32]{
			New:   first,
			Old:   nn.Sequential[f32]{&nn.Downscale2D[f32]{}, d.fromRGB[r-3]},
			Alpha: f32(frac),
		}
	}
	seq := nn.Sequential[f32]{first}
	for i := r - 1; i >= 2; i-- {
		seq = append(seq, d.blocks[i-2])
	}
	return seq
}
