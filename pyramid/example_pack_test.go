package pyramid_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/progan/progan/folder"
	"github.com/progan/progan/pyramid"
)

// Pack packs a source, here a folder of images, into a dataset. Cancelling
// the context stops it with a checkpoint; Pack with Resume goes on from
// there and the dataset is the one an uninterrupted run writes.
func ExamplePack() {
	dir, _ := os.MkdirTemp("", "faces")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	for i := range 8 {
		m := image.NewGray(image.Rect(0, 0, 8, 8))
		for p := range m.Pix {
			m.Pix[p] = uint8(i*30 + p)
		}
		f, _ := os.Create(filepath.Join(in, fmt.Sprintf("%02d.png", i)))
		png.Encode(f, m)
		f.Close()
	}

	// The original's shuffled order, as create_from_images --shuffle.
	src, err := folder.Open(in, folder.Options{Shuffle: true, Seed: 123, Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	out := filepath.Join(dir, "ds")

	// A first run, interrupted after 3 inputs.
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = pyramid.Pack(ctx, src, out, pyramid.PackOptions{Progress: func(d int) {
		if n += d; n == 3 {
			cancel()
		}
	}})
	var se *pyramid.StopError
	fmt.Println("interrupted:", errors.Is(err, context.Canceled), errors.As(err, &se) && se.Kept)

	// The same source and options, with Resume.
	res, err := pyramid.Pack(context.Background(), src, out, pyramid.PackOptions{Resume: true,
		Started: func(s pyramid.PackStart) { fmt.Println("resumed:", s.Resumed, "of", s.Inputs, "inputs") }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("images:", res.Images, "inputs:", res.Inputs)

	// An uninterrupted run writes the same dataset.
	straight := filepath.Join(dir, "straight")
	if _, err := pyramid.Pack(context.Background(), src, straight, pyramid.PackOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	a, _ := pyramid.Open(out)
	defer a.Close()
	b, _ := pyramid.Open(straight)
	defer b.Close()
	c, err := pyramid.Compare(a, b, false, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Resolution, a.Channels, len(a.Tiers), "tiers, identical:", c.Identical())
	fmt.Println(pyramid.ShuffleOrder(8, 123))
	// Output:
	// interrupted: true true
	// resumed: true of 8 inputs
	// images: 8 inputs: 8
	// 8 1 2 tiers, identical: true
	// [0 1 3 7 4 2 5 6]
}
