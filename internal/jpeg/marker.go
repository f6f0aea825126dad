package jpeg

import "fmt"

// Marker codes (the byte after 0xFF).
const (
	mSOF0  = 0xC0 // baseline
	mSOF1  = 0xC1 // extended sequential, Huffman
	mSOF2  = 0xC2 // progressive, Huffman
	mDHT   = 0xC4
	mDAC   = 0xCC
	mRST0  = 0xD0
	mRST7  = 0xD7
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mDQT   = 0xDB
	mDNL   = 0xDC
	mDRI   = 0xDD
	mAPP0  = 0xE0
	mAPP14 = 0xEE
	mAPP15 = 0xEF
	mCOM   = 0xFE
	mTEM   = 0x01
)

// component is one colour component of the frame (jpeg_component_info).
type component struct {
	id     byte
	idx    int // index in the frame
	h, v   int // sampling factors
	tq     int // quantization table selector
	qt     *[64]uint16
	bw, bh int // width_in_blocks, height_in_blocks
	// bwAlloc, bhAlloc round bw, bh up to multiples of h, v: the block
	// array covers the dummy blocks of interleaved MCUs.
	bwAlloc, bhAlloc int
	dctW, dctH       int       // IDCT output block size, 8 or 16
	expH, expV       int       // pixel replication after the IDCT
	up               upsampler // libjpeg-turbo variant only
	coefs            []int16
	coefBits         [64]int // progressive: Al of each coefficient, -1 = not seen

	// per-scan state
	dcSel, acSel int
	pred         int32
}

type quantTable struct {
	vals    [64]uint16 // natural order
	defined bool
}

type rawHuffman struct {
	counts  [17]int // counts[l] = number of codes of length l (1..16)
	vals    [256]uint8
	defined bool
}

// decoder holds the state of one decode. Field names follow libjpeg's where
// there is a counterpart.
type decoder struct {
	data []byte
	pos  int

	// frame
	sawSOF       bool
	progressive  bool
	baseline     bool
	width        int
	height       int
	comps        []component
	maxH, maxV   int
	mcusX, mcusY int // interleaved MCU grid (= total iMCU rows)

	qts  [4]quantTable
	hufs [2][4]rawHuffman // [0] DC, [1] AC
	ri   int              // restart interval in MCUs

	sawJFIF, sawAdobe bool
	adobeTransform    int

	// scan state
	scanComps          []*component
	ss, se, ah, al     int
	scans              int
	multiScan          bool // libjpeg's has_multiple_scans: coefficient-buffer mode
	dcTables, acTables [4]*huffTable
	blk                [64]int16

	// options and output
	stopAtSOF   bool // DecodeConfig: stop after the frame header
	turbo       bool // imitate libjpeg-turbo 2.1.5 (Options.Turbo)
	ycc         bool // YCbCr -> RGB conversion (else copy)
	rgba        bool // output 4 bytes per pixel
	outChannels int
	outStride   int
	pix         []byte
	// strips holds per component one iMCU row of IDCT output (the whole
	// plane in the turbo variant); stripStride is its row stride.
	strips      [][]byte
	stripStride []int
}

// nextMarker implements jdmarker.c's next_marker: it skips any bytes that
// are not 0xFF, then any run of 0xFF fill bytes, and returns the marker code
// that follows. An FF 00 pair (stuffed data) is discarded and the search
// goes on. It returns -1 at the end of the data.
func nextMarker(data []byte, pos int) (marker, next int) {
	for {
		for pos < len(data) && data[pos] != 0xFF {
			pos++
		}
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			return -1, pos
		}
		c := data[pos]
		pos++
		if c != 0 {
			return int(c), pos
		}
	}
}

// segment returns the payload of the marker segment at d.pos (after the
// 2-byte length) and advances d.pos past it.
func (d *decoder) segment(name string) ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, ErrTruncated
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		return nil, FormatError(fmt.Sprintf("%s segment length %d is less than 2", name, n))
	}
	if d.pos+n > len(d.data) {
		return nil, ErrTruncated
	}
	p := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return p, nil
}

