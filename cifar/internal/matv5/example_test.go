package matv5_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/progan/progan/cifar/internal/matv5"
)

// Example reads an SVHN-shaped file: X, uint8 32×32×3×N in column-major
// order, so that image i is the 3072 bytes from 3072·i, and the labels y,
// doubles 1 to 10 (10 stands for the digit 0).
func Example() {
	f, err := os.Open("testdata/svhn-z.mat")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := matv5.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	for {
		v, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		switch v.Name {
		case "X":
			x, err := v.Uint8()
			if err != nil {
				log.Fatal(err)
			}
			img := x[3072*1 : 3072*2] // the second image
			// Pixel (row, col) of channel c is img[row+32*col+1024*c].
			fmt.Println("X", v.Class, v.Dims, "image 1, red, row 0, columns 0-2:", img[0], img[32], img[64])
		case "y":
			y, err := v.Float64()
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println("y", v.Class, v.Dims, y)
		}
	}
	// Output:
	// X uint8 [32 32 3 5] image 1, red, row 0, columns 0-2: 10 120 155
	// y double [5 1] [1 10 3 7 10]
}
