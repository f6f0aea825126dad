package cifar_test

import (
	"fmt"
	"log"

	"github.com/progan/progan/cifar"
)

func ExampleReadCIFAR10() {
	// The downloaded archive, read without unpacking it (here a small one
	// with 4 images per batch).
	d, err := cifar.ReadCIFAR10("testdata/cifar-10-python.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Len(), "images of", d.Classes, "classes")
	fmt.Println(d.Batches[0])
	fmt.Println("labels:", d.Labels[:8])
	m := d.Image(0)
	fmt.Println("image 0:", m.Channels, "×", m.Size, "×", m.Size, "one-hot", d.OneHot(0))
	if err := d.Check(cifar.CIFARImages, true); err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Check(cifar.CIFARImages, false) != nil)
	// Output:
	// 20 images of 10 classes
	// testdata/cifar-10-python.tar.gz:cifar-10-batches-py/data_batch_1
	// labels: [0 6 8 5 9 1 5 6]
	// image 0: 3 × 32 × 32 one-hot [1 0 0 0 0 0 0 0 0 0]
	// true
}
