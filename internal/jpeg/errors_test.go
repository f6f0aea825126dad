package jpeg_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/progan/progan/internal/jpeg"
)

// findSegment returns the offset of the 0xFF byte of the first marker
// segment with code m up to the first SOS marker, or -1.
func findSegment(data []byte, m byte) int {
	p := 2
	for p+4 <= len(data) && data[p] == 0xFF {
		if data[p+1] == m {
			return p
		}
		if data[p+1] == 0xDA {
			return -1
		}
		p += 2 + (int(data[p+2])<<8 | int(data[p+3]))
	}
	return -1
}

// edit returns a copy of data with the bytes [off, off+n) replaced by repl.
func edit(data []byte, off, n int, repl ...byte) []byte {
	out := append([]byte{}, data[:off]...)
	out = append(out, repl...)
	return append(out, data[off+n:]...)
}

// setByte returns a copy of data with the byte at offset off set to v.
func setByte(data []byte, off int, v byte) []byte {
	return edit(data, off, 1, v)
}

// scanData returns the offset of the first scan's entropy-coded data.
func scanData(data []byte) int {
	p := findSegment(data, 0xDA)
	return p + 2 + (int(data[p+2])<<8 | int(data[p+3]))
}

// sofWith returns a gray file's SOF0 segment replaced by one with the given
// precision, size and components (id, sampling byte, table).
func sofWith(t *testing.T, marker byte, prec, h, w int, comps ...[3]byte) []byte {
	data := readTestdata(t, "gray_157x93.jpg")
	p := findSegment(data, 0xC0)
	n := int(data[p+2])<<8 | int(data[p+3])
	seg := []byte{0xFF, marker, 0, byte(8 + 3*len(comps)), byte(prec), byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(comps))}
	for _, c := range comps {
		seg = append(seg, c[:]...)
	}
	return edit(data, p, 2+n, seg...)
}

func TestDecodeErrors(t *testing.T) {
	gray := readTestdata(t, "gray_157x93.jpg")
	rst := readTestdata(t, "444_rst5b_101x67.jpg")
	prog := readTestdata(t, "gray_prog_101x67.jpg")
	y := [3]byte{1, 0x11, 0}
	sof := findSegment(gray, 0xC0)
	sos := findSegment(rst, 0xDA)
	if sof < 0 {
		t.Fatal("no SOF in gray_157x93.jpg")
	}
	firstRST := bytes.Index(rst[scanData(rst):], []byte{0xFF, 0xD0}) + scanData(rst)
	progSOS2 := bytes.Index(prog[scanData(prog):], []byte{0xFF, 0xDA}) + scanData(prog)

	tests := []struct {
		name string
		data []byte
		// want is ErrTruncated, or a FormatError or UnsupportedError whose
		// message contains msg.
		want error
		msg  string
	}{
		{"empty", nil, jpeg.ErrTruncated, ""},
		{"SOI only", []byte{0xFF, 0xD8}, jpeg.ErrTruncated, ""},
		{"not JPEG", []byte("GIF89a\x01\x00\x01\x00"), jpeg.FormatError(""), "missing SOI"},
		{"SOI EOI", []byte{0xFF, 0xD8, 0xFF, 0xD9}, jpeg.FormatError(""), "EOI before a frame header"},
		{"tables only", edit(gray, sof, len(gray)-sof, 0xFF, 0xD9), jpeg.FormatError(""), "EOI before a frame header"},
		{"no scan", edit(gray, findSegment(gray, 0xDA), len(gray)-findSegment(gray, 0xDA), 0xFF, 0xD9), jpeg.FormatError(""), "EOI before the first scan"},
		{"unknown marker", edit(gray, 2, 0, 0xFF, 0x02), jpeg.FormatError(""), "unknown marker 0xFF02"},
		{"duplicate SOI", edit(gray, 2, 0, 0xFF, 0xD8), jpeg.FormatError(""), "duplicate SOI"},
		{"duplicate SOF", edit(gray, sof, 0, gray[sof:sof+13]...), jpeg.FormatError(""), "duplicate SOF"},
		{"SOS before SOF", edit(gray, 2, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0), jpeg.FormatError(""), "SOS marker before SOF"},
		{"arithmetic", readTestdata(t, "arith_101x67.jpg"), jpeg.UnsupportedError(""), "arithmetic coding (SOF9)"},
		{"lossless", setByte(gray, sof+1, 0xC3), jpeg.UnsupportedError(""), "lossless JPEG (SOF3)"},
		{"hierarchical", setByte(gray, sof+1, 0xC5), jpeg.UnsupportedError(""), "hierarchical JPEG (SOF5)"},
		{"12-bit", sofWith(t, 0xC0, 12, 93, 157, y), jpeg.UnsupportedError(""), "12-bit samples"},
		{"CMYK", sofWith(t, 0xC0, 8, 93, 157, y, [3]byte{2, 0x11, 0}, [3]byte{3, 0x11, 0}, [3]byte{4, 0x11, 0}), jpeg.UnsupportedError(""), "4-component"},
		{"2 components", sofWith(t, 0xC0, 8, 93, 157, y, [3]byte{2, 0x11, 0}), jpeg.UnsupportedError(""), "2-component"},
		{"DNL height", sofWith(t, 0xC0, 8, 0, 157, y), jpeg.UnsupportedError(""), "DNL"},
		{"zero width", sofWith(t, 0xC0, 8, 93, 0, y), jpeg.FormatError(""), "empty image"},
		{"too wide", sofWith(t, 0xC0, 8, 93, 65501, y), jpeg.FormatError(""), "maximum dimension 65500"},
		{"too many pixels", sofWith(t, 0xC0, 8, 20000, 20000, y), jpeg.FormatError(""), "MaxPixels"},
		{"sampling 0", sofWith(t, 0xC0, 8, 93, 157, [3]byte{1, 0x01, 0}), jpeg.FormatError(""), "sampling factors 0x1"},
		{"sampling 3:2", sofWith(t, 0xC0, 8, 93, 157, [3]byte{1, 0x31, 0}, [3]byte{2, 0x21, 0}, [3]byte{3, 0x11, 0}), jpeg.UnsupportedError(""), "fractional sampling"},
		{"SOF length", setByte(gray, sof+3, 12), jpeg.FormatError(""), "does not match 1 components"},
		{"undefined quant table", setByte(gray, sof+12, 3), jpeg.FormatError(""), "quantization table 3 is not defined"},
		{"undefined Huffman table", setByte(rst, sos+6, 0x33), jpeg.FormatError(""), "DC Huffman table 3 is not defined"},
		{"scan component", setByte(rst, sos+5, 9), jpeg.FormatError(""), "component id 9"},
		{"DQT index", setByte(gray, findSegment(gray, 0xDB)+4, 5), jpeg.FormatError(""), "DQT table index 5"},
		{"DHT overfull", setByte(gray, findSegment(gray, 0xC4)+5+8, 200), jpeg.FormatError(""), "DHT"},
		{"DRI length", edit(gray, 2, 0, 0xFF, 0xDD, 0, 5, 0, 1, 0), jpeg.FormatError(""), "DRI segment length 5"},
		{"bad Huffman code", edit(gray, scanData(gray), 0, 0xFF, 0x00, 0xFF, 0x00), jpeg.FormatError(""), "bad Huffman code"},
		{"restart mismatch", setByte(rst, firstRST+1, 0xD3), jpeg.FormatError(""), "RST0 was expected"},
		{"segment ends early", append(append([]byte{}, gray[:scanData(gray)+100]...), 0xFF, 0xD9), jpeg.FormatError(""), "ends early (marker 0xFFD9"},
		{"truncated scan", gray[:scanData(gray)+100], jpeg.ErrTruncated, ""},
		{"truncated header", gray[:sof+5], jpeg.ErrTruncated, ""},
		{"progressive without EOI", prog[:len(prog)-2], jpeg.ErrTruncated, ""},
		{"progressive parameters", setByte(prog, progSOS2+9, 0x0E), jpeg.FormatError(""), "invalid progressive scan parameters"},
		{"second scan in baseline", edit(rst, len(rst)-2, 2, rst[sos:]...), jpeg.FormatError(""), "second scan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, _, err := jpeg.DecodeRGB(tt.data)
			if err == nil {
				t.Fatalf("no error")
			}
			switch want := tt.want.(type) {
			case jpeg.FormatError:
				var fe jpeg.FormatError
				if !errors.As(err, &fe) || (tt.msg != "" && !strings.Contains(err.Error(), tt.msg)) || (want != "" && err != want) {
					t.Errorf("got %q (%T), want a FormatError containing %q", err, err, tt.msg)
				}
			case jpeg.UnsupportedError:
				var ue jpeg.UnsupportedError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("got %q (%T), want an UnsupportedError containing %q", err, err, tt.msg)
				}
			}
			if tt.want == jpeg.ErrTruncated && !errors.Is(err, jpeg.ErrTruncated) {
				t.Errorf("got %q, want ErrTruncated", err)
			}
		})
	}
}

