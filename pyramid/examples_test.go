package pyramid_test

import (
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // register the decoders the folder's files need
	_ "image/png"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/progan/progan/pyramid"
)

// Pack a folder of image files into a dataset, as "progan images" does,
// in two runs: the first is interrupted and keeps what it wrote, the
// second resumes after it instead of starting over.
func ExampleResume() {
	const folder = "../testdata/images" // 256 PNG and JPEG files of 64×64
	entries, err := os.ReadDir(folder)
	if err != nil {
		log.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".png" || ext == ".jpg" {
			names = append(names, e.Name())
		}
	}
	root, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	out := filepath.Join(root, "faces")

	// The fingerprint ties a partial dataset to its inputs and settings:
	// Resume refuses one written from anything else.
	opt := pyramid.Options{
		Source:      folder,
		Fingerprint: fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(names, "\n")))),
	}
	add := func(w *pyramid.Writer, name string) {
		f, err := os.Open(filepath.Join(folder, name))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		img, _, err := image.Decode(f)
		if err != nil {
			log.Fatal(err)
		}
		// The first image fixes the channels (a gray one gives 1): draw
		// every image into RGB so that gray files fit a colour dataset.
		rgb := image.NewRGBA(img.Bounds())
		draw.Draw(rgb, rgb.Bounds(), img, img.Bounds().Min, draw.Src)
		if err := w.Add(rgb, nil); err != nil {
			log.Fatal(err)
		}
	}

	// First run: stopped (say, by Ctrl-C) after 100 images.
	w, err := pyramid.Create(out, opt)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range names[:100] {
		add(w, name)
	}
	kept, err := w.Stop()
	if err != nil {
		log.Fatal(err)
	}
	_, statErr := os.Stat(out)
	fmt.Printf("interrupted: partial dataset kept %v, destination exists %v\n", kept, statErr == nil)

	// Second run: the same inputs and options. Resume says how many
	// inputs the first run consumed; the rest are added.
	w, done, err := pyramid.Resume(out, opt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resuming after", done, "of", len(names), "inputs")
	for _, name := range names[done:] {
		add(w, name)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	d, err := pyramid.Open(out)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	fmt.Println(d.Images, "images of", d.Channels, "×", d.Resolution, "×", d.Resolution)
	var files []string
	for _, t := range d.Tiers {
		files = append(files, filepath.Base(t.Path))
	}
	fmt.Println(strings.Join(files, " "))
	fmt.Println("verified:", d.Verify(pyramid.VerifyOptions{Deep: true}).OK())
	// Output:
	// interrupted: partial dataset kept true, destination exists false
	// resuming after 100 of 256 inputs
	// 256 images of 3 × 64 × 64
	// faces-r06.tfrecords faces-r05.tfrecords faces-r04.tfrecords faces-r03.tfrecords faces-r02.tfrecords
	// verified: true
}

// Open a dataset and stream one of its tiers: in file order, a range of
// records, or shuffled, each record with its label row.
func ExampleDataset_Shuffled() {
	root, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	dir := filepath.Join(root, "squares")

	// A small labelled dataset: 8 images of 16×16, a bright square on a
	// dark ground, of 4 classes (one-hot labels).
	w, err := pyramid.Create(dir, pyramid.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 8 {
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		for y := range 16 {
			for x := range 16 {
				c := color.RGBA{0, 0, 40, 255}
				if x >= i && x < i+8 && y >= 4 && y < 12 {
					c = color.RGBA{255, byte(32 * i), 0, 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		label := make([]float32, 4)
		label[i%4] = 1
		if err := w.Add(img, label); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	d, err := pyramid.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	labels, err := d.Labels()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("labels:", labels.Rows, "×", labels.Cols)
	t, err := d.Tier(8)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tier", t.Resolution, "holds", t.Records, "records")

	// Records 2 to 4 of the 8×8 tier.
	for rec, err := range d.Range(8, 2, 5) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Index, rec.Image.Channels, rec.Image.Size, rec.Label)
	}
	// The whole 4×4 tier in an order fixed by the seed, as a trainer
	// reads it.
	var order []int
	for rec, err := range d.Shuffled(4, 1) {
		if err != nil {
			log.Fatal(err)
		}
		order = append(order, rec.Index)
	}
	fmt.Println("shuffled:", order)
	// Output:
	// labels: 8 × 4
	// tier 8 holds 8 records
	// 2 3 8 [0 0 1 0]
	// 3 3 8 [0 0 0 1]
	// 4 3 8 [1 0 0 0]
	// shuffled: [3 0 4 6 5 2 7 1]
}
