// Package jpeg decodes JPEG images to exactly the samples that IJG libjpeg
// 8d ("8d 15-Jan-2012") produces when it is driven the way Pillow 3.1.1
// drives it: out_color_space JCS_RGB for three-component files (JCS_GRAYSCALE
// for one-component files), dct_method JDCT_ISLOW, do_fancy_upsampling and
// do_block_smoothing TRUE, scale 1/1, no colour quantization, non-buffered
// mode. The CelebA-HQ builder of progressive_growing_of_gans checks the md5 of
// such a decode, so a byte-exact decoder is needed to rebuild that dataset;
// Go's image/jpeg and libjpeg-turbo produce different samples.
//
// The reference is the IJG release tree (jdmarker.c, jdinput.c, jdhuff.c,
// jdcoefct.c, jdmaster.c, jidctint.c, jdsample.c, jdcolor.c); the code here is
// a Go transcription of the arithmetic, not of the structure.
//
// # What libjpeg 8d does
//
// Chroma is not upsampled by a filter. In libjpeg 7 and later, when
// do_fancy_upsampling is TRUE, jdmaster.c gives each component an inverse DCT
// output size so that subsampled components come out of the IDCT at (up to
// twice) their coded resolution: starting from 8, the size is doubled once
// while the component's sampling factor times 2 still divides the largest
// sampling factor (separately for width and height, and never to more than
// twice the other direction). The remaining ratio, if any, is made up by
// pixel replication in jdsample.c (there is no triangle filter in 8d):
//
//	sampling (Y; Cb, Cr)   chroma IDCT                      then
//	4:4:4  1x1; 1x1        8x8   jpeg_idct_islow            nothing
//	4:2:0  2x2; 1x1        16x16 jpeg_idct_16x16            nothing
//	4:2:2  2x1; 1x1        16x8  jpeg_idct_16x8 (w x h)     nothing
//	4:4:0  1x2; 1x1        8x16  jpeg_idct_8x16             nothing
//	4:1:1  4x1; 1x1        16x8  jpeg_idct_16x8             2x horizontal replication
//	4:1:0  4x2; 1x1        16x16 jpeg_idct_16x16            2x horizontal replication
//	3x1;   1x1             8x8   jpeg_idct_islow            3x horizontal replication
//
// The same rule applies to any component, so a luma plane with a smaller
// sampling factor than chroma is the one decoded at 16 points. Ratios that do
// not divide (for example 3:2) are rejected, as libjpeg rejects them.
//
// The "16-point" IDCTs treat the 8x8 coefficient block as the low-frequency
// corner of a 16x16 block whose other coefficients are zero; all IDCTs use
// 13-bit fixed-point constants (CONST_BITS 13, PASS1_BITS 2), 64-bit
// intermediates and libjpeg's post-IDCT range-limit table, which clamps to
// 0..255 and wraps values beyond +-512 modulo 1024 (this only matters for
// corrupt data). Colour conversion is jdcolor.c's ycc_rgb_convert: 16.16
// fixed-point tables built from FIX(1.40200), FIX(1.77200), FIX(0.71414) and
// FIX(0.34414) with ONE_HALF rounding and a clamp to 0..255. A file that
// libjpeg considers RGB-coded (no JFIF APP0, and either an Adobe APP14 with
// transform 0 or no APP14 and the component ids 'R', 'G', 'B') is copied
// through unchanged.
//
// Progressive files are read completely before any output (non-buffered
// mode), so libjpeg's interblock smoothing (jdcoefct.c decompress_smooth_data,
// JPEG K.8) applies only when, at the end of the file, one of the first five
// AC coefficients of some component is still not known to full precision;
// for the usual scan scripts, which refine every coefficient to bit 0, the
// output equals a baseline decode of the final coefficients. Both cases are
// implemented.
//
// # The libjpeg-turbo variant
//
// DecodeRGBOptions with Options.Turbo imitates libjpeg-turbo 2.1.5 with its
// default settings instead (what OpenCV 4.6's cv2.imdecode produces): 8x8
// IDCTs for every component followed by turbo's triangle upsampling filters
// for 2:1 ratios. It is tested against djpeg from libjpeg-turbo 2.1.5.
//
// # What is not supported
//
// Arithmetic coding, lossless and hierarchical JPEG, 12-bit samples, 2- and
// 4-component (CMYK, YCCK) images and DNL-defined heights return an
// UnsupportedError. So do libjpeg 8's "SmartScale" block sizes (a
// non-progressive, non-baseline frame whose first scan has Se != 63).
//
// Where libjpeg would emit a corrupt-data warning and carry on with invented
// data (a Huffman code that is not in the table, an entropy-coded segment
// that ends before its MCUs do, a missing or out-of-order restart marker),
// Decode returns a FormatError instead of an image: Pillow 3.1.1 would
// silently return partly gray pixels there. A file that ends before the image
// data does returns ErrTruncated, which is what Pillow reports as "image file
// is truncated". As in libjpeg driven by Pillow, a missing EOI marker after
// the single scan of a sequential file is accepted, but a progressive (or
// other multi-scan) file must reach its EOI marker.
package jpeg

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"io"
)

