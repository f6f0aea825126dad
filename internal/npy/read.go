package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// maxHeaderLen limits the header dict. numpy writes a few hundred bytes
	// at most for the arrays this package reads.
	maxHeaderLen = 1 << 20

	// chunkElems is the number of elements Read decodes at a time.
	chunkElems = 2048

	// firstChunk is the initial buffer size when reading a stream of
	// unknown length; the buffer doubles as data arrives.
	firstChunk = 4096
)

// Header is the parsed header of a .npy file.
type Header struct {
	Descr     string // dtype descriptor, such as "<f4" or "|u1"
	Fortran   bool   // data is in Fortran (column-major) order
	Shape     []int  // array shape; empty for a 0-d array
	HeaderLen int    // bytes before the data: magic string, version, header length and header
}

// ReadHeader reads the magic string, version and header of a .npy stream,
// leaving r positioned at the start of the data. It checks that the header
// is a well-formed dict with the keys 'descr' (a string), 'fortran_order'
// (a bool) and 'shape' (a tuple of non-negative integers), but not that Read
// supports the dtype or the number of dimensions.
func ReadHeader(r io.Reader) (Header, error) {
	h, err := newReader(r).header()
	if err != nil {
		return Header{}, fmt.Errorf("npy: %w", err)
	}
	return h, nil
}

// Read reads a .npy stream and returns its array as a float32 matrix.
// It consumes exactly the header and data of one array, so arrays saved one
// after the other can be read with consecutive calls.
//
// Read never allocates much more memory than the input holds: if r is a
// *bytes.Reader, *bytes.Buffer, *strings.Reader or a regular *os.File, it
// checks the size of the remaining input before allocating; otherwise it
// reads the data in growing chunks.
func Read(r io.Reader) (*Matrix, error) {
	m, _, err := read(newReader(r))
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return m, nil
}

// ReadFile reads the named .npy file with Read. Unlike Read, it also
// rejects bytes after the end of the array, which mean that the header does
// not describe the file.
func ReadFile(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	rd := newReader(f)
	size := rd.avail
	m, n, err := read(rd)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	if size >= 0 && size != int64(n) {
		return nil, fmt.Errorf("npy: %s: %d bytes of trailing data after the array (the file has %d bytes, header and data have %d)",
			path, size-int64(n), size, n)
	}
	return m, nil
}

// A reader reads from r, tracking how much input is known to remain so
// that sizes from the header can be checked before allocating.
type reader struct {
	r     io.Reader
	avail int64 // bytes known to remain in r, or -1 if unknown
}

func newReader(r io.Reader) *reader {
	rd := &reader{r: r, avail: -1}
	switch r := r.(type) {
	case *bytes.Reader:
		rd.avail = int64(r.Len())
	case *bytes.Buffer:
		rd.avail = int64(r.Len())
	case *strings.Reader:
		rd.avail = int64(r.Len())
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			break
		}
		if off, err := r.Seek(0, io.SeekCurrent); err == nil {
			rd.avail = max(fi.Size()-off, 0)
		}
	}
	return rd
}

