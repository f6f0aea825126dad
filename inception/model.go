package inception

import "github.com/progan/progan/internal/sgemm"

// The network of torch-fidelity's FeatureExtractorInceptionV3 (and of
// pytorch-fid's FID Inception): the 2015-12-05 TensorFlow graph's
// Inception v3, with layer names as in its PyTorch state_dict.
type network struct {
	stem  []*conv // Conv2d_1a_3x3 … Conv2d_4a_3x3
	mixed []block // Mixed_5b … Mixed_7c
	fcW   []float32
	fcB   []float32
	convs []*conv // every conv, in state_dict order
}

type blockKind int

const (
	blockA blockKind = iota
	blockB
	blockC
	blockD
	blockE1
	blockE2
)

// block is one Mixed_* module. Its 1×1 convolutions that read the block's
// input are also merged into one (merged), so that one matrix product
// computes them all.
type block struct {
	name   string
	kind   blockKind
	in     int
	convs  map[string]*conv
	merged *conv
	first  []string // the convolutions merged, in row order
}

func newNetwork() *network {
	n := &network{}
	add := func(c *conv) *conv { n.convs = append(n.convs, c); return c }
	n.stem = []*conv{
		add(newConv("Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0)),
		add(newConv("Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0)),
		add(newConv("Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1)),
		add(newConv("Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0)),
		add(newConv("Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0)),
	}
	mk := func(name string, kind blockKind, in int, specs [][7]any, first ...string) {
		b := block{name: name, kind: kind, in: in, convs: map[string]*conv{}, first: first}
		for _, s := range specs {
			c := add(newConv(name+"."+s[0].(string), s[1].(int), s[2].(int), s[3].(int), s[4].(int), s[5].(int), s[6].(int), 0))
			// s[6] holds the padding as (padH<<8 | padW).
			c.padH, c.padW = s[6].(int)>>8, s[6].(int)&0xff
			b.convs[s[0].(string)] = c
		}
		n.mixed = append(n.mixed, b)
	}
	p := func(h, w int) int { return h<<8 | w }
	inceptionA := func(name string, in, pool int) {
		mk(name, blockA, in, [][7]any{
			{"branch1x1", in, 64, 1, 1, 1, 0},
			{"branch5x5_1", in, 48, 1, 1, 1, 0},
			{"branch5x5_2", 48, 64, 5, 5, 1, p(2, 2)},
			{"branch3x3dbl_1", in, 64, 1, 1, 1, 0},
			{"branch3x3dbl_2", 64, 96, 3, 3, 1, p(1, 1)},
			{"branch3x3dbl_3", 96, 96, 3, 3, 1, p(1, 1)},
			{"branch_pool", in, pool, 1, 1, 1, 0},
		}, "branch1x1", "branch5x5_1", "branch3x3dbl_1")
	}
	inceptionC := func(name string, c7 int) {
		mk(name, blockC, 768, [][7]any{
			{"branch1x1", 768, 192, 1, 1, 1, 0},
			{"branch7x7_1", 768, c7, 1, 1, 1, 0},
			{"branch7x7_2", c7, c7, 1, 7, 1, p(0, 3)},
			{"branch7x7_3", c7, 192, 7, 1, 1, p(3, 0)},
			{"branch7x7dbl_1", 768, c7, 1, 1, 1, 0},
			{"branch7x7dbl_2", c7, c7, 7, 1, 1, p(3, 0)},
			{"branch7x7dbl_3", c7, c7, 1, 7, 1, p(0, 3)},
			{"branch7x7dbl_4", c7, c7, 7, 1, 1, p(3, 0)},
			{"branch7x7dbl_5", c7, 192, 1, 7, 1, p(0, 3)},
			{"branch_pool", 768, 192, 1, 1, 1, 0},
		}, "branch1x1", "branch7x7_1", "branch7x7dbl_1")
	}
	inceptionE := func(name string, kind blockKind, in int) {
		mk(name, kind, in, [][7]any{
			{"branch1x1", in, 320, 1, 1, 1, 0},
			{"branch3x3_1", in, 384, 1, 1, 1, 0},
			{"branch3x3_2a", 384, 384, 1, 3, 1, p(0, 1)},
			{"branch3x3_2b", 384, 384, 3, 1, 1, p(1, 0)},
			{"branch3x3dbl_1", in, 448, 1, 1, 1, 0},
			{"branch3x3dbl_2", 448, 384, 3, 3, 1, p(1, 1)},
			{"branch3x3dbl_3a", 384, 384, 1, 3, 1, p(0, 1)},
			{"branch3x3dbl_3b", 384, 384, 3, 1, 1, p(1, 0)},
			{"branch_pool", in, 192, 1, 1, 1, 0},
		}, "branch1x1", "branch3x3_1", "branch3x3dbl_1")
	}
	inceptionA("Mixed_5b", 192, 32)
	inceptionA("Mixed_5c", 256, 64)
	inceptionA("Mixed_5d", 288, 64)
	mk("Mixed_6a", blockB, 288, [][7]any{
		{"branch3x3", 288, 384, 3, 3, 2, 0},
		{"branch3x3dbl_1", 288, 64, 1, 1, 1, 0},
		{"branch3x3dbl_2", 64, 96, 3, 3, 1, p(1, 1)},
		{"branch3x3dbl_3", 96, 96, 3, 3, 2, 0},
	})
	inceptionC("Mixed_6b", 128)
	inceptionC("Mixed_6c", 160)
	inceptionC("Mixed_6d", 160)
	inceptionC("Mixed_6e", 192)
	mk("Mixed_7a", blockD, 768, [][7]any{
		{"branch3x3_1", 768, 192, 1, 1, 1, 0},
		{"branch3x3_2", 192, 320, 3, 3, 2, 0},
		{"branch7x7x3_1", 768, 192, 1, 1, 1, 0},
		{"branch7x7x3_2", 192, 192, 1, 7, 1, p(0, 3)},
		{"branch7x7x3_3", 192, 192, 7, 1, 1, p(3, 0)},
		{"branch7x7x3_4", 192, 192, 3, 3, 2, 0},
	}, "branch3x3_1", "branch7x7x3_1")
	inceptionE("Mixed_7b", blockE1, 1280)
	inceptionE("Mixed_7c", blockE2, 2048)
	return n
}

// prepare computes every batch norm's scale and shift and the merged 1×1
// convolutions, once the tensors are loaded.
func (n *network) prepare() {
	for _, c := range n.convs {
		c.prepare()
	}
	for i := range n.mixed {
		b := &n.mixed[i]
		if len(b.first) == 0 {
			continue
		}
		m := newConv(b.name+".merged", b.in, 0, 1, 1, 1, 0, 0)
		for _, name := range b.first {
			c := b.convs[name]
			m.out += c.out
			m.w = append(m.w, c.w...)
			m.scale = append(m.scale, c.scale...)
			m.shift = append(m.shift, c.shift...)
		}
		b.merged = m
	}
}

// forward runs the network on x, the normalised 3×299×299 input, and
// writes the 2048 pool features and the 1008 logits without the fc layer's
// bias (torch-fidelity's "2048" and "logits_unbiased").
func (n *network) forward(ws *arena, x []float32, h, w int, pool, logits []float32) {
	ws.reset()
	cur := x
	c := 3
	for i, l := range n.stem {
		oh, ow := l.outSize(h, w)
		out := ws.get(l.out * oh * ow)
		l.forward(ws, cur, h, w, out)
		cur, c, h, w = out, l.out, oh, ow
		if i == 2 || i == 4 { // MaxPool_1, MaxPool_2
			ph, pw := (h-3)/2+1, (w-3)/2+1
			p := ws.get(c * ph * pw)
			maxPool3(p, cur, c, h, w, 2, 0)
			cur, h, w = p, ph, pw
		}
	}
	// The blocks' outputs alternate between two buffers above the stem's.
	var pp [2][]float32
	for i := range pp {
		pp[i] = ws.get(maxBlockOut)
	}
	for i := range n.mixed {
		dst := pp[i%2]
		c, h, w = n.mixed[i].forward(ws, cur, c, h, w, dst)
		cur = dst[:c*h*w]
	}
	// Adaptive average pool to 1×1: each plane's sum over the map, divided
	// by its size.
	hw := h * w
	for ci := range c {
		var s float32
		for _, v := range cur[ci*hw : (ci+1)*hw] {
			s += v
		}
		pool[ci] = s / float32(hw)
	}
	// x.mm(fc.weight.T), computed as fc.weight (1008×2048) times the
	// features (a column): the product
	// reads the weights in place, three times as fast as a row times their
	// transpose.
	sgemm.Sgemm(false, false, numClasses, 1, poolDim, 1, n.fcW, poolDim, pool, 1, 0, logits, 1)
}

// maxBlockOut is the largest output of a Mixed block (Mixed_5c/5d:
// 288×35×35).
const maxBlockOut = 288 * 35 * 35

// forward runs one Mixed block on the c×h×w map x, writing its output's
// branches at their channel offsets in dst, and returns the output's size.
// The arena's scratch is released on return.
func (b *block) forward(ws *arena, x []float32, c, h, w int, dst []float32) (int, int, int) {
	mark := ws.used
	defer func() { ws.used = mark }()
	hw := h * w
	var oh, ow int
	off := 0 // next channel of dst, times its map size
	// conv runs a named convolution on in, writing into dst at the next
	// channel offset when last is set, into scratch otherwise.
	conv := func(name string, in []float32, last bool) []float32 {
		l := b.convs[name]
		lh, lw := l.outSize(h, w)
		var out []float32
		if last {
			out = dst[off : off+l.out*lh*lw]
			off += l.out * lh * lw
		} else {
			out = ws.get(l.out * lh * lw)
		}
		l.forward(ws, in, h, w, out)
		oh, ow = lh, lw
		return out
	}
	heads := map[string][]float32{}
	if b.merged != nil {
		m := ws.get(b.merged.out * hw)
		b.merged.forward(ws, x, h, w, m)
		o := 0
		for _, name := range b.first {
			n := b.convs[name].out * hw
			heads[name] = m[o : o+n]
			o += n
		}
	}
	// put copies a branch computed with the merged product into place.
	put := func(name string) {
		off += copy(dst[off:], heads[name])
	}
	pool := func(avg bool) []float32 {
		p := ws.get(c * hw)
		if avg {
			avgPool3(p, x, c, h, w)
		} else {
			maxPool3(p, x, c, h, w, 1, 1)
		}
		return p
	}
	switch b.kind {
	case blockA:
		put("branch1x1")
		conv("branch5x5_2", heads["branch5x5_1"], true)
		d := conv("branch3x3dbl_2", heads["branch3x3dbl_1"], false)
		conv("branch3x3dbl_3", d, true)
		conv("branch_pool", pool(true), true)
		oh, ow = h, w
	case blockB:
		conv("branch3x3", x, true)
		d := conv("branch3x3dbl_1", x, false)
		d = conv("branch3x3dbl_2", d, false)
		conv("branch3x3dbl_3", d, true)
		mh, mw := maxPool3(dst[off:], x, c, h, w, 2, 0)
		off += c * mh * mw
	case blockC:
		put("branch1x1")
		t := conv("branch7x7_2", heads["branch7x7_1"], false)
		conv("branch7x7_3", t, true)
		d := heads["branch7x7dbl_1"]
		for _, name := range []string{"branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4"} {
			d = conv(name, d, false)
		}
		conv("branch7x7dbl_5", d, true)
		conv("branch_pool", pool(true), true)
		oh, ow = h, w
	case blockD:
		conv("branch3x3_2", heads["branch3x3_1"], true)
		d := heads["branch7x7x3_1"]
		for _, name := range []string{"branch7x7x3_2", "branch7x7x3_3"} {
			d = conv(name, d, false)
		}
		conv("branch7x7x3_4", d, true)
		mh, mw := maxPool3(dst[off:], x, c, h, w, 2, 0)
		off += c * mh * mw
	case blockE1, blockE2:
		put("branch1x1")
		conv("branch3x3_2a", heads["branch3x3_1"], true)
		conv("branch3x3_2b", heads["branch3x3_1"], true)
		d := conv("branch3x3dbl_2", heads["branch3x3dbl_1"], false)
		conv("branch3x3dbl_3a", d, true)
		conv("branch3x3dbl_3b", d, true)
		conv("branch_pool", pool(b.kind == blockE1), true)
		oh, ow = h, w
	}
	return off / (oh * ow), oh, ow
}
