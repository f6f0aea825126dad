// Package cifar reads the small labelled datasets of 32×32 colour images
// that the original dataset_tool.py packs (docs/sources.md#cifar-10-and-cifar-100
// and #svhn): the CIFAR-10 and CIFAR-100 training sets, and SVHN in NVIDIA's
// pickles or the official train_32x32.mat. It follows the original's
// create_cifar10, create_cifar100 and create_svhn in what it reads and
// checks, and Alex Krizhevsky's description of the CIFAR files
// (https://www.cs.toronto.edu/~kriz/cifar.html) for the archives and the
// binary version.
//
// CIFAR-10 is read from data_batch_1 … data_batch_5 of the "python version",
// pickles of a dict whose 'data' is a uint8 ndarray of 10000×3072 (1024 red,
// 1024 green, 1024 blue bytes per image, rows of 32: already CHW) and whose
// 'labels' is a list of ints; CIFAR-100 from the pickle train, using 'data'
// and 'fine_labels'; SVHN from train_1.pkl … train_3.pkl, each a pickle of
// (images uint8 (n, 3, 32, 32), labels (n,)). The pickles are decoded by
// package internal/pickle, which builds no Python objects beyond these.
// CIFAR-10 and CIFAR-100 are also read from the "binary version":
// data_batch_1.bin … data_batch_5.bin, records of 1 label byte and 3072
// pixels, and train.bin, records of a coarse and a fine label byte and 3072
// pixels.
//
// The original asserts that the labels are int32, which fails on Linux,
// where numpy makes int64 of a list of ints; this package accepts labels of
// any integer type and checks their range instead.
package cifar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gzip "github.com/klauspost/compress/gzip"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/pickle"
	"github.com/progan/progan/internal/shuffled"
	"github.com/progan/progan/planar"
)

// ErrPartial is wrapped by Check's error for a set with fewer images than
// the full dataset when a subset is not allowed.
var ErrPartial = errors.New("not the whole dataset")

const (
	// CIFARImages is the number of training images of CIFAR-10 and of
	// CIFAR-100.
	CIFARImages = 50000
	// SVHNImages is the number of SVHN training images the original expects.
	SVHNImages = 73257
	// ImageBytes is the size of one 3×32×32 image.
	ImageBytes = 3 * 32 * 32
)

// The largest a batch file or archive member can be, about twice the real
// ones (a CIFAR-10 batch has 31 MB, SVHN's train_1.pkl about 80 MB,
// CIFAR-100's train 155 MB), checked from the file's size or the member's
// header before anything is read: a member of a gibibyte of zeros (23 MB
// as a tar.gz) costs nothing.
const (
	maxCIFAR10Batch  = 64 << 20
	maxCIFAR100Batch = 320 << 20
	maxSVHNBatch     = 160 << 20
)

// Dataset is a labelled set of 3×32×32 images, each in CHW order.
type Dataset struct {
	Pix     []byte   // Len()×ImageBytes bytes
	Labels  []int    // one per image, 0 ≤ label < Classes
	Classes int      // 10 or 100
	Sources []string // the files read, in order: the batch files or the archive
	Batches []string // the batches read, in order: file paths, or "archive:member" for archive members

	counts []int // images of each of Batches, for messages
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Pix) / ImageBytes }

// Image returns image i, sharing memory with d.Pix.
func (d *Dataset) Image(i int) *planar.Image {
	pix := d.Pix[i*ImageBytes : (i+1)*ImageBytes : (i+1)*ImageBytes]
	return &planar.Image{Channels: 3, Size: 32, Pix: pix}
}

// OneHot returns the label of image i as a one-hot float32 row of Classes
// columns. (The original's has max(label)+1 columns: the same whenever the
// set holds an image of the last class, as the full datasets do.)
func (d *Dataset) OneHot(i int) []float32 {
	row := make([]float32, d.Classes)
	row[d.Labels[i]] = 1
	return row
}

