// Package npy reads and writes the subset of NumPy's .npy file format needed
// for label matrices: one- and two-dimensional numeric arrays as written by
// numpy.save.
//
// The format is specified by NEP 1 ("A Simple File Format for NumPy Arrays")
// and documented in the numpy.lib.format module. A file starts with the magic
// string "\x93NUMPY", a major and a minor version byte and a little-endian
// header length (2 bytes in version 1.0, 4 bytes in versions 2.0 and 3.0).
// The header that follows is the literal of a Python dict with the keys
// 'descr' (the dtype), 'fortran_order' and 'shape', padded with spaces and
// terminated by '\n'. The raw array data comes right after the header.
//
// Write produces exactly the bytes numpy 1.24's numpy.save writes for a
// C-ordered float32 array of shape (Rows, Cols): format version 1.0, descr
// '<f4' and a header padded so that the data starts at a multiple of 64 bytes.
//
// Read accepts:
//   - format versions 1.0, 2.0 and 3.0, with headers padded to any alignment
//     (numpy 1.13 and earlier aligned the data to 16 bytes, later versions to
//     64 bytes);
//   - little-endian, big-endian and native byte order;
//   - the dtypes f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, u8 and b1 (bool),
//     converted to float32 with rounding to nearest, like numpy's
//     astype(float32);
//   - the shapes (N, L), read as an N×L matrix, and (N,), read as an N×1
//     matrix, in C (row-major) or Fortran (column-major) order.
//
// It rejects everything else, in particular object arrays (whose data is a
// pickle), structured, complex, string and date dtypes, arrays with zero or
// more than two dimensions, and headers that are not plain Python literals.
package npy

import (
	"fmt"
	"math"
	"math/bits"
)

// Matrix is a row-major float32 matrix, the in-memory form of a labels file.
// Element (i, j) is Data[i*Cols+j], and len(Data) is Rows*Cols.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// Row returns row i of m. The result shares storage with m.Data; its capacity
// ends at the end of the row. Row panics if i is not in [0, m.Rows).
func (m *Matrix) Row(i int) []float32 {
	if i < 0 || i >= m.Rows {
		panic(fmt.Sprintf("npy: row index %d out of range [0, %d)", i, m.Rows))
	}
	lo, hi := i*m.Cols, (i+1)*m.Cols
	return m.Data[lo:hi:hi]
}

// check reports whether m is a well-formed matrix.
func (m *Matrix) check() error {
	if m == nil {
		return fmt.Errorf("nil matrix")
	}
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("invalid matrix shape %dx%d", m.Rows, m.Cols)
	}
	if n, ok := mul(m.Rows, m.Cols); !ok || n != len(m.Data) {
		return fmt.Errorf("matrix is %dx%d but has %d values", m.Rows, m.Cols, len(m.Data))
	}
	return nil
}

// OneHot returns the len(classes)×n matrix whose row i is the one-hot
// encoding of classes[i]: 1 in column classes[i] and 0 elsewhere.
// It returns an error if a class is outside [0, n).
func OneHot(classes []int, n int) (*Matrix, error) {
	if n < 0 {
		return nil, fmt.Errorf("npy: negative number of classes %d", n)
	}
	for i, c := range classes {
		if c < 0 || c >= n {
			return nil, fmt.Errorf("npy: class %d of row %d is outside [0, %d)", c, i, n)
		}
	}
	size, ok := mul(len(classes), n)
	if !ok || size > math.MaxInt/4 {
		return nil, fmt.Errorf("npy: one-hot matrix %dx%d is too large", len(classes), n)
	}
	m := &Matrix{Rows: len(classes), Cols: n, Data: make([]float32, size)}
	for i, c := range classes {
		m.Data[i*n+c] = 1
	}
	return m, nil
}

// mul returns a*b for non-negative a and b, and whether it fits in an int.
func mul(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt {
		return 0, false
	}
	return int(lo), true
}
