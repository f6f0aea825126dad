package safetensors_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/progan/progan/trainer/safetensors"
)

func Example() {
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{
		{Name: "G/4x4/Dense/bias", Shape: []int{2}, Data: []float32{0.5, -1}},
		{Name: "D/4x4/Dense1/bias", Shape: []int{1}, Data: []float32{3}},
	}, map[string]string{"format": "example"})
	if err != nil {
		log.Fatal(err)
	}
	f, err := safetensors.Read(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.Shape, t.Data)
	}
	fmt.Println(f.Metadata["format"], buf.Len(), "bytes")
	// Output:
	// D/4x4/Dense1/bias [1] [3]
	// G/4x4/Dense/bias [2] [0.5 -1]
	// example 196 bytes
}