// Check applies the original's checks: want images (unless allowPartial),
// pixel values spanning 0 to 255 and labels in range. Errors name the
// batch files (and the image within its batch).
func (d *Dataset) Check(want int, allowPartial bool) error {
	n := d.Len()
	if len(d.Pix) != n*ImageBytes || len(d.Labels) != n {
		return fmt.Errorf("cifar: %s: %d pixel bytes and %d labels do not make whole %d-byte images", d.files(), len(d.Pix), len(d.Labels), ImageBytes)
	}
	c := shuffled.Check[int]{N: n, Want: want, AllowPartial: allowPartial, EmptyFirst: true,
		Pix: d.Pix, Labels: d.Labels, Classes: d.Classes,
		Empty: func() error { return fmt.Errorf("cifar: %s: no images", d.files()) },
		Partial: func() error {
			return fmt.Errorf("cifar: %d images in %s, want %d: %w", n, d.files(), want, ErrPartial)
		},
		Pixels: func(lo, hi byte) error {
			return fmt.Errorf("cifar: %s: pixel values span %d..%d, want 0..255", d.files(), lo, hi)
		},
		Label: func(i, l int) error {
			return fmt.Errorf("cifar: %s: label %d out of range 0..%d", d.where(i), l, d.Classes-1)
		},
	}
	return c.Run()
}

// files names the batches read, or the sources when the batches are not
// known.
func (d *Dataset) files() string {
	names := d.Batches
	if len(names) == 0 {
		names = d.Sources
	}
	if len(names) == 0 {
		return "the dataset"
	}
	return strings.Join(names, ", ")
}

// where names image i: its batch and its index there.
func (d *Dataset) where(i int) string {
	if len(d.counts) == len(d.Batches) {
		for b, n := range d.counts {
			if i < n {
				return fmt.Sprintf("%s: image %d", d.Batches[b], i)
			}
			i -= n
		}
	}
	return fmt.Sprintf("%s: image %d", d.files(), i)
}

// A format is one layout of a dataset's training files.
type format struct {
	dir     string   // the folder the archive unpacks to
	archive string   // the name of the downloaded archive
	batches []string // the files, in order
	maxSize int64    // the largest a batch can be
	// start checks a batch from its size and first bytes before it is
	// read whole.
	start func(head []byte, size int64) error
	// parse reads one batch; name is for messages.
	parse func(name string, b []byte) (pix []byte, labels []int, err error)
}

var (
	cifar10Python = format{"cifar-10-batches-py", "cifar-10-python.tar.gz",
		[]string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"}, maxCIFAR10Batch, pickleStart,
		func(name string, b []byte) ([]byte, []int, error) { return parseCIFAR(name, b, "labels", 10) }}
	cifar10Binary = format{"cifar-10-batches-bin", "cifar-10-binary.tar.gz",
		[]string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}, maxCIFAR10Batch, binaryStart(1, 10),
		func(name string, b []byte) ([]byte, []int, error) { return parseBinary(name, b, 1, 10) }}
	cifar100Python = format{"cifar-100-python", "cifar-100-python.tar.gz", []string{"train"}, maxCIFAR100Batch, pickleStart,
		func(name string, b []byte) ([]byte, []int, error) { return parseCIFAR(name, b, "fine_labels", 100) }}
	cifar100Binary = format{"cifar-100-binary", "cifar-100-binary.tar.gz", []string{"train.bin"}, maxCIFAR100Batch, binaryStart(2, 100),
		func(name string, b []byte) ([]byte, []int, error) { return parseBinary(name, b, 2, 100) }}
	svhnPickles = format{batches: []string{"train_1.pkl", "train_2.pkl", "train_3.pkl"}, maxSize: maxSVHNBatch, start: pickleStart, parse: parseSVHN}
)

// ReadCIFAR10 reads the 50 000 CIFAR-10 training images and their labels.
// path is the folder cifar-10-batches-py or cifar-10-batches-bin, a folder
// holding one of those or the downloaded archive, the archive
// cifar-10-python.tar.gz or cifar-10-binary.tar.gz itself (read without
// unpacking it), or a single batch file. Missing batches are skipped: the
// result holds those found, in order, and Check decides whether that is
// enough.
func ReadCIFAR10(path string) (*Dataset, error) {
	return read(path, "CIFAR-10", 10, cifar10Python, cifar10Binary)
}

