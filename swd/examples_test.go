package swd_test

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // register the decoders the folders' files need
	"image/png"
	"iter"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/planar"
	"github.com/progan/progan/swd"
)

// folder streams the PNG and JPEG files of dir in name order as planar
// images, reading one at a time.
func folder(dir string) iter.Seq2[*planar.Image, error] {
	return func(yield func(*planar.Image, error) bool) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); ext != ".png" && ext != ".jpg" {
				continue
			}
			f, err := os.Open(filepath.Join(dir, e.Name()))
			if err != nil {
				yield(nil, err)
				return
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				yield(nil, fmt.Errorf("%s: %w", e.Name(), err))
				return
			}
			m, err := planar.FromImage(img)
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// Score a folder of generated images against a folder of real ones, as
// "progan swd REALS FAKES" does. The fakes here are the reals blurred
// (each 2×2 block replaced by its mean): the finest level of the
// Laplacian pyramid sees the loss of detail, the coarsest hardly.
func ExampleDistance_folders() {
	const reals = "../testdata/images" // 256 files of 64×64
	fakes, err := os.MkdirTemp("", "fakes")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(fakes)
	i := 0
	for m, err := range folder(reals) {
		if err != nil {
			log.Fatal(err)
		}
		rgb := image.NewRGBA(m.Bounds())
		draw.Draw(rgb, rgb.Bounds(), m, image.Point{}, draw.Src)
		for y := 0; y < 64; y += 2 {
			for x := 0; x < 64; x += 2 {
				for c := range 3 {
					p := func(dx, dy int) int { return int(rgb.Pix[rgb.PixOffset(x+dx, y+dy)+c]) }
					mean := byte((p(0, 0) + p(1, 0) + p(0, 1) + p(1, 1) + 2) / 4)
					for _, o := range []int{rgb.PixOffset(x, y), rgb.PixOffset(x+1, y), rgb.PixOffset(x, y+1), rgb.PixOffset(x+1, y+1)} {
						rgb.Pix[o+c] = mean
					}
				}
			}
		}
		f, err := os.Create(filepath.Join(fakes, fmt.Sprintf("fake%04d.png", i)))
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, rgb); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		i++
	}

	r, err := swd.Distance(context.Background(), folder(reals), folder(fakes), swd.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Images, "images per set, levels", r.Resolutions)
	for l, res := range r.Resolutions {
		fmt.Printf("SWD×1e3 at %d²: %.0f\n", res, r.SWD[l])
	}
	fmt.Printf("average: %.0f\n", r.Avg)
	// Output:
	// 256 images per set, levels [64 32 16]
	// SWD×1e3 at 64²: 165
	// SWD×1e3 at 32²: 11
	// SWD×1e3 at 16²: 7
	// average: 61
}
