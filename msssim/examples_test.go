package msssim_test

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // register the decoders the folder's files need
	_ "image/png"
	"iter"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/msssim"
	"github.com/progan/progan/planar"
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

// The diversity score of a folder of images, as "progan msssim DIR" gives
// it: the mean MS-SSIM of the pairs (0,1), (2,3), … in file order. Lower
// means more varied images; a set of copies scores 1.
func ExampleScore_folder() {
	score, pairs, err := msssim.Score(context.Background(), folder("../testdata/images"), msssim.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("MS-SSIM %.4f over %d pairs\n", score, pairs)
	// Output: MS-SSIM 0.0920 over 128 pairs
}

// The MS-SSIM of two images: 1 for identical ones, a little less for a
// brighter copy (same structure), near 0 for unrelated pictures.
func ExamplePair() {
	var imgs []*planar.Image
	for m, err := range folder("../testdata/images") {
		if err != nil {
			log.Fatal(err)
		}
		imgs = append(imgs, m)
		if len(imgs) == 2 {
			break
		}
	}
	a := imgs[0]
	brighter := planar.NewImage(a.Channels, a.Size)
	for i, v := range a.Pix {
		brighter.Pix[i] = byte(min(int(v)+20, 255))
	}
	for _, b := range []struct {
		name string
		img  *planar.Image
	}{{"itself", a}, {"brighter copy", brighter}, {"next image", imgs[1]}} {
		v, err := msssim.Pair(a, b.img)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-13s %.4f\n", b.name, v)
	}
	// Output:
	// itself        1.0000
	// brighter copy 0.9975
	// next image    0.0000
}