// ReadCIFAR100 reads the 50 000 CIFAR-100 training images and their fine
// labels from the file train (or train.bin) of cifar-100-python (or
// cifar-100-binary), found as ReadCIFAR10 finds its batches.
func ReadCIFAR100(path string) (*Dataset, error) {
	return read(path, "CIFAR-100", 100, cifar100Python, cifar100Binary)
}

// ReadSVHN reads the SVHN training images and labels: NVIDIA's pickles
// train_1.pkl, train_2.pkl and train_3.pkl in the folder path (or one of
// them), as the original's create_svhn does, with labels already 0..9; or,
// when there are none, the official release train_32x32.mat (path may name
// it), whose label 10 for the digit 0 becomes 0 and whose images are
// transposed to CHW, giving the same dataset.
func ReadSVHN(path string) (*Dataset, error) {
	if filepath.Ext(path) == ".mat" {
		return readSVHNMat(path)
	}
	d, err := read(path, "SVHN", 10, svhnPickles)
	if errors.Is(err, errNoData) {
		if mat := svhnMatPath(path); mat != "" {
			return readSVHNMat(mat)
		}
	}
	return d, err
}

// errNoData is wrapped by the errors that report no batch at all.
var errNoData = errors.New("no training data")

// A batch is what one file contributed.
type batch struct {
	name   string
	pix    []byte
	labels []int
}

func read(p, what string, classes int, formats ...format) (*Dataset, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	if !st.IsDir() {
		return readFile(p, what, classes, formats)
	}
	// The unpacked folder itself, then the folder holding it, then the
	// downloaded archive.
	for _, f := range formats {
		if d, err := readDir(p, f, classes); d != nil || err != nil {
			return d, err
		}
	}
	for _, f := range formats {
		sub := filepath.Join(p, f.dir)
		if st, err := os.Stat(sub); f.dir == "" || err != nil || !st.IsDir() {
			continue
		}
		if d, err := readDir(sub, f, classes); d != nil || err != nil {
			return d, err
		}
	}
	for _, f := range formats {
		if f.archive == "" {
			continue
		}
		a := filepath.Join(p, f.archive)
		if st, err := os.Stat(a); err == nil && st.Mode().IsRegular() {
			return readFile(a, what, classes, formats)
		}
	}
	return nil, fmt.Errorf("cifar: %s: %w for %s: looked for %s", p, errNoData, what, lookedFor(formats))
}

// lookedFor lists the names read searches a folder for.
func lookedFor(formats []format) string {
	var names []string
	span := func(b []string) string {
		if len(b) == 1 {
			return b[0]
		}
		return b[0] + ".." + b[len(b)-1]
	}
	for _, f := range formats {
		names = append(names, span(f.batches))
	}
	for _, f := range formats {
		if f.dir != "" {
			names = append(names, f.dir+"/"+span(f.batches))
		}
	}
	for _, f := range formats {
		if f.archive != "" {
			names = append(names, f.archive)
		}
	}
	return strings.Join(names, ", ")
}

// readDir reads the batches of format f present in dir into a Dataset,
// returning nil and no error if there are none. Each file's pixels are
// copied into the result as soon as it is parsed, so that only one file is
// held in memory at a time.
func readDir(dir string, f format, classes int) (*Dataset, error) {
	var paths []string
	var total int64
	for _, name := range f.batches {
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cifar: %w", err)
		}
		if st.Size() > f.maxSize {
			return nil, tooLarge(p, st.Size(), f.maxSize)
		}
		paths = append(paths, p)
		total += st.Size() // a little more than the pixels they hold
	}
	if paths == nil {
		return nil, nil
	}
	d := &Dataset{Classes: classes}
	for _, p := range paths {
		b, err := readBatchFile(p, f)
		if err != nil {
			return nil, err
		}
		pix, labels, err := f.parse(p, b)
		if err != nil {
			return nil, err
		}
		if d.Pix == nil {
			// Sized once the first batch has proved to be one.
			d.Pix = make([]byte, 0, total)
		}
		d.add(batch{p, pix, labels}, true)
	}
	return d, nil
}

