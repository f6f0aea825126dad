package npy_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/progan/progan/internal/npy"
)

func ExampleWrite() {
	labels, err := npy.OneHot([]int{2, 0}, 3)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := npy.Write(&buf, labels); err != nil {
		log.Fatal(err)
	}
	b := buf.Bytes()
	fmt.Printf("%d bytes\n", len(b))
	fmt.Printf("%q\n", b[:10])
	fmt.Printf("%q\n", bytes.TrimRight(b[10:128], " \n"))

	m, err := npy.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	for i := range m.Rows {
		fmt.Println(m.Row(i))
	}
	// Output:
	// 152 bytes
	// "\x93NUMPY\x01\x00v\x00"
	// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
	// [0 0 1]
	// [1 0 0]
}

func ExampleReadHeader() {
	var buf bytes.Buffer
	if err := npy.Write(&buf, &npy.Matrix{Rows: 50000, Cols: 10, Data: make([]float32, 500000)}); err != nil {
		log.Fatal(err)
	}
	h, err := npy.ReadHeader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("dtype %s, shape %v, Fortran order %v, data at byte %d\n", h.Descr, h.Shape, h.Fortran, h.HeaderLen)
	// Output:
	// dtype <f4, shape [50000 10], Fortran order false, data at byte 128
}
