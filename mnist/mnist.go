// Package mnist reads the MNIST handwritten digits (the IDX files of
// yann.lecun.com, gzip-compressed or not) and builds the two datasets of
// the original dataset_tool.py (docs/sources.md#mnist):
// create_mnist, the 60 000 training digits zero-padded to 1×32×32 with
// one-hot labels, and create_mnistrgb, 3×32×32 images whose channels are
// three random digits drawn as numpy's RandomState(seed).randint(60000,
// size=3) draws them.
//
// The IDX headers are parsed and checked (magic number, element type, rank,
// counts) rather than skipped by a fixed offset as the original does, so a
// wrong or truncated file is reported instead of read as pixels. The same
// format carries Fashion-MNIST and KMNIST, which therefore load as well.
package mnist

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/nprand"
	"github.com/progan/progan/internal/shuffled"
	"github.com/progan/progan/planar"
)

// ErrPartial is wrapped by Check's error for a set with fewer images than
// the full dataset when a subset is not allowed.
var ErrPartial = errors.New("not the whole dataset")

// Images is the number of MNIST training images.
const Images = 60000

// Set holds MNIST digits in memory: N images of Rows×Cols bytes and their
// labels.
type Set struct {
	N, Rows, Cols int
	Pix           []byte   // N×Rows×Cols
	Labels        []uint8  // N, or nil when read without labels
	Sources       []string // the files read
}

// Files are the names ReadDir looks for, each also without ".gz".
var Files = [2]string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}

// ReadDir reads the training images and labels from dir.
func ReadDir(dir string) (*Set, error) {
	var s Set
	var err error
	var path string
	if s.Pix, s.N, s.Rows, s.Cols, path, err = readFile(dir, Files[0], 3); err != nil {
		return nil, err
	}
	s.Sources = append(s.Sources, path)
	var n int
	if s.Labels, n, _, _, path, err = readFile(dir, Files[1], 1); err != nil {
		return nil, err
	}
	s.Sources = append(s.Sources, path)
	if n != s.N {
		return nil, fmt.Errorf("mnist: %s has %d labels for the %d images of %s", s.Sources[1], n, s.N, s.Sources[0])
	}
	return &s, nil
}

// readFile opens name (or name without .gz) in dir and reads a uint8 IDX
// array of the given rank; path is the file it read. Only regular files
// are read: a named pipe would block.
func readFile(dir, name string, rank int) (data []byte, n, rows, cols int, path string, err error) {
	path = filepath.Join(dir, name)
	f, _, err := imagefile.OpenRegular(path)
	if errors.Is(err, os.ErrNotExist) {
		plain := path[:len(path)-len(".gz")]
		if _, err2 := os.Lstat(plain); err2 == nil {
			f, _, err = imagefile.OpenRegular(plain)
			path = plain
		}
	}
	if err != nil {
		return nil, 0, 0, 0, "", fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	data, dims, err := Read(f)
	if err != nil {
		return nil, 0, 0, 0, "", fmt.Errorf("mnist: %s: %w", path, err)
	}
	if len(dims) != rank {
		return nil, 0, 0, 0, "", fmt.Errorf("mnist: %s: %d dimensions, want %d", path, len(dims), rank)
	}
	n, rows, cols = dims[0], 1, 1
	if rank == 3 {
		rows, cols = dims[1], dims[2]
	}
	return data, n, rows, cols, path, nil
}

// Read reads one IDX array of unsigned bytes (element type 0x08) from r,
// which may be gzip-compressed, and returns its bytes and dimensions.
func Read(r io.Reader) (data []byte, dims []int, err error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, fmt.Errorf("reading the IDX header: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, fmt.Errorf("not an IDX file (magic %x)", head)
	}
	if head[2] != 0x08 {
		return nil, nil, fmt.Errorf("IDX element type 0x%02x, want 0x08 (unsigned byte)", head[2])
	}
	rank := int(head[3])
	if rank == 0 || rank > 4 {
		return nil, nil, fmt.Errorf("IDX rank %d, want 1 to 4", rank)
	}
	size := 1
	dims = make([]int, rank)
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("reading the IDX dimensions: %w", noEOF(err))
		}
		dims[i] = int(d)
		if d > 1<<28 || size*int(d) > 1<<31 {
			return nil, nil, fmt.Errorf("IDX dimensions %v too large", dims[:i+1])
		}
		size *= int(d)
	}
	// Grow as the data arrives so a lying header cannot make us allocate
	// more than the file holds (plus one chunk).
	data = make([]byte, 0, min(size, 1<<20))
	for len(data) < size {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := br.Read(data[len(data):min(cap(data), size)])
		data = data[:len(data)+n]
		if err == io.EOF && len(data) < size {
			return nil, nil, fmt.Errorf("truncated: %d of %d data bytes", len(data), size)
		}
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, nil, fmt.Errorf("data after the %d bytes the header announces", size)
		}
		return nil, nil, err
	}
	return data, dims, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Check applies the original's checks: 28×28 images, want images (unless
// allowPartial), pixel values spanning 0 to 255, labels 0..9. Errors name
// the file at fault.
func (s *Set) Check(want int, allowPartial bool) error {
	images, labels := s.source(0, "the images"), s.source(1, "the labels")
	if s.Rows != 28 || s.Cols != 28 {
		return fmt.Errorf("mnist: %s: images are %d×%d, want 28×28", images, s.Rows, s.Cols)
	}
	c := shuffled.Check[uint8]{N: s.N, Want: want, AllowPartial: allowPartial,
		Pix: s.Pix, Labels: s.Labels, Classes: 10,
		Empty: func() error { return fmt.Errorf("mnist: %s: no images", images) },
		Partial: func() error {
			return fmt.Errorf("mnist: %s: %d images, want %d: %w", images, s.N, want, ErrPartial)
		},
		Pixels: func(lo, hi byte) error {
			return fmt.Errorf("mnist: %s: pixel values span %d..%d, want 0..255 (not MNIST images?)", images, lo, hi)
		},
		Label: func(i, l int) error {
			return fmt.Errorf("mnist: %s: label %d of image %d out of range 0..9", labels, l, i)
		},
	}
	return c.Run()
}

// source names file i of Sources, or what when the set was not read from
// files.
func (s *Set) source(i int, what string) string {
	if i < len(s.Sources) {
		return s.Sources[i]
	}
	return what
}

// Pad is how many zero pixels surround each digit in the 32×32 images.
const Pad = 2

// Image returns image i zero-padded to 1×32×32.
func (s *Set) Image(i int) *planar.Image {
	m := planar.NewImage(1, s.Rows+2*Pad)
	s.draw(m.Pix, i)
	return m
}

func (s *Set) draw(dst []byte, i int) {
	side := s.Cols + 2*Pad
	src := s.Pix[i*s.Rows*s.Cols:]
	for y := range s.Rows {
		copy(dst[(y+Pad)*side+Pad:], src[y*s.Cols:(y+1)*s.Cols])
	}
}

// OneHot returns the label of image i as a one-hot float32 row of 10.
func (s *Set) OneHot(i int) []float32 {
	row := make([]float32, 10)
	row[s.Labels[i]] = 1
	return row
}

// rgb returns the next create_mnistrgb image: three digits drawn with
// rs.randint(N, size=3), padded, as the R, G and B channels.
func (s *Set) rgb(rs *nprand.RandomState) *planar.Image {
	m := planar.NewImage(3, s.Rows+2*Pad)
	plane := len(m.Pix) / 3
	for c := range 3 {
		s.draw(m.Pix[c*plane:(c+1)*plane], int(rs.Randint(0, int64(s.N))))
	}
	return m
}
