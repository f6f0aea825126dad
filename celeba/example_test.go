package celeba_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/progan/progan/celeba"
)

// The original's create_celeba crop of one aligned 178×218 image: the
// 128×128 square centred at (89, 121).
func ExampleCrop() {
	img := image.NewRGBA(image.Rect(0, 0, celeba.Width, 218))
	for y := range 218 {
		for x := range celeba.Width {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	face, err := celeba.Crop(img, 89, 121)
	if err != nil {
		panic(err)
	}
	red, green := face.Plane(0), face.Plane(1)
	fmt.Println(face.Channels, face.Size)
	fmt.Println("top left comes from x", red[0], "y", green[0])
	fmt.Println("bottom right from x", red[len(red)-1], "y", green[len(green)-1])
	// Output:
	// 3 128
	// top left comes from x 25 y 57
	// bottom right from x 152 y 184
}
