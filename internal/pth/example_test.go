package pth_test

import (
	"fmt"
	"log"
	"slices"

	"github.com/progan/progan/internal/pth"
)

// Read the state_dict of a small module (a convolution, a batch norm and a
// linear layer) that torch.save wrote.
func ExampleReadFile() {
	m, err := pth.ReadFile("testdata/module_zip.pth")
	if err != nil {
		log.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Println(k, m[k].Dtype, m[k].Shape)
	}
	w, err := m["conv.weight"].Float32() // row-major: out, in, height, width
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(w), "weights")
	n, err := m["bn.num_batches_tracked"].Int64()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("batches:", n[0])
	_, err = m["bn.num_batches_tracked"].Float32()
	fmt.Println(err)
	// Output:
	// bn.bias float32 [3]
	// bn.num_batches_tracked int64 []
	// bn.running_mean float32 [3]
	// bn.running_var float32 [3]
	// bn.weight float32 [3]
	// conv.bias float32 [3]
	// conv.weight float32 [3 2 3 3]
	// fc.bias float32 [2]
	// fc.weight float32 [2 4]
	// 54 weights
	// batches: 7
	// pth: tensor "bn.num_batches_tracked": dtype int64, not floating-point
}
