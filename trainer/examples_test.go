package trainer_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/pyramid"
	"github.com/progan/progan/trainer"
)

// Train a tiny network for a few seconds, then generate images from its
// checkpoint, as "progan generate RUN" does. A real run differs only in
// its dataset and configuration (DefaultConfig, or QuickConfig for a
// demonstration).
func ExampleModel_Generate() {
	root, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)

	// A dataset of 16 images of 8×8: a coloured square on grey.
	data := filepath.Join(root, "squares")
	w, err := pyramid.Create(data, pyramid.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 16 {
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{128}), image.Point{}, draw.Src)
		c := color.RGBA{byte(i * 16), 255 - byte(i*16), 64, 255}
		draw.Draw(img, image.Rect(i%4, i/4, i%4+4, i/4+4), image.NewUniform(c), image.Point{}, draw.Src)
		if err := w.Add(img, nil); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Tiny networks (8 channels at most) and a short schedule: 96 images
	// at 4×4, 96 fading in 8×8, then 8×8 up to 256 images.
	run := filepath.Join(root, "run")
	cfg := trainer.DefaultConfig(data, run)
	cfg.FmapBase, cfg.FmapMax = 16, 8
	cfg.PhaseKimg, cfg.FadeKimg, cfg.TotalKimg = 0.096, 0.096, 0.256
	cfg.MinibatchBase, cfg.Minibatch = 8, nil
	cfg.TickKimgBase, cfg.TickKimg = 0.064, nil
	cfg.SWDImages = 0 // SWD needs 16×16 at least
	cfg.Grid = [2]int{4, 2}
	cfg.Device = trainer.DeviceCPU
	if err := trainer.Train(context.Background(), cfg); err != nil {
		log.Fatal(err)
	}

	// The run folder: configuration, log, statistics, sample grids and
	// checkpoints.
	entries, err := os.ReadDir(run)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}

	// Load takes the run folder (its newest checkpoint) or a file.
	m, err := trainer.Load(run)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("checkpoint:", filepath.Base(m.Path))
	fmt.Printf("%d×%d, %d channels, lod %g, %g kimg\n", m.Arch.Resolution, m.Arch.Resolution, m.Arch.Channels, m.LOD, m.Kimg)

	var first []byte
	n := 0
	for img, err := range m.Generate(context.Background(), 6, trainer.GenerateOptions{Seed: 7}) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			first = img.Pix
		}
		n++
	}
	fmt.Println(n, "images generated")
	// The seed fixes each image, whatever the count asked for.
	for img, err := range m.Generate(context.Background(), 1, trainer.GenerateOptions{Seed: 7}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("image 0 again:", img.Channels, "×", img.Size, "×", img.Size, "same:", bytes.Equal(img.Pix, first))
	}
	// Output:
	// _training-done.txt
	// config.json
	// fakes000000.png
	// log.txt
	// network-final.safetensors
	// network-snapshot-000000.safetensors
	// reals.png
	// stats.jsonl
	// checkpoint: network-final.safetensors
	// 8×8, 3 channels, lod 0, 0.256 kimg
	// 6 images generated
	// image 0 again: 3 × 8 × 8 same: true
}
