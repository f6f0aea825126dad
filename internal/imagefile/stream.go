package imagefile

import (
	"context"
	"fmt"
	"image"
	"iter"
	"slices"

	"github.com/progan/progan/internal/parallel"
)

// Item is one decoded input file.
type Item struct {
	Index int         // position in the paths given to Stream
	Path  string      // the file
	Image image.Image // *image.Gray or *image.RGBA
}

// InputError is a problem with one input file; a packing run asked to keep
// going skips the file and lists it.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Stream decodes paths[i] for each i of order (all paths in turn when order
// is nil) on workers goroutines (0: GOMAXPROCS) and yields them in that
// order. The first image yielded fixes the size when opt.Resolution is 0
// and the channel count when opt.Channels is 0, as the original tool's
// first image does: a later grayscale image in a colour set is converted
// to RGB; a colour image in a grayscale set, or an image of another size,
// is an *InputError naming the file, its size and the first image's. Every
// per-file problem is an *InputError; cancelling ctx ends the stream with
// ctx.Err().
func Stream(ctx context.Context, paths []string, order []int, opt Options, workers int) iter.Seq2[Item, error] {
	if order == nil {
		order = make([]int, len(paths))
		for i := range order {
			order[i] = i
		}
	}
	return func(yield func(Item, error) bool) {
		if _, err := opt.filter(); err != nil {
			yield(Item{}, err)
			return
		}
		decode := func(i int) (Item, error) {
			img, err := Load(paths[i], opt)
			if err != nil {
				return Item{Index: i, Path: paths[i]}, &InputError{paths[i], err}
			}
			return Item{Index: i, Path: paths[i], Image: img}, nil
		}
		var first *Item
		for it, err := range parallel.Map(ctx, slices.Values(order), workers, decode) {
			if err == nil {
				if first == nil {
					f := it
					first = &f
				} else {
					it.Image, err = match(it, *first)
				}
			}
			if !yield(it, err) {
				return
			}
		}
	}
}

// match applies the first image's rules to a later one.
func match(it, first Item) (image.Image, error) {
	b, fb := it.Image.Bounds(), first.Image.Bounds()
	if b.Size() != fb.Size() {
		return nil, &InputError{it.Path, fmt.Errorf("imagefile: %s: image is %dx%d, but %s is %dx%d (use --resolution R to resize all)",
			it.Path, b.Dx(), b.Dy(), first.Path, fb.Dx(), fb.Dy())}
	}
	switch c, fc := Channels(it.Image), Channels(first.Image); {
	case c == fc:
		return it.Image, nil
	case c == 1: // gray in a colour set
		g := it.Image.(*image.Gray)
		rgba := image.NewRGBA(g.Rect)
		for i, v := range g.Pix {
			rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = v, v, v, 255
		}
		return rgba, nil
	default:
		return nil, &InputError{it.Path, fmt.Errorf("imagefile: %s: colour image in a grayscale set (the first image, %s, is grayscale; use --channels 3)", it.Path, first.Path)}
	}
}