// readBatchFile reads the batch file p of format f, which must be a
// regular file: a named pipe would block the read.
func readBatchFile(p string, f format) ([]byte, error) {
	fh, st, err := imagefile.OpenRegular(p)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	defer fh.Close()
	return readBatch(p, fh, st.Size(), f)
}

// readBatch reads a batch of size bytes from r, checking its size and its
// first bytes before reading it whole; name is for messages.
func readBatch(name string, r io.Reader, size int64, f format) ([]byte, error) {
	if size > f.maxSize {
		return nil, tooLarge(name, size, f.maxSize)
	}
	head := make([]byte, min(size, 16))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, fmt.Errorf("cifar: %s: %w", name, noEOF(err))
	}
	if err := f.start(head, size); err != nil {
		return nil, fmt.Errorf("cifar: %s: %w", name, err)
	}
	b, err := readMember(io.MultiReader(bytes.NewReader(head), r), size)
	if err != nil {
		return nil, fmt.Errorf("cifar: %s: %w", name, err)
	}
	return b, nil
}

func tooLarge(name string, size, limit int64) error {
	return fmt.Errorf("cifar: %s: %d bytes, more than a batch of this dataset can be (%d MiB)", name, size, limit>>20)
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// pickleStart accepts what a pickle of the protocols Python writes starts
// with: PROTO 2 to 5, or the opening of a protocol 0 or 1 container.
func pickleStart(head []byte, _ int64) error {
	switch {
	case len(head) >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5:
		return nil
	case len(head) >= 1 && strings.IndexByte("(}])c", head[0]) >= 0:
		return nil
	}
	return fmt.Errorf("not a pickle (starts with % x)", head[:min(len(head), 8)])
}

// binaryStart checks a file of the binary version: whole records, and
// the first record's labels in range.
func binaryStart(labelBytes, classes int) func([]byte, int64) error {
	return func(head []byte, size int64) error {
		rec := int64(labelBytes + ImageBytes)
		if size%rec != 0 {
			return fmt.Errorf("%d bytes, not a whole number of %d-byte records", size, rec)
		}
		if len(head) < labelBytes {
			return nil // empty
		}
		if labelBytes == 2 && head[0] >= 20 {
			return fmt.Errorf("record 0: coarse label %d out of range 0..19", head[0])
		}
		if l := int(head[labelBytes-1]); l >= classes {
			return fmt.Errorf("record 0: label %d out of range 0..%d", l, classes-1)
		}
		return nil
	}
}

// readFile reads a file given by name: an archive (gzip-compressed or not)
// or one batch file.
func readFile(p, what string, classes int, formats []format) (*Dataset, error) {
	fh, st, err := imagefile.OpenRegular(p)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 1<<16)
	head, _ := br.Peek(512)
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("cifar: %s: %w", p, err)
		}
		defer zr.Close()
		return readTar(p, what, classes, formats, zr)
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return readTar(p, what, classes, formats, br)
	}
	base := filepath.Base(p)
	for _, f := range formats {
		for _, name := range f.batches {
			if name != base {
				continue
			}
			b, err := readBatch(p, br, st.Size(), f)
			if err != nil {
				return nil, err
			}
			pix, labels, err := f.parse(p, b)
			return assemble([]batch{{p, pix, labels}}, classes, nil, err)
		}
	}
	return nil, fmt.Errorf("cifar: %s: not a folder, a tar archive or a %s batch file (%s)", p, what, lookedFor(formats))
}

