// Package imagefile reads a folder of ordinary image files as input for a
// Progressive GAN dataset, following the rules of the original tool's
// create_from_images and fixing the cases where that tool crashed or gave
// wrong pixels.
//
// # Listing
//
// [List] returns the files of a folder whose extension is .png, .jpg, .jpeg,
// .gif, .bmp, .tif, .tiff or .webp (in any case), sorted by the byte order of
// their path relative to the folder, which is the order of Python's
// sorted(glob(...)) that the original uses. Subfolders, dot files (.DS_Store,
// macOS "._" files) and other entries are skipped instead of being fed to the
// decoder; with recursive listing, dot folders (.git, .ipynb_checkpoints) are
// skipped too and symbolic links to folders are not followed.
//
// # Decoding
//
// [Load] and [Decode] accept PNG, JPEG, GIF, BMP, TIFF and WebP, whatever the
// file's extension, and always return one of two concrete types with origin
// (0,0) and contiguous Pix (Stride is the row length):
//
//   - *image.Gray for one channel;
//   - *image.RGBA with A = 255 in every pixel for three channels.
//
// Files are converted to 8-bit samples by these rules:
//
//   - Gray files (JPEG gray, PNG gray with or without alpha or a
//     transparent colour, TIFF BlackIsZero and WhiteIsZero) give one channel.
//   - Paletted files (PNG, GIF, BMP, TIFF) are looked up in their palette.
//     When every palette entry is gray (R = G = B) the result has one channel,
//     otherwise three. The original fed palette indices through as if they
//     were gray levels; that is not copied.
//   - Alpha is dropped and the colour kept as stored, which is what Pillow's
//     convert("RGB") and convert("L") do and so what the original's users
//     get when they fix its crash on RGBA and LA files by hand. Compositing
//     over black or white was rejected: either background is a guess that
//     no other tool would reproduce. Straight-alpha sources (PNG, WebP, BMP,
//     TIFF with unassociated alpha) keep their colour values untouched, even
//     under fully transparent pixels. Premultiplied sources (TIFF with
//     associated alpha) are un-premultiplied the way Pillow's "RGBa" unpacker
//     does it: c*255/a truncated and clipped to 255, and 0 where a = 0.
//   - 16-bit samples keep their high byte (v>>8), alpha included, before the
//     8-bit rules apply. That is what Pillow's unpackers for 16-bit samples
//     (L;16B, RGB;16B, RGBA;16B) do, what Go's color models do and what
//     libpng's png_set_strip_16 does; round(v/257) would be closer by at most
//     one level but agrees with none of them. Both agree on 8-bit data
//     widened as v*257.
//   - JPEG files are decoded as libjpeg-turbo 2.1.5 decodes them by default
//     (internal/jpeg's turbo variant: islow IDCT, triangle chroma
//     upsampling, JFIF colour tables), the decoder behind today's Pillow and
//     OpenCV, so they give the pixels the Python tools see. The kinds it
//     does not handle, such as CMYK (Adobe, stored inverted), go through the
//     Go standard library (color.CMYKToRGB), which can differ from libjpeg
//     by a level or so.
//   - Lossy WebP is converted as libwebp converts it, bit for bit: BT.601
//     limited-range YCbCr with interpolated ("fancy") chroma upsampling.
//     golang.org/x/image/webp hands its planes over as a full-range
//     image.YCbCr, whose own conversion would wash the colours out
//     (golang/go#40173).
//   - Images of any other type are converted through their At method with
//     the same rules.
//
// Only the first frame of an animated GIF is read, at its own bounds. Go's
// GIF decoder discards the colour of the transparent palette entry, so those
// pixels are black. EXIF orientation and colour profiles are ignored, as in
// the original. Images over 2^27 pixels (134 megapixels) are refused before
// their pixels are decoded.
//
// # Memory
//
// Decoding memory is bounded for the whole process: every decode reserves
// what it will hold at its peak (the file, the decoder's buffers, the
// converted copy), computed from the header before the decoder runs, from
// a budget of [DecodeBudget] bytes that all goroutines share, and waits
// while others hold it. A small file whose header declares a huge canvas
// is refused if it needs more than the whole budget. [Load] and [Read]
// check the header before reading the rest of the file, and Load opens
// nothing but regular files: a named pipe or a device is an error, not a
// wait.
//
// # Channels
//
// With [Options].Channels 0 the channel count is the file's own (1 for gray
// files, 3 otherwise), so the first image of a folder fixes it as in the
// original. Channels 1 and 3 force a count: gray to RGB replicates the level,
// RGB to gray uses ITU-R 601-2 luma in the fixed-point form of Pillow's
// convert("L"): L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16, which is
// R*299/1000 + G*587/1000 + B*114/1000 rounded to nearest.
//
// # Size
//
// With [Options].Resolution 0 an image must be square with a side that is a
// power of two of at least 4, as in the original. With Resolution R > 0 the
// image is cropped to its centred square of side s = min(w, h), at offset
// ((w-s)/2, (h-s)/2) in integer division like the original's LSUN crop, and
// resized to R×R with the chosen filter; the resize is skipped when s = R and
// may enlarge. The channel conversion of Options.Channels follows the resize.
//
// Errors about a file name it; errors about Options do not.
package imagefile

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"strings"

	// Decoders register themselves with package image.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/disintegration/imaging"

	"github.com/progan/progan/internal/jpeg"
)

