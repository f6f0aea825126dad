package pyramid_test

import (
	"fmt"
	"image"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/pyramid"
)

func Example() {
	root, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(root)
	dir := filepath.Join(root, "gray")

	// Write three 16×16 gray images with a two-column label each.
	w, err := pyramid.Create(dir, pyramid.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		img := image.NewGray(image.Rect(0, 0, 16, 16))
		for p := range img.Pix {
			img.Pix[p] = byte(i * 50)
		}
		if err := w.Add(img, []float32{float32(i), 1}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil { // the folder appears only now
		log.Fatal(err)
	}

	d, err := pyramid.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	for _, t := range d.Tiers {
		fmt.Println(filepath.Base(t.Path), t.Records, t.Bytes)
	}
	for rec, err := range d.Records(4) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Index, rec.Image.Pix[0], rec.Label)
	}
	// Output:
	// gray-r04.tfrecords 3 933
	// gray-r03.tfrecords 3 342
	// gray-r02.tfrecords 3 198
	// 0 0 [0 1]
	// 1 50 [1 1]
	// 2 100 [2 1]
}
