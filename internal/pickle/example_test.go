package pickle_test

import (
	"fmt"
	"log"
	"os"

	"github.com/progan/progan/internal/pickle"
)

// Example reads a CIFAR-10 batch as Python 2.7's cPickle wrote it.
func Example() {
	b, err := os.ReadFile("testdata/cifar_py2.pickle")
	if err != nil {
		log.Fatal(err)
	}
	v, err := pickle.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	batch, ok := v.(*pickle.Dict)
	if !ok {
		log.Fatalf("a %s, want a dict", pickle.TypeName(v))
	}
	for i := range batch.Len() {
		k, v := batch.Item(i)
		fmt.Printf("%q: %s\n", k, pickle.TypeName(v))
	}
	data, _ := batch.Get("data")
	a := data.(*pickle.Array)
	fmt.Println("data:", a.Dtype, a.Shape)
	labels, _ := batch.Get("labels")
	l, err := pickle.Ints(labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("labels:", l)

	_, err = pickle.Decode([]byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R."))
	fmt.Println(err)
	// Output:
	// "data": ndarray
	// "labels": list
	// "batch_label": bytes
	// "filenames": list
	// data: |u1 [10 3072]
	// labels: [1 0 6 5 5 5 3 4 3 6]
	// pickle: offset 2: global os.system not allowed
}
