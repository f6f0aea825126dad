package jpeg

import "fmt"

// naturalOrder maps zigzag index to natural (row-major) index. The 16
// extra entries are libjpeg's guard against runs past the end of a block in
// corrupt data: such coefficients land in position 63.
var naturalOrder = [64 + 16]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
}

const (
	lutBits = 9
	lutSize = 1 << lutBits
)

// huffTable is a derived decoding table (jdhuff.c d_derived_tbl) with a
// lookahead table for codes of up to lutBits bits.
type huffTable struct {
	// lut[b] is (code length << 8 | symbol) for the code that starts the
	// lutBits-bit sequence b, or 0 if that code is longer than lutBits.
	lut       [lutSize]uint16
	maxcode   [18]int32 // largest code of length l, -1 if none
	valoffset [17]int32
	vals      [256]uint8
}

// deriveTable builds a decoding table and validates it like
// jpeg_make_d_derived_tbl: an over-subscribed code is an error, and DC
// tables may only hold the symbols 0 to 15.
func deriveTable(raw *rawHuffman, isDC bool) (*huffTable, error) {
	var huffsize [257]int
	var huffcode [257]int32
	p := 0
	for l := 1; l <= 16; l++ {
		for i := 0; i < raw.counts[l]; i++ {
			huffsize[p] = l
			p++
		}
	}
	huffsize[p] = 0
	numsymbols := p

	code := int32(0)
	si := huffsize[0]
	p = 0
	for huffsize[p] != 0 {
		for huffsize[p] == si {
			huffcode[p] = code
			p++
			code++
		}
		if code >= 1<<si {
			return nil, FormatError("bad Huffman table (over-subscribed code lengths)")
		}
		code <<= 1
		si++
	}

	t := &huffTable{vals: raw.vals}
	p = 0
	for l := 1; l <= 16; l++ {
		if raw.counts[l] != 0 {
			t.valoffset[l] = int32(p) - huffcode[p]
			p += raw.counts[l]
			t.maxcode[l] = huffcode[p-1]
		} else {
			t.maxcode[l] = -1
		}
	}
	t.maxcode[17] = 0xFFFFF

	p = 0
	for l := 1; l <= lutBits; l++ {
		for i := 0; i < raw.counts[l]; i++ {
			look := int(huffcode[p]) << (lutBits - l)
			for n := 0; n < 1<<(lutBits-l); n++ {
				t.lut[look+n] = uint16(l<<8) | uint16(raw.vals[p])
			}
			p++
		}
	}
	if isDC {
		for i := 0; i < numsymbols; i++ {
			if raw.vals[i] > 15 {
				return nil, FormatError("bad Huffman table (DC symbol above 15)")
			}
		}
	}
	return t, nil
}

// bitReader reads the entropy-coded data of a scan (jdhuff.c
// jpeg_fill_bit_buffer): it removes stuffed zero bytes and stops in front of
// the first marker.
type bitReader struct {
	data []byte
	pos  int    // next byte to load
	acc  uint64 // the low n bits are the next bits of the stream
	n    uint
	// marker is the code of the marker the reader stopped at (d.pos-style
	// position pos is just past it), -1 at the end of the data, 0 while
	// there is more entropy-coded data.
	marker int
}

// fill loads bytes until at least 57 bits are buffered or a marker or the
// end of the data is reached.
func (br *bitReader) fill() {
	if br.marker != 0 {
		return
	}
	data := br.data
	pos := br.pos
	acc, n := br.acc, br.n
	for n <= 56 {
		if pos >= len(data) {
			br.marker = -1
			break
		}
		b := data[pos]
		if b != 0xFF {
			pos++
			acc = acc<<8 | uint64(b)
			n += 8
			continue
		}
		// Skip fill bytes; FF..FF 00 is one FF data byte.
		q := pos + 1
		for q < len(data) && data[q] == 0xFF {
			q++
		}
		if q >= len(data) {
			pos = q
			br.marker = -1
			break
		}
		if data[q] == 0 {
			pos = q + 1
			acc = acc<<8 | 0xFF
			n += 8
			continue
		}
		br.marker = int(data[q])
		pos = q + 1
		break
	}
	br.pos = pos
	br.acc, br.n = acc, n
}

// errShort is the error for a request for bits beyond the end of the
// entropy-coded data.
func (br *bitReader) errShort() error {
	if br.marker < 0 {
		return ErrTruncated
	}
	return FormatError(fmt.Sprintf("entropy-coded data ends early (marker 0xFF%02X reached inside the scan)", br.marker))
}

// bits returns the next s bits (s <= 16).
func (br *bitReader) bits(s uint) (int32, error) {
	if br.n < s {
		br.fill()
		if br.n < s {
			return 0, br.errShort()
		}
	}
	br.n -= s
	return int32(br.acc>>br.n) & (1<<s - 1), nil
}

// bit returns the next bit.
func (br *bitReader) bit() (bool, error) {
	if br.n == 0 {
		br.fill()
		if br.n == 0 {
			return false, br.errShort()
		}
	}
	br.n--
	return br.acc>>br.n&1 != 0, nil
}

// receiveExtend reads an s-bit magnitude category value and sign-extends it
// (JPEG F.2.2.1, HUFF_EXTEND).
func (br *bitReader) receiveExtend(s uint) (int32, error) {
	v, err := br.bits(s)
	if err != nil {
		return 0, err
	}
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v, nil
}

// decode returns the next Huffman-coded symbol.
func (br *bitReader) decode(t *huffTable) (int, error) {
	if br.n < 16 {
		br.fill()
	}
	if br.n >= lutBits {
		if e := t.lut[(br.acc>>(br.n-lutBits))&(lutSize-1)]; e != 0 {
			br.n -= uint(e >> 8)
			return int(e & 0xFF), nil
		}
	}
	return br.decodeSlow(t)
}

// decodeSlow decodes bit by bit (JPEG F.16, jpeg_huff_decode).
func (br *bitReader) decodeSlow(t *huffTable) (int, error) {
	code := int32(0)
	for l := 1; l <= 16; l++ {
		b, err := br.bit()
		if err != nil {
			return 0, err
		}
		code <<= 1
		if b {
			code |= 1
		}
		if code <= t.maxcode[l] {
			return int(t.vals[(code+t.valoffset[l])&0xFF]), nil
		}
	}
	return 0, FormatError("bad Huffman code")
}
