package npy

import "math"

// A decoder converts array data to float32 and stores it in a matrix.
type decoder struct {
	m       *Matrix
	conv    func(dst []float32, src []byte)
	size    int  // bytes per element
	fortran bool // the data is in Fortran order

	k       int       // elements stored so far (C order)
	i, j    int       // next row and column to store (Fortran order)
	scratch []float32 // converted values before transposition (Fortran order)
}

// newDecoder returns a decoder that stores data of type t in m.Data, in
// Fortran order if fortran is set.
func newDecoder(t dtype, m *Matrix, fortran bool) *decoder {
	return &decoder{m: m, conv: converter(t), size: t.size, fortran: fortran && m.Cols > 1}
}

// decode converts and stores the elements in p, whose length is a multiple
// of the element size and at most chunkElems elements.
func (d *decoder) decode(p []byte) {
	n := len(p) / d.size
	if !d.fortran {
		d.conv(d.m.Data[d.k:d.k+n], p)
		d.k += n
		return
	}
	// Fortran order stores the columns one after the other.
	if d.scratch == nil {
		d.scratch = make([]float32, min(len(d.m.Data), chunkElems))
	}
	s := d.scratch[:n]
	d.conv(s, p)
	for _, v := range s {
		d.m.Data[d.i*d.m.Cols+d.j] = v
		if d.i++; d.i == d.m.Rows {
			d.i = 0
			d.j++
		}
	}
}

// converter returns the function that converts elements of type t to
// float32, rounding to nearest.
func converter(t dtype) func(dst []float32, src []byte) {
	o := t.order
	switch t.kind {
	case 'b':
		return func(dst []float32, src []byte) {
			for i := range dst {
				if src[i] != 0 {
					dst[i] = 1
				} else {
					dst[i] = 0
				}
			}
		}
	case 'f':
		switch t.size {
		case 2:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = halfToFloat32(o.Uint16(src[2*i:]))
				}
			}
		case 4:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = math.Float32frombits(o.Uint32(src[4*i:]))
				}
			}
		case 8:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(math.Float64frombits(o.Uint64(src[8*i:])))
				}
			}
		}
	case 'i':
		switch t.size {
		case 1:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(int8(src[i]))
				}
			}
		case 2:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(int16(o.Uint16(src[2*i:])))
				}
			}
		case 4:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(int32(o.Uint32(src[4*i:])))
				}
			}
		case 8:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(int64(o.Uint64(src[8*i:])))
				}
			}
		}
	case 'u':
		switch t.size {
		case 1:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(src[i])
				}
			}
		case 2:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(o.Uint16(src[2*i:]))
				}
			}
		case 4:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(o.Uint32(src[4*i:]))
				}
			}
		case 8:
			return func(dst []float32, src []byte) {
				for i := range dst {
					dst[i] = float32(o.Uint64(src[8*i:]))
				}
			}
		}
	}
	panic("npy: unsupported dtype") // parseDescr admits only the types above
}

// halfToFloat32 converts an IEEE 754 half-precision value to float32.
// The conversion is exact; NaN payloads are kept.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0: // zero or subnormal: frac × 2⁻²⁴
		return math.Float32frombits(sign | math.Float32bits(float32(frac)/(1<<24)))
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
