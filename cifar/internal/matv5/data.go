package matv5

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
)

// typeSize returns the size in bytes of the numeric data types, 0 for others.
func typeSize(typ uint32) int {
	switch typ {
	case miINT8, miUINT8:
		return 1
	case miINT16, miUINT16:
		return 2
	case miINT32, miUINT32, miSINGLE:
		return 4
	case miDOUBLE, miINT64, miUINT64:
		return 8
	}
	return 0
}

// A realPart is the stored data of a numeric array.
type realPart struct {
	typ  uint32    // stored data type
	size int       // its size in bytes
	n    int       // number of elements
	src  io.Reader // exactly n*size bytes
}

// realPart reads and checks the tag of the variable's real part.
func (v *Var) realPart() (realPart, error) {
	var p realPart
	switch {
	case v.state == skipped:
		return p, v.errorf("data read after the next call to Next")
	case v.state != unread:
		return p, v.errorf("data already read")
	case !v.Class.Numeric():
		return p, v.errorf("%w: class %s is not numeric", ErrUnsupported, v.Class)
	case v.Complex:
		return p, v.errorf("%w: complex %s array", ErrUnsupported, v.Class)
	}
	v.state = reading
	typ, nbytes, small, err := v.tag()
	if err != nil {
		return p, v.errorf("real part: %w", err)
	}
	p.typ, p.size = typ, typeSize(typ)
	if p.size == 0 {
		return p, v.errorf("%w: real part of data type %d", ErrFormat, typ)
	}
	if small != nil {
		nbytes = int64(len(small))
		p.src = bytes.NewReader(small)
	} else {
		p.src = io.LimitReader(v.body, nbytes)
		v.rpad = -nbytes & 7
	}
	if nbytes%int64(p.size) != 0 || nbytes/int64(p.size) != int64(v.Len()) {
		return p, v.errorf("%w: real part of %d bytes of data type %d for dimensions %v", ErrFormat, nbytes, typ, v.Dims)
	}
	p.n = v.Len()
	return p, nil
}

// capFor returns the number of elements to allocate first for n elements of
// size bytes each: all of them if the input can hold them, otherwise as many
// as it can, and no more than startCap bytes' worth if its size is unknown.
func (v *Var) capFor(n, size int) int {
	limit := int64(startCap)
	if v.limit >= 0 {
		limit = v.limit
	}
	return int(min(int64(n), limit/int64(size)))
}

// finish reads what follows the real part: its padding and, in a compressed
// element, the rest of the zlib stream, so that its checksum is verified.
func (v *Var) finish() error {
	// The padding may also be left out of the array and follow the element.
	if _, err := io.CopyN(io.Discard, v.body, min(v.rpad, v.body.N)); err != nil {
		return v.errorf("%w: padding: %w", ErrFormat, unexpected(err))
	}
	if v.zr != nil {
		if _, err := io.Copy(io.Discard, v.body); err != nil {
			return v.errorf("compressed data: %w", err)
		}
		if _, err := io.Copy(io.Discard, v.zr); err != nil {
			return v.errorf("compressed data: %w", err)
		}
	}
	v.state = done
	return nil
}