// readFull reads exactly n bytes. If the input ends first, it returns the
// number of bytes there were and io.ErrUnexpectedEOF. It does not allocate
// n bytes unless the input is known to hold them; otherwise the buffer grows
// as data arrives.
func (rd *reader) readFull(n int) (buf []byte, got int, err error) {
	if rd.avail >= 0 {
		buf = make([]byte, min(int64(n), rd.avail))
		got, err = io.ReadFull(rd.r, buf)
		rd.avail -= int64(got)
		if err == nil && got < n {
			err = io.ErrUnexpectedEOF
		}
	} else {
		buf = make([]byte, min(n, firstChunk))
		for {
			var k int
			k, err = io.ReadFull(rd.r, buf[got:])
			got += k
			if err != nil || got == n {
				break
			}
			nb := make([]byte, min(n, 2*len(buf)))
			copy(nb, buf)
			buf = nb
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return buf[:got], got, err
}

// short formats the error for a read of n bytes of what that returned only
// got bytes and err.
func short(what string, n, got int, err error) error {
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("truncated %s: need %d bytes, got %d: %w", what, n, got, err)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// header reads and parses the magic string, version and header.
func (rd *reader) header() (Header, error) {
	var h Header
	pre, got, err := rd.readFull(len(magic) + 2)
	if err != nil && err != io.ErrUnexpectedEOF {
		return h, fmt.Errorf("reading magic string: %w", err)
	}
	if got == 0 {
		return h, errors.New("empty input, not a .npy file")
	}
	if n := min(got, len(magic)); string(pre[:n]) != magic[:n] {
		return h, fmt.Errorf("not a .npy file: bad magic string %q", pre[:n])
	}
	if err != nil {
		return h, short("magic string and version", len(magic)+2, got, err)
	}
	major, minor := pre[6], pre[7]
	var lenSize int
	switch {
	case major == 1 && minor == 0:
		lenSize = 2
	case (major == 2 || major == 3) && minor == 0:
		lenSize = 4
	default:
		return h, fmt.Errorf("unsupported format version %d.%d", major, minor)
	}
	b, got, err := rd.readFull(lenSize)
	if err != nil {
		return h, short("header length", lenSize, got, err)
	}
	var hlen int
	if lenSize == 2 {
		hlen = int(binary.LittleEndian.Uint16(b))
	} else if v := binary.LittleEndian.Uint32(b); v <= maxHeaderLen {
		hlen = int(v)
	} else {
		return h, fmt.Errorf("header length %d exceeds the limit of %d bytes", v, maxHeaderLen)
	}
	b, got, err = rd.readFull(hlen)
	if err != nil {
		return h, short("header", hlen, got, err)
	}
	h.HeaderLen = len(magic) + 2 + lenSize + hlen
	if major == 3 && !utf8.Valid(b) {
		return h, fmt.Errorf("version 3.0 header %s is not valid UTF-8", snippet(b))
	}
	v, err := parseLiteral(string(b), major < 3)
	if err != nil {
		return h, fmt.Errorf("invalid header %s: %v", snippet(b), err)
	}
	if err := h.set(v); err != nil {
		return h, fmt.Errorf("header %s: %v", snippet(b), err)
	}
	return h, nil
}

// snippet quotes the start of header b for error messages.
func snippet(b []byte) string {
	const max = 100
	b = bytes.TrimRight(b, " \n")
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// set fills in h from the parsed header dict v.
func (h *Header) set(v any) error {
	d, ok := v.(dict)
	if !ok {
		return fmt.Errorf("not a dict")
	}
	var haveDescr, haveFortran, haveShape bool
	for _, e := range d {
		// Like a Python dict, a repeated key takes the last value.
		switch k := e.key.(string); k {
		case "descr":
			switch descr := e.val.(type) {
			case string:
				h.Descr = descr
			case list:
				return fmt.Errorf("structured dtypes are not supported")
			default:
				return fmt.Errorf("'descr' is %s, not a string", pyType(descr))
			}
			haveDescr = true
		case "fortran_order":
			b, ok := e.val.(bool)
			if !ok {
				return fmt.Errorf("'fortran_order' is %s, not a bool", pyType(e.val))
			}
			h.Fortran = b
			haveFortran = true
		case "shape":
			t, ok := e.val.(tuple)
			if !ok {
				return fmt.Errorf("'shape' is %s, not a tuple", pyType(e.val))
			}
			h.Shape = make([]int, len(t))
			for i, x := range t {
				n, ok := x.(int64)
				if !ok {
					return fmt.Errorf("'shape' has %s, not an integer", pyType(x))
				}
				if n < 0 || n > math.MaxInt {
					return fmt.Errorf("'shape' has invalid dimension %d", n)
				}
				h.Shape[i] = int(n)
			}
			haveShape = true
		default:
			return fmt.Errorf("unexpected key %q", k)
		}
	}
	switch {
	case !haveDescr:
		return fmt.Errorf("missing key 'descr'")
	case !haveFortran:
		return fmt.Errorf("missing key 'fortran_order'")
	case !haveShape:
		return fmt.Errorf("missing key 'shape'")
	}
	return nil
}

// pyType names the Python type of a parsed value.
func pyType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case bool:
		return "a bool"
	case nil:
		return "None"
	case tuple:
		return "a tuple"
	case list:
		return "a list"
	case dict:
		return "a dict"
	}
	return fmt.Sprintf("%T", v)
}

// shapeString formats a shape as Python does.
func shapeString(shape []int) string {
	if len(shape) == 1 {
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	s := make([]string, len(shape))
	for i, n := range shape {
		s[i] = strconv.Itoa(n)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// A dtype is a supported data type.
type dtype struct {
	kind  byte // 'f', 'i', 'u' or 'b'
	size  int  // bytes per element
	order binary.ByteOrder
}

// parseDescr parses a dtype descriptor such as "<f4".
func parseDescr(descr string) (dtype, error) {
	var t dtype
	s := descr
	t.order = binary.NativeEndian
	if s != "" {
		switch s[0] {
		case '<':
			t.order = binary.LittleEndian
			s = s[1:]
		case '>':
			t.order = binary.BigEndian
			s = s[1:]
		case '|', '=':
			s = s[1:]
		}
	}
	if s == "" {
		return t, fmt.Errorf("invalid dtype %q", descr)
	}
	t.kind = s[0]
	if t.kind == 'O' {
		return t, fmt.Errorf("object arrays (dtype %q) are not supported", descr)
	}
	switch s[1:] {
	case "1", "2", "4", "8":
		t.size = int(s[1] - '0')
	}
	switch {
	case t.kind == 'f' && t.size >= 2,
		(t.kind == 'i' || t.kind == 'u') && t.size >= 1,
		t.kind == 'b' && t.size == 1:
		return t, nil
	}
	return t, fmt.Errorf("unsupported dtype %q: want a float, integer or bool type", descr)
}

// read reads one array and returns it with the number of bytes consumed.
func read(rd *reader) (*Matrix, int, error) {
	h, err := rd.header()
	if err != nil {
		return nil, 0, err
	}
	t, err := parseDescr(h.Descr)
	if err != nil {
		return nil, 0, err
	}
	m := &Matrix{}
	switch len(h.Shape) {
	case 1:
		m.Rows, m.Cols = h.Shape[0], 1
	case 2:
		m.Rows, m.Cols = h.Shape[0], h.Shape[1]
	case 0:
		return nil, 0, fmt.Errorf("0-d arrays are not supported: want shape (N,) or (N, L)")
	default:
		return nil, 0, fmt.Errorf("shape %s has %d dimensions: want (N,) or (N, L)", shapeString(h.Shape), len(h.Shape))
	}
	count, ok := mul(m.Rows, m.Cols)
	if !ok || count > math.MaxInt/8 {
		return nil, 0, fmt.Errorf("shape %s is too large", shapeString(h.Shape))
	}
	need := count * t.size
	// dataErr describes a failure to read the data after got bytes.
	dataErr := func(got int, err error) error {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("truncated data: shape %s of '%s' needs %d bytes, got %d: %w",
				shapeString(h.Shape), h.Descr, need, got, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("reading data: %w", err)
	}

	if rd.avail >= 0 {
		// Check that the input holds the data, then decode it in chunks.
		if int64(need) > rd.avail {
			return nil, 0, dataErr(int(rd.avail), io.ErrUnexpectedEOF)
		}
		m.Data = make([]float32, count)
		d := newDecoder(t, m, h.Fortran)
		buf := make([]byte, min(count, chunkElems)*t.size)
		for done := 0; done < need; {
			p := buf[:min(len(buf), need-done)]
			n, err := io.ReadFull(rd.r, p)
			rd.avail -= int64(n)
			if err != nil {
				return nil, 0, dataErr(done+n, err)
			}
			d.decode(p)
			done += n
		}
	} else {
		// Read all of the data, which the buffer grows to hold, then
		// decode it.
		b, got, err := rd.readFull(need)
		if err != nil {
			return nil, 0, dataErr(got, err)
		}
		m.Data = make([]float32, count)
		d := newDecoder(t, m, h.Fortran)
		for len(b) > 0 {
			n := min(len(b), chunkElems*t.size)
			d.decode(b[:n])
			b = b[n:]
		}
	}
	return m, h.HeaderLen + need, nil
}