// skipVariable is jdmarker.c's skip_variable: a length below 2 skips
// nothing.
func (d *decoder) skipVariable() error {
	if d.pos+2 > len(d.data) {
		return ErrTruncated
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		d.pos += 2
		return nil
	}
	if d.pos+n > len(d.data) {
		return ErrTruncated
	}
	d.pos += n
	return nil
}

// readHeader reads markers from the start of the file up to and including
// the frame header (for DecodeConfig).
func (d *decoder) readHeader() error {
	d.stopAtSOF = true
	return d.readMarkers()
}

// decode decodes the whole file into d.pix.
func (d *decoder) decode(rgba bool) error {
	d.rgba = rgba
	return d.readMarkers()
}

// readMarkers is the marker loop of jdmarker.c's read_markers plus the
// driver logic of jdapimin.c/jdapistd.c for the non-buffered mode.
func (d *decoder) readMarkers() error {
	if len(d.data) < 2 {
		return ErrTruncated
	}
	if d.data[0] != 0xFF || d.data[1] != mSOI {
		return FormatError("missing SOI marker (not a JPEG file)")
	}
	d.pos = 2
	for {
		m, next := nextMarker(d.data, d.pos)
		d.pos = next
		if m < 0 {
			return d.endOfData(false)
		}
	dispatch:
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if err := d.processSOF(m); err != nil {
				return err
			}
			if d.stopAtSOF {
				return nil
			}
		case m == 0xC3 || (m >= 0xC5 && m <= 0xC7) || (m >= 0xC9 && m <= 0xCB) || m >= 0xCD && m <= 0xCF || m == 0xC8:
			return unsupportedSOF(m)
		case m == mSOS:
			if !d.sawSOF {
				return FormatError("SOS marker before SOF marker")
			}
			if d.stopAtSOF {
				return nil
			}
			if d.scans > 0 && !d.multiScan {
				return FormatError("a second scan in a single-scan sequential image (EOI expected)")
			}
			marker, err := d.processSOS()
			if err != nil {
				return err
			}
			if marker != 0 {
				// The entropy decoder stopped at this marker.
				if marker < 0 {
					return d.endOfData(false)
				}
				m = marker
				goto dispatch
			}
		case m == mEOI:
			return d.endOfData(true)
		case m == mDHT:
			if err := d.processDHT(); err != nil {
				return err
			}
		case m == mDQT:
			if err := d.processDQT(); err != nil {
				return err
			}
		case m == mDRI:
			if err := d.processDRI(); err != nil {
				return err
			}
		case m == mAPP0 || m == mAPP14:
			if err := d.processAPP(m); err != nil {
				return err
			}
		case m > mAPP0 && m <= mAPP15 || m == mCOM || m == mDAC || m == mDNL:
			if err := d.skipVariable(); err != nil {
				return err
			}
		case m >= mRST0 && m <= mRST7 || m == mTEM:
			// Parameterless; libjpeg ignores them here.
		case m == mSOI:
			return FormatError("duplicate SOI marker")
		default:
			return FormatError(fmt.Sprintf("unknown marker 0xFF%02X", m))
		}
	}
}

func unsupportedSOF(m int) error {
	switch m {
	case 0xC3:
		return UnsupportedError("lossless JPEG (SOF3)")
	case 0xC5, 0xC6, 0xC7:
		return UnsupportedError(fmt.Sprintf("hierarchical JPEG (SOF%d)", m-0xC0))
	case 0xC8:
		return UnsupportedError("JPG extension (SOF8)")
	case 0xCB, 0xCF:
		return UnsupportedError(fmt.Sprintf("lossless arithmetic-coded JPEG (SOF%d)", m-0xC0))
	default:
		return UnsupportedError(fmt.Sprintf("arithmetic coding (SOF%d)", m-0xC0))
	}
}