// Float64 reads the values of a numeric array, converted to float64, in
// column-major order. Values of the classes int64 and uint64 beyond 2^53 are
// rounded.
func (v *Var) Float64() ([]float64, error) {
	p, err := v.realPart()
	if err != nil {
		return nil, err
	}
	o := v.r.ByteOrder
	out := make([]float64, 0, v.capFor(p.n, p.size))
	buf := make([]byte, min(p.n, 4096)*p.size)
	for len(out) < p.n {
		b := buf[:min(p.n-len(out), 4096)*p.size]
		if _, err := io.ReadFull(p.src, b); err != nil {
			return nil, v.errorf("%w: real part: %w", ErrFormat, unexpected(err))
		}
		switch p.typ {
		case miINT8:
			for _, x := range b {
				out = append(out, float64(int8(x)))
			}
		case miUINT8:
			for _, x := range b {
				out = append(out, float64(x))
			}
		case miINT16:
			for i := 0; i < len(b); i += 2 {
				out = append(out, float64(int16(o.Uint16(b[i:]))))
			}
		case miUINT16:
			for i := 0; i < len(b); i += 2 {
				out = append(out, float64(o.Uint16(b[i:])))
			}
		case miINT32:
			for i := 0; i < len(b); i += 4 {
				out = append(out, float64(int32(o.Uint32(b[i:]))))
			}
		case miUINT32:
			for i := 0; i < len(b); i += 4 {
				out = append(out, float64(o.Uint32(b[i:])))
			}
		case miSINGLE:
			for i := 0; i < len(b); i += 4 {
				out = append(out, float64(math.Float32frombits(o.Uint32(b[i:]))))
			}
		case miDOUBLE:
			for i := 0; i < len(b); i += 8 {
				out = append(out, math.Float64frombits(o.Uint64(b[i:])))
			}
		case miINT64:
			for i := 0; i < len(b); i += 8 {
				out = append(out, float64(int64(o.Uint64(b[i:]))))
			}
		case miUINT64:
			for i := 0; i < len(b); i += 8 {
				out = append(out, float64(o.Uint64(b[i:])))
			}
		}
	}
	if err := v.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// Uint8 reads the values of a uint8 array in column-major order: for the
// SVHN images X of dimensions 32×32×3×N, image i is the 3072 bytes from
// 3072·i, channel c of it the 1024 bytes from 1024·c, and pixel (row, col)
// of that channel byte row + 32·col.
func (v *Var) Uint8() ([]byte, error) {
	rd, err := v.Uint8Reader()
	if err != nil {
		return nil, err
	}
	u := rd.(*uint8Reader)
	n := u.left
	out := make([]byte, 0, v.capFor(n, u.size))
	for len(out) < n {
		if len(out) == cap(out) {
			out = slices.Grow(out, min(max(cap(out), 4096), n-len(out)))
		}
		m, err := u.Read(out[len(out):min(cap(out), n)])
		out = out[:len(out)+m]
		if err != nil {
			return nil, err
		}
	}
	if _, err := u.Read(nil); err != io.EOF {
		return nil, err
	}
	return out, nil
}

// Uint8Reader returns a reader of the values of a uint8 array in
// column-major order, for reading a large array piece by piece, such as the
// SVHN images one 3072-byte image at a time. The reader returns io.EOF after
// the last value, once the end of the variable's element checks out.
func (v *Var) Uint8Reader() (io.Reader, error) {
	if v.Class.Numeric() && v.Class != ClassUint8 {
		return nil, v.errorf("%w: class %s, not uint8 (Float64 reads it)", ErrUnsupported, v.Class)
	}
	p, err := v.realPart()
	if err != nil {
		return nil, err
	}
	if p.typ != miUINT8 && p.typ != miINT8 && p.typ != miUINT16 && p.typ != miINT16 &&
		p.typ != miUINT32 && p.typ != miINT32 && p.typ != miUINT64 && p.typ != miINT64 {
		return nil, v.errorf("%w: uint8 values stored as data type %d", ErrFormat, p.typ)
	}
	return &uint8Reader{v: v, realPart: p, left: p.n}, nil
}

// A uint8Reader reads the values of a uint8 array, checking that values
// stored in a wider integer type fit.
type uint8Reader struct {
	v *Var
	realPart
	left int    // values not yet read
	buf  []byte // for values stored in a wider type
	done int    // values read
	err  error
}

func (u *uint8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if u.left == 0 {
		u.err = u.v.finish()
		if u.err == nil {
			u.err = io.EOF
		}
		return 0, u.err
	}
	p = p[:min(len(p), u.left)]
	var n int
	var err error
	if u.typ == miUINT8 {
		n, err = u.src.Read(p)
	} else {
		n, err = u.convert(p)
	}
	u.left -= n
	u.done += n
	if err == io.EOF && u.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && err != io.EOF {
		if !errors.Is(err, ErrFormat) {
			err = u.v.errorf("%w: real part: %w", ErrFormat, err)
		}
		u.err = err
		return n, err
	}
	return n, nil
}

// convert reads len(p) values stored in a wider integer type into p.
func (u *uint8Reader) convert(p []byte) (int, error) {
	p = p[:min(len(p), 4096)]
	if u.buf == nil {
		u.buf = make([]byte, 4096*u.size)
	}
	b := u.buf[:len(p)*u.size]
	if _, err := io.ReadFull(u.src, b); err != nil {
		return 0, unexpected(err)
	}
	o := u.v.r.ByteOrder
	for i := range p {
		var x int64
		switch u.typ {
		case miINT8:
			x = int64(int8(b[i]))
		case miINT16:
			x = int64(int16(o.Uint16(b[2*i:])))
		case miUINT16:
			x = int64(o.Uint16(b[2*i:]))
		case miINT32:
			x = int64(int32(o.Uint32(b[4*i:])))
		case miUINT32:
			x = int64(o.Uint32(b[4*i:]))
		case miINT64:
			x = int64(o.Uint64(b[8*i:]))
		case miUINT64:
			w := o.Uint64(b[8*i:])
			if w > math.MaxUint8 {
				return i, u.v.errorf("%w: value %d of element %d does not fit in uint8", ErrFormat, w, u.done+i)
			}
			x = int64(w)
		}
		if x < 0 || x > math.MaxUint8 {
			return i, u.v.errorf("%w: value %d of element %d does not fit in uint8", ErrFormat, x, u.done+i)
		}
		p[i] = byte(x)
	}
	return len(p), nil
}
