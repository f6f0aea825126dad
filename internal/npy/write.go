package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

const (
	magic = "\x93NUMPY"

	// arrayAlign is the alignment numpy >= 1.14 gives the start of the data.
	arrayAlign = 64

	// growthAxisMaxDigits is the number of digits numpy >= 1.24 reserves in
	// the header for the first dimension (the "growth axis" of a C-ordered
	// array), so that the header can be rewritten in place when appending.
	growthAxisMaxDigits = 21

	// writeChunk is the size of the buffer Write encodes data into.
	writeChunk = 32 << 10
)

// appendHeader appends to b the version 1.0 preamble and header that numpy
// 1.24 writes for a C-ordered little-endian float32 array of shape
// (rows, cols).
func appendHeader(b []byte, rows, cols int) []byte {
	d := make([]byte, 0, 128)
	d = append(d, "{'descr': '<f4', 'fortran_order': False, 'shape': ("...)
	d = strconv.AppendInt(d, int64(rows), 10)
	d = append(d, ", "...)
	d = strconv.AppendInt(d, int64(cols), 10)
	d = append(d, "), }"...)
	for i := len(strconv.Itoa(rows)); i < growthAxisMaxDigits; i++ {
		d = append(d, ' ')
	}
	// Like numpy, pad with spaces and a final '\n' so that the data starts
	// at a multiple of arrayAlign. An exactly aligned header still gets
	// arrayAlign bytes of padding. For two dimensions the header length
	// always fits in version 1.0's 16 bits.
	hlen := len(d) + 1
	hlen += arrayAlign - (len(magic)+2+2+hlen)%arrayAlign
	b = append(b, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(hlen))
	b = append(b, d...)
	for i := len(d); i < hlen-1; i++ {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// Write writes m to w in .npy format, byte for byte as numpy 1.24's
// numpy.save writes a C-ordered float32 array of shape (m.Rows, m.Cols):
// format version 1.0, descr '<f4' and a header padded with spaces and a
// final '\n' so that the data starts at a multiple of 64 bytes.
func Write(w io.Writer, m *Matrix) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("npy: %v", err)
	}
	if err := write(w, m); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}

// write writes the valid matrix m to w.
func write(w io.Writer, m *Matrix) error {
	size := min(128+4*len(m.Data), writeChunk)
	buf := appendHeader(make([]byte, 0, size), m.Rows, m.Cols)
	for _, v := range m.Data {
		if len(buf)+4 > cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// WriteFile writes m to the named file in the format of Write, creating or
// truncating the file. It does not write atomically.
func WriteFile(path string, m *Matrix) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("npy: %s: %v", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	err = write(f, m)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}