// readTar reads the batches of the first format that has any among the
// members of a tar stream, parsing each as it arrives and keeping only the
// results.
func readTar(archive, what string, classes int, formats []format, r io.Reader) (*Dataset, error) {
	found := make([]map[int]batch, len(formats))
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			// Read what follows the end of the archive too, so that gzip
			// checks its checksum.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return nil, fmt.Errorf("cifar: %s: %w", archive, err)
			}
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cifar: %s: %w", archive, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		fi, bi := member(h.Name, formats)
		if fi < 0 {
			continue
		}
		name := archive + ":" + h.Name
		if found[fi] == nil {
			found[fi] = make(map[int]batch)
		}
		if prev, ok := found[fi][bi]; ok {
			return nil, fmt.Errorf("cifar: %s: two members %s and %s", archive, strings.TrimPrefix(prev.name, archive+":"), h.Name)
		}
		b, err := readBatch(name, tr, h.Size, formats[fi])
		if err != nil {
			return nil, err
		}
		pix, labels, err := formats[fi].parse(name, b)
		if err != nil {
			return nil, err
		}
		found[fi][bi] = batch{name, pix, labels}
	}
	for fi, m := range found {
		if m == nil {
			continue
		}
		var bs []batch
		for bi := range formats[fi].batches {
			if b, ok := m[bi]; ok {
				bs = append(bs, b)
			}
		}
		return assemble(bs, classes, []string{archive}, nil)
	}
	return nil, fmt.Errorf("cifar: %s: %w for %s in the archive: looked for %s", archive, errNoData, what, lookedFor(formats))
}

// member reports which format and batch an archive member is, by its base
// name, or -1.
func member(name string, formats []format) (fi, bi int) {
	base := path.Base(name)
	for fi, f := range formats {
		for bi, b := range f.batches {
			if b == base {
				return fi, bi
			}
		}
	}
	return -1, -1
}

// readMember reads size bytes. Beyond 64 MiB it doubles its buffer as the
// bytes arrive, so that a header claiming more than the archive holds
// costs little.
func readMember(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, min(size, 64<<20))
	n := 0
	for int64(n) < size {
		if n == len(b) {
			nb := make([]byte, min(2*int64(len(b)), size))
			copy(nb, b)
			b = nb
		}
		m, err := r.Read(b[n:])
		n += m
		if err == io.EOF {
			if int64(n) < size {
				return nil, io.ErrUnexpectedEOF
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// assemble concatenates the batches in order.
func assemble(bs []batch, classes int, sources []string, err error) (*Dataset, error) {
	if err != nil {
		return nil, err
	}
	n := 0
	for _, b := range bs {
		n += len(b.pix)
	}
	d := &Dataset{Pix: make([]byte, 0, n), Classes: classes, Sources: sources}
	for _, b := range bs {
		d.add(b, sources == nil)
	}
	return d, nil
}

// add appends a batch to d; source says whether its name is a file to list
// in d.Sources.
func (d *Dataset) add(b batch, source bool) {
	d.Pix = append(d.Pix, b.pix...)
	d.Labels = append(d.Labels, b.labels...)
	d.Batches = append(d.Batches, b.name)
	d.counts = append(d.counts, len(b.labels))
	if source {
		d.Sources = append(d.Sources, b.name)
	}
}

// parseCIFAR reads a CIFAR python batch: a dict with 'data', a uint8 array
// of n×3072 (or n×3×32×32), and the labels under labelKey.
func parseCIFAR(name string, b []byte, labelKey string, classes int) ([]byte, []int, error) {
	v, err := pickle.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("cifar: %s: %w", name, err)
	}
	d, ok := v.(*pickle.Dict)
	if !ok {
		return nil, nil, fmt.Errorf("cifar: %s: a %s, want a dict with 'data' and '%s'", name, pickle.TypeName(v), labelKey)
	}
	data, ok := d.Get("data")
	if !ok {
		return nil, nil, fmt.Errorf("cifar: %s: no 'data' in the dict", name)
	}
	pix, n, err := images(name, "'data'", data, []int{-1, ImageBytes}, []int{-1, 3, 32, 32})
	if err != nil {
		return nil, nil, err
	}
	lv, ok := d.Get(labelKey)
	if !ok {
		return nil, nil, fmt.Errorf("cifar: %s: no '%s' in the dict", name, labelKey)
	}
	labels, err := labelList(name, "'"+labelKey+"'", lv, n, classes)
	if err != nil {
		return nil, nil, err
	}
	return pix, labels, nil
}

// parseSVHN reads one of NVIDIA's SVHN pickles: (images, labels).
func parseSVHN(name string, b []byte) ([]byte, []int, error) {
	v, err := pickle.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("cifar: %s: %w", name, err)
	}
	var pair []pickle.Value
	switch v := v.(type) {
	case pickle.Tuple:
		pair = v
	case *pickle.List:
		pair = v.Items
	}
	if len(pair) != 2 {
		return nil, nil, fmt.Errorf("cifar: %s: a %s, want a pair (images, labels)", name, describe(v))
	}
	pix, n, err := images(name, "images", pair[0], []int{-1, 3, 32, 32})
	if err != nil {
		return nil, nil, err
	}
	labels, err := labelList(name, "labels", pair[1], n, 10)
	if err != nil {
		return nil, nil, err
	}
	return pix, labels, nil
}

func describe(v pickle.Value) string {
	switch v := v.(type) {
	case pickle.Tuple:
		return fmt.Sprintf("tuple of %d", len(v))
	case *pickle.List:
		return fmt.Sprintf("list of %d", len(v.Items))
	}
	return pickle.TypeName(v)
}

// images returns the pixels of a uint8 array of one of the given shapes,
// where -1 stands for any number of images, and the number of images.
func images(name, what string, v pickle.Value, shapes ...[]int) ([]byte, int, error) {
	want := "(n"
	for _, d := range shapes[0][1:] {
		want += ", " + strconv.Itoa(d)
	}
	want += ")"
	a, ok := v.(*pickle.Array)
	if !ok {
		return nil, 0, fmt.Errorf("cifar: %s: %s is a %s, want a uint8 ndarray of shape %s", name, what, pickle.TypeName(v), want)
	}
	if !slices.ContainsFunc(shapes, func(s []int) bool { return matches(a.Shape, s) }) || a.Dtype.Kind != 'u' || a.Dtype.Size != 1 {
		return nil, 0, fmt.Errorf("cifar: %s: %s is an ndarray of dtype %s and shape %v, want uint8 of shape %s", name, what, a.Dtype, a.Shape, want)
	}
	pix, err := a.Uint8()
	if err != nil {
		return nil, 0, fmt.Errorf("cifar: %s: %s: %w", name, what, err)
	}
	return pix, a.Shape[0], nil
}

func matches(shape, pattern []int) bool {
	if len(shape) != len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p >= 0 && shape[i] != p {
			return false
		}
	}
	return true
}