// TestLenientEnd covers what libjpeg (and Pillow) accept at the end of a
// single-scan file.
func TestLenientEnd(t *testing.T) {
	base := readTestdata(t, "444_rst5b_101x67.jpg")
	want := "b6bde9bf7ed8bf65cbd1704313e21174"
	tests := []struct {
		name string
		data []byte
	}{
		{"missing EOI", base[:len(base)-2]},
		{"garbage after EOI", append(append([]byte{}, base...), "trailing garbage\xff\xd8"...)},
		{"garbage before EOI", edit(base, len(base)-2, 0, 1, 2, 3)},
		{"COM after scan", edit(base, len(base)-2, 0, 0xFF, 0xFE, 0, 4, 'h', 'i')},
		{"fill bytes before markers", edit(base, 2, 0, 0xFF, 0xFF, 0xFF)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pix, _, _, _, err := jpeg.DecodeRGB(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := md5hex(pix); got != want {
				t.Errorf("md5 %s, want %s", got, want)
			}
		})
	}
}

// TestTruncatedEverywhere decodes every prefix of small files: there must be
// no panic, and every prefix short of the complete image data must fail.
func TestTruncatedEverywhere(t *testing.T) {
	for _, name := range []string{"444_rst5b_101x67.jpg", "420_prog_rst1_101x67.jpg", "gray_s2x2_101x67.jpg"} {
		data := readTestdata(t, name)
		for n := 0; n < len(data)-2; n++ {
			_, _, _, _, err := jpeg.DecodeRGB(data[:n])
			if err == nil {
				t.Errorf("%s: prefix of %d bytes decoded without error", name, n)
				continue
			}
			var fe jpeg.FormatError
			var ue jpeg.UnsupportedError
			if !errors.As(err, &fe) && !errors.As(err, &ue) {
				t.Errorf("%s[:%d]: error of type %T: %v", name, n, err, err)
			}
		}
	}
}