// maxPixels caps width×height so that a small file declaring a huge canvas
// cannot make the decoder allocate gigabytes. 2^27 pixels (134 megapixels)
// is close to the 179 megapixels at which Pillow refuses an image as a
// decompression bomb. Tests lower it.
var maxPixels int64 = 1 << 27

// Options control how an image is converted.
type Options struct {
	// Resolution 0 keeps the size, which must then be a square power of
	// two of at least 4. A power of two of at least 4 centre-crops the
	// image to a square and resizes it to Resolution×Resolution. Other
	// values are an error.
	Resolution int

	// Filter names the resize filter; see FilterNames. Empty means
	// "lanczos".
	Filter string

	// Channels 0 keeps the file's channel count (1 for gray files, 3
	// otherwise); 1 or 3 converts to that count.
	Channels int
}

// filters maps the names accepted by Options.Filter, in the order
// FilterNames reports them.
var filters = []struct {
	name   string
	filter imaging.ResampleFilter
}{
	{"lanczos", imaging.Lanczos},
	{"catmullrom", imaging.CatmullRom},
	{"mitchell", imaging.MitchellNetravali},
	{"linear", imaging.Linear},
	{"box", imaging.Box},
	{"nearest", imaging.NearestNeighbor},
}

// FilterNames returns the names Options.Filter accepts, default first.
func FilterNames() []string {
	names := make([]string, len(filters))
	for i, f := range filters {
		names[i] = f.name
	}
	return names
}

// Channels reports 1 for *image.Gray, 3 otherwise.
func Channels(img image.Image) int {
	if _, ok := img.(*image.Gray); ok {
		return 1
	}
	return 3
}

// Load reads and decodes the image file at path and converts it as the
// package comment describes. It returns an *image.Gray (one channel) or an
// *image.RGBA with A = 255 everywhere (three channels), with origin (0,0).
// Anything but a regular file is refused without waiting on it.
func Load(path string, opt Options) (image.Image, error) {
	// Check the options first so that a bad flag is reported without
	// reading anything.
	if _, err := opt.filter(); err != nil {
		return nil, err
	}
	f, st, err := OpenRegular(path)
	if err != nil {
		// *fs.PathError and OpenRegular's errors name the file.
		return nil, fmt.Errorf("imagefile: %w", err)
	}
	defer f.Close()
	return Read(path, f, st.Size(), opt)
}

// LoadAny reads and decodes the image file at path with Load's colour
// conversions but no size rule: the image keeps its size.
func LoadAny(path string) (image.Image, error) { return loadAny(path, false) }

// loadAny is LoadAny, or LoadPillowRGB with clip16.
func loadAny(path string, clip16 bool) (image.Image, error) {
	f, st, err := OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("imagefile: %w", err)
	}
	defer f.Close()
	data, cfg, format, release, err := readReserved(path, f, st.Size())
	if err != nil {
		return nil, err
	}
	defer release()
	return decodeAny(path, data, cfg, format, clip16)
}

// LoadPillowRGB is LoadAny with one difference, for reading images as
// torch-fidelity and pytorch-fid do (Pillow's Image.open(path).convert("RGB")):
// 16-bit grayscale without alpha is clipped to 255 instead of keeping its
// high byte, because Pillow opens such files in mode "I" (or "I;16") and
// its conversion to 8 bits clips. Every other kind of file reads as with
// LoadAny, which already follows Pillow's 8-bit conversions.
func LoadPillowRGB(path string) (image.Image, error) { return loadAny(path, true) }