// labelList returns n labels of any integer type, each below classes.
func labelList(name, what string, v pickle.Value, n, classes int) ([]int, error) {
	ls, err := pickle.Ints(v)
	if err != nil {
		return nil, fmt.Errorf("cifar: %s: %s: %w", name, what, err)
	}
	if len(ls) != n {
		return nil, fmt.Errorf("cifar: %s: %d images but %d labels", name, n, len(ls))
	}
	out := make([]int, n)
	for i, l := range ls {
		if l < 0 || l >= int64(classes) {
			return nil, fmt.Errorf("cifar: %s: record %d: label %d out of range 0..%d", name, i, l, classes-1)
		}
		out[i] = int(l)
	}
	return out, nil
}

// parseBinary reads a file of the binary version: records of labelBytes
// label bytes (the last one is the label used; CIFAR-100's first is the
// coarse label, 0..19) and ImageBytes pixels.
func parseBinary(name string, b []byte, labelBytes, classes int) ([]byte, []int, error) {
	rec := labelBytes + ImageBytes
	if len(b)%rec != 0 {
		return nil, nil, fmt.Errorf("cifar: %s: %d bytes, not a whole number of %d-byte records", name, len(b), rec)
	}
	n := len(b) / rec
	pix := make([]byte, n*ImageBytes)
	labels := make([]int, n)
	for i := range n {
		r := b[i*rec : (i+1)*rec]
		if labelBytes == 2 && r[0] >= 20 {
			return nil, nil, fmt.Errorf("cifar: %s: record %d: coarse label %d out of range 0..19", name, i, r[0])
		}
		l := int(r[labelBytes-1])
		if l >= classes {
			return nil, nil, fmt.Errorf("cifar: %s: record %d: label %d out of range 0..%d", name, i, l, classes-1)
		}
		labels[i] = l
		copy(pix[i*ImageBytes:], r[labelBytes:])
	}
	return pix, labels, nil
}
