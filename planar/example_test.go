package planar_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/progan/progan/planar"
)

// An image.Image to the planar CHW form and back.
func ExampleFromImage() {
	src := image.NewRGBA(image.Rect(0, 0, 4, 4))
	src.Set(1, 2, color.RGBA{R: 200, G: 100, B: 50, A: 255})
	img, err := planar.FromImage(src)
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Channels, img.Size, len(img.Pix))
	fmt.Println("red plane at (1,2):", img.Plane(0)[2*4+1], "green:", img.Plane(1)[2*4+1], "blue:", img.Plane(2)[2*4+1])
	back := img.Interleaved().(*image.RGBA)
	fmt.Println(back.RGBAAt(1, 2))
	// Output:
	// 3 4 48
	// red plane at (1,2): 200 green: 100 blue: 50
	// {200 100 50 255}
}