// ReadPillowRGB is LoadPillowRGB for an image file of size bytes read from
// r, such as a zip member, with Read's checks: the header first, the
// decoding budget reserved before the rest is read.
func ReadPillowRGB(name string, r io.Reader, size int64) (image.Image, error) {
	data, cfg, format, release, err := readReserved(name, r, size)
	if err != nil {
		return nil, err
	}
	defer release()
	return decodeAny(name, data, cfg, format, true)
}

// Read is Load for an image file of size bytes read from r, such as a zip
// member; name is used in errors only. The header is read and checked
// first: a file that is not an image, declares a canvas over the pixel
// cap or needs more than the decoding budget (see [DecodeBudget]) is
// refused before the rest is read, and the bytes held are reserved from
// the budget for the whole decode.
func Read(name string, r io.Reader, size int64, opt Options) (image.Image, error) {
	filter, err := opt.filter()
	if err != nil {
		return nil, err
	}
	data, cfg, format, release, err := readReserved(name, r, size)
	if err != nil {
		return nil, err
	}
	defer release()
	return decodeOpts(name, data, cfg, format, opt, filter)
}

// DecodeAny is LoadAny for a file already read into data. The name is
// used in errors only.
func DecodeAny(name string, data []byte) (image.Image, error) {
	cfg, format, err := config(name, data)
	if err != nil {
		return nil, err
	}
	release, err := reserve(name, cfg, format, data, 0)
	if err != nil {
		return nil, err
	}
	defer release()
	return decodeAny(name, data, cfg, format, false)
}

// decodeAny decodes data and converts it by the colour rules, except that
// with clip16 16-bit grayscale is clipped to 255 as Pillow's conversion of
// its mode "I" does, instead of keeping the high byte.
func decodeAny(name string, data []byte, cfg image.Config, format string, clip16 bool) (image.Image, error) {
	src, gray, err := decode(name, data, cfg, format)
	if err != nil {
		return nil, err
	}
	if g16, ok := src.(*image.Gray16); ok && clip16 {
		b := g16.Bounds()
		out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			row := g16.Pix[g16.PixOffset(b.Min.X, b.Min.Y+y):][:2*b.Dx()]
			for x := range b.Dx() {
				out.Pix[y*out.Stride+x] = uint8(min(uint16(row[2*x])<<8|uint16(row[2*x+1]), 255))
			}
		}
		return out, nil
	}
	return convert(src, src.Bounds(), format, gray), nil
}

// Decode is Load for a file already read into data. The name is used in
// errors only.
func Decode(name string, data []byte, opt Options) (image.Image, error) {
	filter, err := opt.filter()
	if err != nil {
		return nil, err
	}
	cfg, format, err := config(name, data)
	if err != nil {
		return nil, err
	}
	release, err := reserve(name, cfg, format, data, 0)
	if err != nil {
		return nil, err
	}
	defer release()
	return decodeOpts(name, data, cfg, format, opt, filter)
}

// decodeOpts decodes data, whose header config has read, and applies
// opt's size and channel rules.
func decodeOpts(name string, data []byte, cfg image.Config, format string, opt Options, filter imaging.ResampleFilter) (image.Image, error) {
	src, gray, err := decode(name, data, cfg, format)
	if err != nil {
		return nil, err
	}

	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	r := b
	if opt.Resolution == 0 {
		// Check before converting: a rejected image costs no conversion.
		switch {
		case w != h:
			return nil, fmt.Errorf("imagefile: %s: image is %dx%d: not square (use --resolution R to crop and resize)", name, w, h)
		case !isPow2(w):
			return nil, fmt.Errorf("imagefile: %s: image is %dx%d: side is not a power of two >= 4 (use --resolution R to resize)", name, w, h)
		}
	} else {
		s := min(w, h)
		if s == 0 {
			return nil, fmt.Errorf("imagefile: %s: image is %dx%d: empty", name, w, h)
		}
		// Integer division puts the extra pixel of an odd margin at the
		// right or bottom, as the original's LSUN crop does.
		r = image.Rect(0, 0, s, s).Add(b.Min).Add(image.Pt((w-s)/2, (h-s)/2))
	}

	m := convert(src, r, format, gray)
	if opt.Resolution > 0 && r.Dx() != opt.Resolution {
		m = resize(m, opt.Resolution, filter)
	}
	switch {
	case opt.Channels == 1:
		if rgb, ok := m.(*image.RGBA); ok {
			m = luma(rgb)
		}
	case opt.Channels == 3:
		if g, ok := m.(*image.Gray); ok {
			m = grayToRGB(g)
		}
	}
	return m, nil
}

