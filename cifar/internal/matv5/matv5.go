// Package matv5 reads numeric arrays from MATLAB Level 5 MAT-files, the
// format of the SVHN dataset files (train_32x32.mat: X, uint8 32×32×3×N, and
// y, double N×1).
//
// The format is described in MathWorks' "MATLAB 7 MAT-File Format" (the
// Level 5 format, with the miCOMPRESSED element MATLAB 7 added). A file
// starts with a 128-byte header: 116 bytes of text, an 8-byte subsystem data
// offset, the version 0x0100 and the endian indicator, the characters 'M' 'I'
// written as one 16-bit integer, which read back as "IM" in a little-endian
// file and "MI" in a big-endian one. Both byte orders are read.
//
// Data elements follow, each an 8-byte tag (uint32 data type, uint32 byte
// count) and its data, padded to a multiple of 8 bytes. A tag whose upper 16
// bits are not zero is a small data element: the byte count (at most 4) is in
// the upper 16 bits, the type in the lower 16, and the data in the 4 bytes
// that follow. Each variable is one miMATRIX element, or one miMATRIX element
// zlib-compressed in an miCOMPRESSED element (not padded). An miMATRIX
// element holds sub-elements: the array flags (class, and the complex, global
// and logical bits), the dimensions (int32), the name (int8) and, for numeric
// classes, the real part and the imaginary part. The real part may be stored
// in a narrower type than its class: MATLAB stores doubles that are small
// integers as miUINT8, miINT16 and so on.
//
// Next returns each variable's name, class and dimensions; the values are
// read only when asked, by Uint8, Uint8Reader or Float64, straight from the
// (decompressing) stream, and the unread parts of a variable are skipped
// without decompressing them. Data is returned in the file's column-major
// order. Complex arrays and the classes char, cell, struct, object and sparse
// are reported by Next but their data cannot be read.
//
// Sizes read from the file are checked against each other and, when the
// input's size is known (an *os.File, or a reader with a Len method such as
// *bytes.Reader), against the bytes left in it; when it is not known, buffers
// start small and grow as data arrives. So a damaged or hostile file gives an
// error rather than a panic or an allocation much larger than itself.
package matv5

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Errors wrapped by the errors of this package.
var (
	// ErrHeader reports a file without a valid Level 5 MAT-file header.
	ErrHeader = errors.New("not a Level 5 MAT-file")
	// ErrFormat reports a malformed or truncated data element.
	ErrFormat = errors.New("malformed MAT-file")
	// ErrUnsupported reports valid content this package does not read.
	ErrUnsupported = errors.New("unsupported")
)

// A Class is the MATLAB class of an array (mxCLASS in the format document).
type Class uint8

// The array classes.
const (
	ClassCell   Class = 1
	ClassStruct Class = 2
	ClassObject Class = 3
	ClassChar   Class = 4
	ClassSparse Class = 5
	ClassDouble Class = 6
	ClassSingle Class = 7
	ClassInt8   Class = 8
	ClassUint8  Class = 9
	ClassInt16  Class = 10
	ClassUint16 Class = 11
	ClassInt32  Class = 12
	ClassUint32 Class = 13
	ClassInt64  Class = 14
	ClassUint64 Class = 15
)

var classNames = [...]string{
	ClassCell: "cell", ClassStruct: "struct", ClassObject: "object", ClassChar: "char",
	ClassSparse: "sparse", ClassDouble: "double", ClassSingle: "single",
	ClassInt8: "int8", ClassUint8: "uint8", ClassInt16: "int16", ClassUint16: "uint16",
	ClassInt32: "int32", ClassUint32: "uint32", ClassInt64: "int64", ClassUint64: "uint64",
}

