package inception_test

import (
	"fmt"
	"image"

	"github.com/progan/progan/inception"
)

// The network's input for an image of any size: 3×299×299 values, here
// TensorFlow's (x−128)/128 of a mid-gray picture.
func ExampleInput() {
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 192
	}
	x, err := inception.Input(img, inception.TorchFidelity)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(x), x[0], x[len(x)-1])
	// Output: 268203 0.5 0.5
}

// The tensors a weights file must hold, in the PyTorch state_dict's order.
func ExampleLayout() {
	l := inception.Layout()
	fmt.Println(len(l), "tensors")
	for _, t := range l[:2] {
		fmt.Println(t.Name, t.Shape)
	}
	fmt.Println(l[len(l)-2].Name, l[len(l)-2].Shape)
	// Output:
	// 472 tensors
	// Conv2d_1a_3x3.conv.weight [32 3 3 3]
	// Conv2d_1a_3x3.bn.weight [32]
	// fc.weight [1008 2048]
}