// filter validates opt and returns its resize filter.
func (opt Options) filter() (imaging.ResampleFilter, error) {
	if opt.Resolution < 0 || opt.Resolution > 0 && !isPow2(opt.Resolution) {
		return imaging.ResampleFilter{}, fmt.Errorf("imagefile: resolution %d is not a power of two >= 4", opt.Resolution)
	}
	if opt.Channels != 0 && opt.Channels != 1 && opt.Channels != 3 {
		return imaging.ResampleFilter{}, fmt.Errorf("imagefile: %d channels: want 0 (as the file is), 1 or 3", opt.Channels)
	}
	name := strings.ToLower(opt.Filter)
	if name == "" {
		name = filters[0].name
	}
	for _, f := range filters {
		if f.name == name {
			return f.filter, nil
		}
	}
	return imaging.ResampleFilter{}, fmt.Errorf("imagefile: unknown resize filter %q (valid: %s)", opt.Filter, strings.Join(FilterNames(), ", "))
}

// isPow2 reports whether n is a power of two of at least 4, the sizes the
// dataset's resolution pyramid can halve down to 4×4.
func isPow2(n int) bool {
	return n >= 4 && n&(n-1) == 0
}

// pngSignature starts every PNG file.
const pngSignature = "\x89PNG\r\n\x1a\n"

// headerLimit bounds the bytes read from a stream to find an image's
// header. Headers are small, but JPEG APPn segments (EXIF thumbnails, ICC
// profiles, XMP) and PNG ancillary chunks may come before it.
const headerLimit = 16 << 20

// config reads the header at the start of data: the canvas size, the
// colour model and the format. The header alone tells the canvas size, so
// an oversized image is refused before a decoder allocates it.
func config(name string, data []byte) (image.Config, string, error) {
	return configFrom(name, bytes.NewReader(data))
}

// configFrom is config reading the header from r.
func configFrom(name string, r io.Reader) (cfg image.Config, format string, err error) {
	// Some third-party decoders have panicked on malformed input in the
	// past; one bad file must not abort a run over a million others.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("imagefile: %s: %s decoder panic: %v", name, format, p)
		}
	}()
	cfg, format, err = image.DecodeConfig(r)
	if err != nil {
		return cfg, format, decodeError(name, format, err)
	}
	if cfg.Width < 0 || cfg.Height < 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return cfg, format, fmt.Errorf("imagefile: %s: image is %dx%d: larger than %d pixels", name, cfg.Width, cfg.Height, maxPixels)
	}
	return cfg, format, nil
}

// reserve takes the bytes a decode of data (the file's bytes, or its
// first bytes through the header) holds from the shared budget, size of
// them for the encoded file. It refuses an image that needs more than the
// whole budget.
func reserve(name string, cfg image.Config, format string, data []byte, size int64) (func(), error) {
	n := decodeCost(cfg, format, data, size)
	if n > budget.total {
		return nil, fmt.Errorf("imagefile: %s: %w", name,
			fmt.Errorf("%dx%d %s image needs %s to decode, more than the %s decoding budget", cfg.Width, cfg.Height, format, mib(n), mib(budget.total)))
	}
	return budget.acquire(max(n, 1)), nil
}

// readReserved reads an image file of size bytes from r: its header
// first, through config and reserve, then the rest into memory reserved
// from the budget. It reads r to its end, so that a zip member's checksum
// is checked, and fails if r holds more or fewer than size bytes. The
// caller must call release when the decode is done.
func readReserved(name string, r io.Reader, size int64) (data []byte, cfg image.Config, format string, release func(), err error) {
	if size < 0 {
		return nil, cfg, "", nil, fmt.Errorf("imagefile: %s: %w", name, fmt.Errorf("size %d", size))
	}
	if size > budget.total {
		return nil, cfg, "", nil, fmt.Errorf("imagefile: %s: %w", name, fmt.Errorf("%d bytes, more than the %s decoding budget", size, mib(budget.total)))
	}
	var hdr bytes.Buffer
	lr := &io.LimitedReader{R: r, N: min(size, headerLimit)}
	if cfg, format, err = configFrom(name, io.TeeReader(lr, &hdr)); err != nil {
		if int64(hdr.Len()) == headerLimit {
			err = fmt.Errorf("imagefile: %s: no image header in the first %s", name, mib(headerLimit))
		}
		return nil, cfg, format, nil, err
	}
	if release, err = reserve(name, cfg, format, hdr.Bytes(), size); err != nil {
		return nil, cfg, format, nil, err
	}
	// size is checked against the budget and reserved: it may size the
	// buffer.
	data = make([]byte, size)
	n := copy(data, hdr.Bytes())
	if m, err := io.ReadFull(r, data[n:]); err != nil {
		release()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("truncated: %d of %d bytes", n+m, size)
		}
		return nil, cfg, format, nil, fmt.Errorf("imagefile: %s: %w", name, err)
	}
	var one [1]byte
	if _, err := io.ReadFull(r, one[:]); err != io.EOF {
		release()
		if err == nil {
			err = fmt.Errorf("more than the %d bytes announced", size)
		}
		return nil, cfg, format, nil, fmt.Errorf("imagefile: %s: %w", name, err)
	}
	return data, cfg, format, release, nil
}

