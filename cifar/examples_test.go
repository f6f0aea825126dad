package cifar_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/cifar"
	"github.com/progan/progan/pyramid"
)

// Read the "binary version" of CIFAR-10 unpacked (cifar-10-batches-bin:
// data_batch_1.bin … data_batch_5.bin, each a run of records of one label
// byte and 3072 pixel bytes, red, green and blue planes of 32×32), then
// pack it into a labelled dataset for training, as "progan cifar10" does.
// The batches written here hold 2 images each instead of 10 000.
func ExampleReadCIFAR10_binary() {
	root, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	bin := filepath.Join(root, "cifar-10-batches-bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		log.Fatal(err)
	}
	for b := range 5 {
		var data []byte
		for k := range 2 {
			i := 2*b + k
			data = append(data, byte(i%10)) // the label
			for p := range cifar.ImageBytes {
				data = append(data, byte(p+i)) // pixels spanning 0..255
			}
		}
		name := filepath.Join(bin, fmt.Sprintf("data_batch_%d.bin", b+1))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
	}

	// root holds cifar-10-batches-bin: either folder may be given, or
	// the downloaded cifar-10-binary.tar.gz without unpacking it.
	d, err := cifar.ReadCIFAR10(root)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Len(), "images of", d.Classes, "classes from", len(d.Batches), "batches")
	fmt.Println("labels:", d.Labels)
	m := d.Image(3)
	fmt.Println("image 3:", m.Channels, "×", m.Size, "×", m.Size, "label", d.OneHot(3))
	// The full set must have 50 000 images; allow this small one.
	if err := d.Check(cifar.CIFARImages, true); err != nil {
		log.Fatal(err)
	}

	out := filepath.Join(root, "cifar10")
	w, err := pyramid.Create(out, pyramid.Options{Source: root})
	if err != nil {
		log.Fatal(err)
	}
	for i := range d.Len() {
		if err := w.Add(d.Image(i), d.OneHot(i)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	ds, err := pyramid.Open(out)
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()
	fmt.Println("dataset:", ds.Images, "images,", len(ds.Tiers), "tiers from", ds.Resolution, "down to 4, labels of", ds.LabelSize)
	// Output:
	// 10 images of 10 classes from 5 batches
	// labels: [0 1 2 3 4 5 6 7 8 9]
	// image 3: 3 × 32 × 32 label [0 0 0 1 0 0 0 0 0 0]
	// dataset: 10 images, 4 tiers from 32 down to 4, labels of 10
}