// String returns the MATLAB name of the class, such as "double".
func (c Class) String() string {
	if int(c) < len(classNames) && classNames[c] != "" {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Numeric reports whether c is one of the numeric classes, double to uint64.
func (c Class) Numeric() bool { return c >= ClassDouble && c <= ClassUint64 }

// Data types (miXXX in the format document).
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
	miUTF8       = 16
)

// Array flag bits, in the second byte of the flags word.
const (
	flagComplex = 0x08
	flagGlobal  = 0x04
	flagLogical = 0x02
)

const (
	headerSize = 128
	// maxDims and maxName bound the header sub-elements of an array.
	maxDims = 64
	maxName = 1 << 12
	// maxRatio bounds the output of zlib: deflate cannot expand data more
	// than 1032 times.
	maxRatio = 1032
	// startCap is the first buffer size, in bytes, for data whose size
	// cannot be checked against the input.
	startCap = 1 << 20
)

// A Header is the header of a MAT-file.
type Header struct {
	Text      string           // descriptive text, without trailing spaces and NULs
	ByteOrder binary.ByteOrder // byte order of the file
}

// A Reader reads the variables of a MAT-file in file order.
type Reader struct {
	Header
	src   *counter
	known bool // whether size is the input's size
	size  int64
	cur   *Var
	err   error // sticky error of the element structure
}

// counter counts the bytes read from a buffered input.
type counter struct {
	r *bufio.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// inputSize returns the number of bytes left in r, if it can tell.
func inputSize(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		return int64(r.Len()), true
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		pos, err := r.Seek(0, io.SeekCurrent)
		if err != nil || pos > fi.Size() {
			return 0, false
		}
		return fi.Size() - pos, true
	}
	return 0, false
}

// NewReader reads the header of the MAT-file held by r.
func NewReader(r io.Reader) (*Reader, error) {
	mr := &Reader{src: &counter{r: bufio.NewReaderSize(r, 1<<16)}}
	mr.size, mr.known = inputSize(r)
	var h [headerSize]byte
	if _, err := io.ReadFull(mr.src, h[:]); err != nil {
		return nil, fmt.Errorf("matv5: header: %w: %w", ErrHeader, err)
	}
	switch string(h[126:128]) {
	case "IM":
		mr.ByteOrder = binary.LittleEndian
	case "MI":
		mr.ByteOrder = binary.BigEndian
	default:
		return nil, fmt.Errorf("matv5: header: %w: endian indicator %q", ErrHeader, h[126:128])
	}
	switch v := mr.ByteOrder.Uint16(h[124:]); v {
	case 0x0100:
	case 0x0200:
		return nil, fmt.Errorf("matv5: header: %w: version 0x0200 (a MATLAB 7.3 HDF5 file)", ErrUnsupported)
	default:
		return nil, fmt.Errorf("matv5: header: %w: version %#04x", ErrHeader, v)
	}
	mr.Text = strings.TrimRight(string(h[:116]), " \x00")
	return mr, nil
}

// A Var is a variable of a MAT-file. Its data can be read once, before the
// next call to the Reader's Next.
type Var struct {
	Name    string
	Class   Class
	Dims    []int // at least two
	Complex bool
	Logical bool
	Global  bool

	r      *Reader
	offset int64             // file offset of the variable's element
	body   *io.LimitedReader // the rest of the miMATRIX contents
	raw    *io.LimitedReader // compressed bytes left, for miCOMPRESSED
	zr     io.ReadCloser     // decompressor, for miCOMPRESSED
	pad    int64             // padding after the element in the file
	rpad   int64             // padding after the real part
	limit  int64             // bytes of data the input can hold, or -1
	state  int
}

// Var states.
const (
	unread = iota
	reading
	done
	skipped // Next has moved past the variable
)

// Len returns the number of elements, the product of the dimensions.
func (v *Var) Len() int {
	n := 1
	for _, d := range v.Dims {
		n *= d
	}
	return n
}

// Next returns the next variable, skipping what was not read of the previous
// one, or io.EOF at the end of the file.
func (r *Reader) Next() (*Var, error) {
	if r.err != nil {
		return nil, r.err
	}
	if err := r.skip(); err != nil {
		r.err = err
		return nil, err
	}
	v, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	r.cur = v
	return v, nil
}

// skip moves the input past the current variable's element. The compressed
// bytes of an miCOMPRESSED element are skipped without decompressing them.
func (r *Reader) skip() error {
	v := r.cur
	if v == nil {
		return nil
	}
	r.cur = nil
	v.state = skipped
	rest := v.raw
	if rest == nil {
		rest = v.body
		rest.N += v.pad
	}
	if _, err := io.Copy(io.Discard, rest); err != nil {
		return v.errorf("%w", err)
	}
	// A file may end without the padding of its last element.
	if v.raw != nil && rest.N > 0 || v.raw == nil && rest.N > v.pad {
		return v.errorf("%w: %w", ErrFormat, io.ErrUnexpectedEOF)
	}
	return nil
}

// next reads the next top-level element up to the real part of its array.
func (r *Reader) next() (*Var, error) {
	o := r.ByteOrder
	for {
		off := r.src.n
		var tag [8]byte
		if n, err := io.ReadFull(r.src, tag[:]); err != nil {
			if n == 0 && err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("matv5: element at offset %d: %w: tag: %w", off, ErrFormat, err)
		}
		typ, nbytes := o.Uint32(tag[:]), int64(o.Uint32(tag[4:]))
		if typ>>16 != 0 {
			return nil, fmt.Errorf("matv5: element at offset %d: %w: small data element of type %d at top level", off, ErrFormat, typ&0xffff)
		}
		if r.known && nbytes > r.size-r.src.n {
			return nil, fmt.Errorf("matv5: element at offset %d: %w: %d bytes, %d left in the file (truncated?)", off, ErrFormat, nbytes, r.size-r.src.n)
		}
		v := &Var{r: r, offset: off, limit: -1}
		switch typ {
		case miMATRIX:
			v.body = &io.LimitedReader{R: r.src, N: nbytes}
			v.pad = -nbytes & 7
			if r.known {
				v.limit = nbytes
			}
		case miCOMPRESSED:
			v.raw = &io.LimitedReader{R: r.src, N: nbytes}
			zr, err := zlib.NewReader(v.raw)
			if err != nil {
				return nil, fmt.Errorf("matv5: element at offset %d: %w: %w", off, ErrFormat, err)
			}
			v.zr = zr
			if _, err := io.ReadFull(zr, tag[:]); err != nil {
				return nil, fmt.Errorf("matv5: element at offset %d: %w: compressed tag: %w", off, ErrFormat, err)
			}
			typ, inner := o.Uint32(tag[:]), int64(o.Uint32(tag[4:]))
			if typ != miMATRIX {
				return nil, fmt.Errorf("matv5: element at offset %d: %w: compressed element of type %d, want miMATRIX", off, ErrFormat, typ)
			}
			v.body = &io.LimitedReader{R: zr, N: inner}
			if r.known {
				v.limit = min(inner, nbytes*maxRatio)
			}
		default:
			return nil, fmt.Errorf("matv5: element at offset %d: %w: type %d, want miMATRIX or miCOMPRESSED", off, ErrFormat, typ)
		}
		if v.body.N == 0 {
			// An empty miMATRIX holds no variable.
			r.cur = v
			if err := r.skip(); err != nil {
				return nil, err
			}
			continue
		}
		if err := v.readHeader(); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// errorf returns an error naming the variable, or its offset while it has
// no name yet.
func (v *Var) errorf(format string, args ...any) error {
	if v.Name != "" {
		return fmt.Errorf("matv5: variable %q: %w", v.Name, fmt.Errorf(format, args...))
	}
	return fmt.Errorf("matv5: element at offset %d: %w", v.offset, fmt.Errorf(format, args...))
}

// readHeader reads the array flags, dimensions and name.
func (v *Var) readHeader() error {
	o := v.r.ByteOrder
	typ, b, err := v.subElement(8)
	if err != nil {
		return v.errorf("array flags: %w", err)
	}
	if typ != miUINT32 || len(b) != 8 {
		return v.errorf("%w: array flags of type %d and %d bytes", ErrFormat, typ, len(b))
	}
	flags := o.Uint32(b)
	v.Class = Class(flags)
	v.Complex = flags>>8&flagComplex != 0
	v.Global = flags>>8&flagGlobal != 0
	v.Logical = flags>>8&flagLogical != 0

	typ, b, err = v.subElement(4 * maxDims)
	if err != nil {
		return v.errorf("dimensions: %w", err)
	}
	if typ != miINT32 || len(b)%4 != 0 || len(b) < 8 {
		return v.errorf("%w: dimensions of type %d and %d bytes", ErrFormat, typ, len(b))
	}
	v.Dims = make([]int, len(b)/4)
	n := int64(1)
	for i := range v.Dims {
		d := int32(o.Uint32(b[4*i:]))
		if d < 0 {
			return v.errorf("%w: dimension %d is %d", ErrFormat, i, d)
		}
		v.Dims[i] = int(d)
		if n != 0 && int64(d) > (1<<53)/n {
			return v.errorf("%w: dimensions %v hold too many elements", ErrFormat, v.Dims[:i+1])
		}
		n *= int64(d)
	}

	typ, b, err = v.subElement(maxName)
	if err != nil {
		return v.errorf("name: %w", err)
	}
	if typ != miINT8 && typ != miUINT8 && typ != miUTF8 {
		return v.errorf("%w: name of type %d", ErrFormat, typ)
	}
	v.Name = string(b)
	return nil
}

// subElement reads a data element of at most max bytes from the body.
func (v *Var) subElement(max int) (typ uint32, data []byte, err error) {
	typ, n, small, err := v.tag()
	if err != nil {
		return 0, nil, err
	}
	if small != nil {
		return typ, small, nil
	}
	if n > int64(max) {
		return 0, nil, fmt.Errorf("%w: %d bytes, at most %d expected", ErrFormat, n, max)
	}
	data = make([]byte, n+(-n&7))
	if _, err := io.ReadFull(v.body, data); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrFormat, unexpected(err))
	}
	return typ, data[:n], nil
}

// tag reads a sub-element tag from the body. For a small data element it
// returns the data; otherwise the byte count, checked against the body.
func (v *Var) tag() (typ uint32, n int64, small []byte, err error) {
	var b [8]byte
	if _, err := io.ReadFull(v.body, b[:]); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: tag: %w", ErrFormat, unexpected(err))
	}
	o := v.r.ByteOrder
	w := o.Uint32(b[:])
	if w>>16 != 0 {
		n := w >> 16
		if n > 4 {
			return 0, 0, nil, fmt.Errorf("%w: small data element of %d bytes", ErrFormat, n)
		}
		// The data is in the 4 bytes after the first word.
		return w & 0xffff, 0, b[4 : 4+n], nil
	}
	n = int64(o.Uint32(b[4:]))
	if n > v.body.N {
		return 0, 0, nil, fmt.Errorf("%w: element of %d bytes in the %d bytes left of the array", ErrFormat, n, v.body.N)
	}
	return w, n, nil, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