// decode runs the registered decoder on data, whose header config has
// read. gray reports a PNG whose header declares gray samples (colour
// type 0 or 4): Go's decoder returns those as NRGBA when they carry alpha
// or a transparent colour, and the file's own channel count would be
// lost.
func decode(name string, data []byte, cfg image.Config, format string) (m image.Image, gray bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("imagefile: %s: %s decoder panic: %v", name, format, p)
		}
	}()
	if format == "jpeg" {
		m, err = decodeJPEG(data)
		var unsupported jpeg.UnsupportedError
		if err == nil {
			return m, false, nil
		} else if !errors.As(err, &unsupported) {
			return nil, false, decodeError(name, format, err)
		}
		// CMYK and other rare kinds: Go's decoder.
	}
	m, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		// image.Decode reports no format on failure; DecodeConfig's is
		// the same registry lookup.
		return nil, false, decodeError(name, format, err)
	}
	if b := m.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		// The budget was reserved for the header's canvas.
		return nil, false, fmt.Errorf("imagefile: %s: %s decoder returned %dx%d for a %dx%d header", name, format, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	gray = len(data) > 25 && string(data[:8]) == pngSignature && string(data[12:16]) == "IHDR" &&
		(data[25] == 0 || data[25] == 4)
	return m, gray, nil
}

// decodeJPEG decodes a JPEG as libjpeg-turbo does by default, the decoder
// behind today's Pillow and OpenCV, so that JPEG inputs give the pixels the
// Python tools see (Go's image/jpeg rounds its IDCT and upsamples chroma
// differently).
func decodeJPEG(data []byte) (image.Image, error) {
	pix, w, h, c, err := jpeg.DecodeRGBOptions(data, &jpeg.Options{Turbo: true})
	if err != nil {
		return nil, err
	}
	if c == 1 {
		return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, j := 0, 0; i < len(pix); i, j = i+3, j+4 {
		m.Pix[j], m.Pix[j+1], m.Pix[j+2], m.Pix[j+3] = pix[i], pix[i+1], pix[i+2], 255
	}
	return m, nil
}

// decodeError wraps a decoder's complaint with the file name, and with the
// format where the decoder's message does not say it (image/png reports a
// truncated file as a bare "unexpected EOF").
func decodeError(name, format string, err error) error {
	if errors.Is(err, image.ErrFormat) {
		return fmt.Errorf("imagefile: %s: not a PNG, JPEG, GIF, BMP, TIFF or WebP file: %w", name, err)
	}
	if format != "" && !strings.HasPrefix(err.Error(), format+":") {
		return fmt.Errorf("imagefile: %s: %s: %w", name, format, err)
	}
	return fmt.Errorf("imagefile: %s: %w", name, err)
}

// resize scales m, an *image.Gray or opaque *image.RGBA, to n×n and returns
// the same kind of image.
func resize(m image.Image, n int, filter imaging.ResampleFilter) image.Image {
	out := imaging.Resize(m, n, n, filter)
	if _, ok := m.(*image.Gray); ok {
		// imaging works in NRGBA; the three colour channels stay equal
		// because each is filtered with the same weights.
		g := image.NewGray(image.Rect(0, 0, n, n))
		for i := range g.Pix {
			g.Pix[i] = out.Pix[4*i]
		}
		return g
	}
	// An opaque source stays opaque, but set alpha anyway so that the
	// A = 255 guarantee does not rest on floating-point rounding.
	for i := 3; i < len(out.Pix); i += 4 {
		out.Pix[i] = 255
	}
	return &image.RGBA{Pix: out.Pix, Stride: out.Stride, Rect: out.Rect}
}
