package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/progan/progan/trainer/safetensors"
)

// Write a file and read it back: the metadata alone from the header, then
// every tensor. Python reads the same file with
// safetensors.numpy.load_file(path).
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "layer.safetensors")

	err = safetensors.WriteFile(path, []safetensors.Tensor{
		{Name: "weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}, // row-major
		{Name: "bias", Shape: []int{2}, Data: []float32{0.5, -0.5}},
	}, map[string]string{"layer": "dense", "epoch": "3"})
	if err != nil {
		log.Fatal(err)
	}

	meta, err := safetensors.ReadMetadata(path) // reads only the header
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("metadata:", meta)

	f, err := safetensors.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range f.Tensors { // sorted by name
		fmt.Println(t.Name, t.Shape, t.Data)
	}
	w, ok := f.Tensor("weight")
	fmt.Println("weight[1][2] =", w.Data[1*w.Shape[1]+2], ok)
	_, ok = f.Tensor("missing")
	fmt.Println("missing:", ok)
	st, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Size(), "bytes")
	// Output:
	// metadata: map[epoch:3 layer:dense]
	// bias [2] [0.5 -0.5]
	// weight [2 3] [1 2 3 4 5 6]
	// weight[1][2] = 6 true
	// missing: false
	// 208 bytes
}