// endOfData is reached at EOI (eoi true) or at the end of the data.
func (d *decoder) endOfData(eoi bool) error {
	if d.stopAtSOF {
		if !d.sawSOF {
			if eoi {
				return FormatError("EOI before a frame header")
			}
			return ErrTruncated
		}
		return nil
	}
	if d.scans == 0 {
		if eoi {
			if !d.sawSOF {
				return FormatError("EOI before a frame header (tables-only datastream)")
			}
			return FormatError("EOI before the first scan (no image data)")
		}
		return ErrTruncated
	}
	if !d.multiScan {
		// The single scan has produced every row; like Pillow's decoder we
		// accept a file that then ends without EOI.
		return d.finish()
	}
	if !eoi {
		return ErrTruncated
	}
	if err := d.outputFromCoefficients(); err != nil {
		return err
	}
	return d.finish()
}

// finish runs the upsampling and colour conversion that the libjpeg-turbo
// variant defers until all planes are complete.
func (d *decoder) finish() error {
	if d.turbo {
		d.emitTurbo()
	}
	return nil
}

func (d *decoder) processSOF(m int) error {
	if d.sawSOF {
		return FormatError("duplicate SOF marker")
	}
	p, err := d.segment("SOF")
	if err != nil {
		return err
	}
	if len(p) < 6 {
		return FormatError("SOF segment too short")
	}
	prec := int(p[0])
	d.height = int(p[1])<<8 | int(p[2])
	d.width = int(p[3])<<8 | int(p[4])
	nc := int(p[5])
	if d.height == 0 || d.width == 0 || nc == 0 {
		if d.height == 0 && d.width != 0 && nc != 0 {
			return UnsupportedError("image height 0 (height defined by a DNL marker)")
		}
		return FormatError("empty image (zero width, height or component count)")
	}
	if len(p) != 6+3*nc {
		return FormatError(fmt.Sprintf("SOF segment length %d does not match %d components", len(p)+2, nc))
	}
	if prec != 8 {
		return UnsupportedError(fmt.Sprintf("%d-bit samples", prec))
	}
	if d.width > maxDimension || d.height > maxDimension {
		return FormatError(fmt.Sprintf("image %dx%d exceeds libjpeg's maximum dimension %d", d.width, d.height, maxDimension))
	}
	if d.width*d.height > MaxPixels {
		return FormatError(fmt.Sprintf("image %dx%d has more than MaxPixels (%d) pixels", d.width, d.height, MaxPixels))
	}
	switch nc {
	case 1, 3:
	case 4:
		return UnsupportedError("4-component (CMYK/YCCK) image")
	default:
		return UnsupportedError(fmt.Sprintf("%d-component image", nc))
	}
	d.sawSOF = true
	d.progressive = m == mSOF2
	d.baseline = m == mSOF0
	d.comps = make([]component, nc)
	d.maxH, d.maxV = 1, 1
	for i := range d.comps {
		c := &d.comps[i]
		c.idx = i
		c.id = p[6+3*i]
		c.h = int(p[7+3*i] >> 4)
		c.v = int(p[7+3*i] & 15)
		c.tq = int(p[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return FormatError(fmt.Sprintf("component %d has sampling factors %dx%d (must be 1 to 4)", i, c.h, c.v))
		}
		d.maxH = max(d.maxH, c.h)
		d.maxV = max(d.maxV, c.v)
	}
	return d.setupComponents()
}

// setupComponents derives block counts, IDCT sizes and replication factors
// (jdinput.c initial_setup, jdmaster.c jpeg_calc_output_dimensions and
// jdsample.c jinit_upsampler).
func (d *decoder) setupComponents() error {
	d.mcusX = ceilDiv(d.width, d.maxH*8)
	d.mcusY = ceilDiv(d.height, d.maxV*8)
	for i := range d.comps {
		c := &d.comps[i]
		if d.turbo {
			if err := d.setupTurbo(c); err != nil {
				return err
			}
			continue
		}
		c.bw = ceilDiv(d.width*c.h, d.maxH*8)
		c.bh = ceilDiv(d.height*c.v, d.maxV*8)
		c.bwAlloc = roundUp(c.bw, c.h)
		c.bhAlloc = roundUp(c.bh, c.v)
		// DCT scaling in place of upsampling (do_fancy_upsampling TRUE).
		ssize := 1
		for 8*ssize <= 8 && d.maxH%(c.h*ssize*2) == 0 {
			ssize *= 2
		}
		c.dctW = 8 * ssize
		ssize = 1
		for 8*ssize <= 8 && d.maxV%(c.v*ssize*2) == 0 {
			ssize *= 2
		}
		c.dctH = 8 * ssize
		if c.dctW > 2*c.dctH {
			c.dctW = 2 * c.dctH
		} else if c.dctH > 2*c.dctW {
			c.dctH = 2 * c.dctW
		}
		inH := c.h * c.dctW / 8
		inV := c.v * c.dctH / 8
		if d.maxH%inH != 0 || d.maxV%inV != 0 {
			return UnsupportedError(fmt.Sprintf("fractional sampling ratio (component %d is %dx%d of %dx%d)", i, c.h, c.v, d.maxH, d.maxV))
		}
		c.expH = d.maxH / inH
		c.expV = d.maxV / inV
		for k := range c.coefBits {
			c.coefBits[k] = -1
		}
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }

func (d *decoder) processDQT() error {
	p, err := d.segment("DQT")
	if err != nil {
		return err
	}
	for len(p) > 0 {
		prec := p[0] >> 4
		n := int(p[0] & 15)
		if n >= 4 {
			return FormatError(fmt.Sprintf("DQT table index %d (must be 0 to 3)", n))
		}
		size := 64
		if prec != 0 {
			size = 128
		}
		if len(p) < 1+size {
			return FormatError("DQT segment length does not match its tables")
		}
		q := &d.qts[n]
		for i := 0; i < 64; i++ {
			var v uint16
			if prec != 0 {
				v = uint16(p[1+2*i])<<8 | uint16(p[2+2*i])
			} else {
				v = uint16(p[1+i])
			}
			q.vals[naturalOrder[i]] = v
		}
		q.defined = true
		p = p[1+size:]
	}
	return nil
}

func (d *decoder) processDHT() error {
	p, err := d.segment("DHT")
	if err != nil {
		return err
	}
	for len(p) > 16 {
		index := int(p[0])
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(p[l])
			total += counts[l]
		}
		p = p[17:]
		if total > 256 || total > len(p) {
			return FormatError("DHT table has more codes than fit (bad Huffman table)")
		}
		class := 0
		if index&0x10 != 0 {
			class = 1
			index -= 0x10
		}
		if index < 0 || index >= 4 {
			return FormatError(fmt.Sprintf("DHT table index 0x%02X", p[0]))
		}
		t := &d.hufs[class][index]
		t.counts = counts
		t.vals = [256]uint8{}
		copy(t.vals[:], p[:total])
		t.defined = true
		p = p[total:]
	}
	if len(p) != 0 {
		return FormatError("DHT segment length does not match its tables")
	}
	return nil
}

func (d *decoder) processDRI() error {
	p, err := d.segment("DRI")
	if err != nil {
		return err
	}
	if len(p) != 2 {
		return FormatError(fmt.Sprintf("DRI segment length %d (must be 4)", len(p)+2))
	}
	d.ri = int(p[0])<<8 | int(p[1])
	return nil
}

// processAPP looks for the JFIF APP0 and Adobe APP14 markers that decide the
// colour space (jdmarker.c examine_app0/examine_app14).
func (d *decoder) processAPP(m int) error {
	p, err := d.segment("APP")
	if err != nil {
		// A short or overlong APPn: skip_variable semantics.
		return d.skipVariable()
	}
	switch m {
	case mAPP0:
		if len(p) >= 14 && string(p[:5]) == "JFIF\x00" {
			d.sawJFIF = true
		}
	case mAPP14:
		if len(p) >= 12 && string(p[:5]) == "Adobe" {
			d.sawAdobe = true
			d.adobeTransform = int(p[11])
		}
	}
	return nil
}
