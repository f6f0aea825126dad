package mnist_test

import (
	"fmt"

	"github.com/progan/progan/mnist"
)

func Example() {
	s, err := mnist.ReadDir("testdata") // train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz
	if err != nil {
		panic(err)
	}
	m := s.Image(0)
	fmt.Println(s.N, "digits of", s.Rows, "×", s.Cols, "padded to", m.Channels, "×", m.Size, "×", m.Size)
	// Output: 50 digits of 28 × 28 padded to 1 × 32 × 32
}
