package jpeg_test

import (
	"crypto/md5"
	"fmt"
	"log"
	"os"

	"github.com/progan/progan/internal/jpeg"
)

// The HWC bytes DecodeRGB returns are what numpy.array(PIL.Image.open(f))
// holds with Pillow 3.1.1 on libjpeg 8d, so their md5 can be compared with
// the md5s the CelebA-HQ tool records.
func ExampleDecodeRGB() {
	data, err := os.ReadFile("testdata/celebahq_000010.jpg")
	if err != nil {
		log.Fatal(err)
	}
	pix, w, h, c, err := jpeg.DecodeRGB(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%dx%d, %d channels\n", w, h, c)
	fmt.Printf("first pixel RGB %v\n", pix[:3])
	fmt.Printf("md5 %x\n", md5.Sum(pix))
	// Output:
	// 420x520, 3 channels
	// first pixel RGB [33 30 23]
	// md5 2fd68f51f662c9e0ad14e8156924bfda
}
