package shuffled

// Check holds what the original dataset_tool.py checks of an in-memory
// set (MNIST, CIFAR, SVHN) and how the calling package words each fault:
// the messages, and the package's ErrPartial, stay the caller's.
type Check[L ~int | ~uint8] struct {
	N, Want      int  // images held, and in the whole dataset
	AllowPartial bool // accept N != Want
	// EmptyFirst reports an empty set as Empty even when Want images are
	// wanted (cifar); without it that set is Partial (mnist).
	EmptyFirst bool
	Pix        []byte // every image's pixels
	Labels     []L    // one per image, or nil
	Classes    int    // labels lie in 0..Classes-1

	Empty   func() error             // N is 0
	Partial func() error             // N != Want, not allowed; wraps ErrPartial
	Pixels  func(lo, hi byte) error  // the pixels do not span 0..255
	Label   func(i, label int) error // label i is out of range
}

// Run applies the checks in the original's order, the counts first, and
// returns the first fault's error, or nil.
func (c *Check[L]) Run() error {
	if c.EmptyFirst && c.N == 0 {
		return c.Empty()
	}
	if c.N != c.Want && !c.AllowPartial {
		return c.Partial()
	}
	if c.N == 0 {
		return c.Empty()
	}
	lo, hi := byte(255), byte(0)
	for _, v := range c.Pix {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 255 {
		return c.Pixels(lo, hi)
	}
	for i, l := range c.Labels {
		if int(l) < 0 || int(l) >= c.Classes {
			return c.Label(i, int(l))
		}
	}
	return nil
}
