// Command mkdemo draws the bundled demo images in testdata/images: 256
// deterministic 64×64 pictures of soft coloured ellipses on a gradient,
// every fifth saved as JPEG (quality 92) and the rest as PNG, one in
// sixteen grayscale. Regenerate with
//
//	go run ./testdata/mkdemo -o testdata/images
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("o", "testdata/images", "output folder")
	n := flag.Int("n", 256, "number of images")
	size := flag.Int("size", 64, "image size")
	seed := flag.Uint64("seed", 2018, "random seed (2018 draws the bundled set)")
	pngOnly := flag.Bool("png", false, "save every image as PNG (no JPEG, whose decoders differ)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 1))
	for i := range *n {
		img := draw(rng, *size)
		var err error
		switch {
		case i%16 == 7:
			g := image.NewGray(img.Bounds())
			for y := range *size {
				for x := range *size {
					g.Set(x, y, img.At(x, y))
				}
			}
			err = save(filepath.Join(*out, fmt.Sprintf("%04d.png", i)), g, false)
		case i%5 == 4 && !*pngOnly:
			err = save(filepath.Join(*out, fmt.Sprintf("%04d.jpg", i)), img, true)
		default:
			err = save(filepath.Join(*out, fmt.Sprintf("%04d.png", i)), img, false)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
}

func draw(rng *rand.Rand, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	c0, c1 := randColor(rng), randColor(rng)
	type blob struct {
		cx, cy, rx, ry, angle float64
		c                     [3]float64
	}
	blobs := make([]blob, 2+rng.IntN(4))
	for k := range blobs {
		blobs[k] = blob{
			cx: rng.Float64() * float64(size), cy: rng.Float64() * float64(size),
			rx: (0.08 + 0.25*rng.Float64()) * float64(size), ry: (0.08 + 0.25*rng.Float64()) * float64(size),
			angle: rng.Float64() * math.Pi, c: randColor(rng),
		}
	}
	for y := range size {
		t := float64(y) / float64(size-1)
		for x := range size {
			var p [3]float64
			for ch := range 3 {
				p[ch] = c0[ch]*(1-t) + c1[ch]*t
			}
			for _, b := range blobs {
				dx, dy := float64(x)-b.cx, float64(y)-b.cy
				s, c := math.Sincos(b.angle)
				u, v := (dx*c+dy*s)/b.rx, (-dx*s+dy*c)/b.ry
				a := 1 / (1 + math.Exp(8*(math.Sqrt(u*u+v*v)-1))) // soft edge
				for ch := range 3 {
					p[ch] = p[ch]*(1-a) + b.c[ch]*a
				}
			}
			var q [3]uint8
			for ch := range 3 {
				q[ch] = uint8(math.Max(0, math.Min(255, p[ch]+rng.NormFloat64()*3)))
			}
			img.SetRGBA(x, y, color.RGBA{q[0], q[1], q[2], 255})
		}
	}
	return img
}

func randColor(rng *rand.Rand) [3]float64 {
	return [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
}

func save(path string, img image.Image, asJPEG bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if asJPEG {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 92})
	} else {
		err = png.Encode(f, img)
	}
	if err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