// A FormatError reports that the input is not a valid JPEG file, or is one
// that libjpeg 8d could only have decoded with a corrupt-data warning.
//
// Error texts keep the "jpeg8d:" prefix of this package's former name:
// dataset manifests record them for skipped inputs, and a rebuilt dataset
// stays byte-identical.
type FormatError string

func (e FormatError) Error() string { return "jpeg8d: invalid JPEG format: " + string(e) }

// An UnsupportedError reports that the input uses a valid but unimplemented
// JPEG feature.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "jpeg8d: unsupported JPEG feature: " + string(e) }

// ErrTruncated is returned when the data ends before the image is complete.
var ErrTruncated = FormatError("unexpected end of file (truncated image)")

// MaxPixels is the largest width*height Decode and DecodeRGB accept; larger
// images are rejected before any pixel memory is allocated. libjpeg's own
// limit of 65500 pixels per side also applies.
const MaxPixels = 1 << 28

// maxDimension is libjpeg's JPEG_MAX_DIMENSION.
const maxDimension = 65500

// DecodeRGB decodes a JPEG file held in data. It returns the pixels in
// row-major, interleaved order (height rows of width*c bytes): c is 3 (R, G,
// B) for colour images and 1 for grayscale images. This is the byte layout of
// numpy.array(PIL.Image.open(f)).tobytes().
func DecodeRGB(data []byte) (pix []byte, w, h, c int, err error) {
	d := &decoder{data: data}
	if err := d.decode(false); err != nil {
		return nil, 0, 0, 0, err
	}
	return d.pix, d.width, d.height, d.outChannels, nil
}

// Decode reads a JPEG image from r and returns it as an *image.RGBA (colour
// images, alpha 255) or an *image.Gray (one-component images).
func Decode(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	d := &decoder{data: data}
	if err := d.decode(true); err != nil {
		return nil, err
	}
	rect := image.Rect(0, 0, d.width, d.height)
	if d.outChannels == 1 {
		return &image.Gray{Pix: d.pix, Stride: d.width, Rect: rect}, nil
	}
	return &image.RGBA{Pix: d.pix, Stride: 4 * d.width, Rect: rect}, nil
}

// DecodeConfig returns the colour model and dimensions of a JPEG image
// without decoding the image data. It reads markers up to the frame header
// and applies the same checks as Decode to it.
func DecodeConfig(r io.Reader) (image.Config, error) {
	var buf []byte
	chunk := 4096
	for {
		n := len(buf)
		buf = append(buf, make([]byte, chunk)...)
		m, err := io.ReadFull(r, buf[n:])
		buf = buf[:n+m]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return image.Config{}, err
		}
		d := &decoder{data: buf}
		herr := d.readHeader()
		if herr == ErrTruncated && !eof {
			chunk *= 2
			continue
		}
		if herr != nil {
			return image.Config{}, herr
		}
		cfg := image.Config{Width: d.width, Height: d.height, ColorModel: color.RGBAModel}
		if len(d.comps) == 1 {
			cfg.ColorModel = color.GrayModel
		}
		return cfg, nil
	}
}

// CelebA000001MD5 is the md5 of the decoded (height, width, 3) RGB bytes of
// img_celeba/000001.jpg from the CelebA dataset, as checked by
// progressive_growing_of_gans' create_celebahq before it trusts the JPEG
// decoder ("Loaded image does not match expected MD5").
const CelebA000001MD5 = "9cad8178d6cb0196b36f7b34bc5eb6d3"

// CheckCelebA000001 decodes data, which should be the bytes of CelebA's
// img_celeba/000001.jpg, and reports an error unless the md5 of the decoded
// RGB bytes is CelebA000001MD5: the original tool's check that the JPEG
// decoder in use is libjpeg-8d-exact.
func CheckCelebA000001(data []byte) error {
	pix, _, _, c, err := DecodeRGB(data)
	if err != nil {
		return fmt.Errorf("jpeg8d: decoding CelebA 000001.jpg: %w", err)
	}
	if c != 3 {
		return fmt.Errorf("jpeg8d: CelebA 000001.jpg decoded to %d channels, want 3", c)
	}
	sum := md5.Sum(pix)
	if got := hex.EncodeToString(sum[:]); got != CelebA000001MD5 {
		return fmt.Errorf("jpeg8d: CelebA 000001.jpg decodes to md5 %s, want %s (wrong file, or a decoder mismatch)", got, CelebA000001MD5)
	}
	return nil
}
