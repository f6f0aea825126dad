package pyramid

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/pgzip"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid/internal/tfrecord"
)

// Dataset is an open dataset folder, written by this package or by the
// original tool (which leaves no manifest or index: the reader then finds
// the tiers as the original reader does and indexes them by one scan).
type Dataset struct {
	Dir        string
	Resolution int
	Channels   int
	Images     int       // records in the full-resolution tier
	LabelSize  int       // 0 when the dataset has no labels
	LabelFile  string    // path of the labels file, "" when none
	Manifest   *Manifest // nil for datasets of the original tool
	Tiers      []*Tier   // highest resolution first

	labelsOnce sync.Once
	labels     *Labels
	labelsErr  error
}

// Labels is a dataset's label matrix: Rows rows, one per record of the
// full-resolution tier in record order, of Cols float32 values each,
// stored row after row in Data (len(Data) = Rows·Cols).
type Labels struct {
	Rows, Cols int
	Data       []float32
}

// Row returns row i of l. The result shares storage with l.Data; its
// capacity ends at the end of the row. Row panics if i is not in
// [0, l.Rows).
func (l *Labels) Row(i int) []float32 {
	if i < 0 || i >= l.Rows {
		panic(fmt.Sprintf("pyramid: label row %d out of range [0, %d)", i, l.Rows))
	}
	lo, hi := i*l.Cols, (i+1)*l.Cols
	return l.Data[lo:hi:hi]
}

// Tier is one record file.
type Tier struct {
	Resolution  int
	Path        string
	Records     int
	Bytes       int64
	Compression Compression

	f     *os.File
	index *tierIndex // nil for compressed tiers
}

// Record is one image of a tier, with its index and label row (nil when
// the dataset has no labels).
type Record struct {
	Index int
	Image *planar.Image
	Label []float32
}

// ErrCompressed reports random access to a compressed tier.
var ErrCompressed = errors.New("tier is compressed: random access needs an uncompressed tier (stream it in order, or pack it uncompressed)")

// Open opens the dataset in dir. Like the original reader it takes every
// *.tfrecords file, the resolution from the largest, and requires every
// tier from there down to 4×4; labels are the first *.labels file.
func Open(dir string) (*Dataset, error) {
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, perr := os.Stat(PartialDir(dir)); perr == nil {
				return nil, fmt.Errorf("pyramid: %s does not exist, but %s does: an interrupted run left it; run the command again to restart", dir, PartialDir(dir))
			}
		}
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	d := &Dataset{Dir: dir}
	mpath := filepath.Join(dir, ManifestFile)
	if _, err := os.Stat(mpath); err == nil {
		m, err := readManifest(mpath)
		if err != nil {
			return nil, fmt.Errorf("pyramid: %w", err)
		}
		d.Manifest = m
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.tfrecords"))
	if err != nil {
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("pyramid: %s: no .tfrecords files: not a dataset", dir)
	}
	sort.Strings(files)
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()
	for _, path := range files {
		t, c, err := openTier(path)
		if err != nil {
			return nil, fmt.Errorf("pyramid: %w", err)
		}
		if d.Channels == 0 {
			d.Channels = c
		} else if c != d.Channels {
			return nil, fmt.Errorf("pyramid: %s: %d channels, other tiers have %d", path, c, d.Channels)
		}
		d.Tiers = append(d.Tiers, t)
	}
	slices.SortFunc(d.Tiers, func(a, b *Tier) int { return b.Resolution - a.Resolution })
	d.Resolution = d.Tiers[0].Resolution
	for i, t := range d.Tiers {
		want := d.Resolution >> i
		if t.Resolution != want {
			if t.Resolution == d.Tiers[i-1].Resolution {
				return nil, fmt.Errorf("pyramid: %s and %s both hold %d×%d records", d.Tiers[i-1].Path, t.Path, want*2, want*2)
			}
			return nil, fmt.Errorf("pyramid: %s: incomplete dataset: no tier of %d×%d", dir, want, want)
		}
	}
	if last := d.Tiers[len(d.Tiers)-1].Resolution; last != 4 {
		return nil, fmt.Errorf("pyramid: %s: incomplete dataset: no tier of %d×%d", dir, last/2, last/2)
	}
	if err := d.index(); err != nil {
		return nil, err
	}
	d.Images = d.Tiers[0].Records
	labels, err := filepath.Glob(filepath.Join(dir, "*.labels"))
	if err != nil {
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	if len(labels) > 0 {
		sort.Strings(labels)
		d.LabelFile = labels[0]
		h, err := readNpyHeader(d.LabelFile)
		if err != nil {
			return nil, fmt.Errorf("pyramid: %w", err)
		}
		if len(h.Shape) != 2 {
			return nil, fmt.Errorf("pyramid: %s: labels must be a 2-D array, shape is %v", d.LabelFile, h.Shape)
		}
		d.LabelSize = h.Shape[1]
	}
	if m := d.Manifest; m != nil {
		if m.Resolution != d.Resolution || m.Channels != d.Channels || m.Images != d.Images {
			return nil, fmt.Errorf("pyramid: %s: manifest says %d images of %d×%d×%d, files hold %d of %d×%d×%d",
				dir, m.Images, m.Channels, m.Resolution, m.Resolution, d.Images, d.Channels, d.Resolution, d.Resolution)
		}
	}
	ok = true
	return d, nil
}

func readNpyHeader(path string) (npy.Header, error) {
	f, _, err := imagefile.OpenRegular(path)
	if err != nil {
		return npy.Header{}, err
	}
	defer f.Close()
	h, err := npy.ReadHeader(bufio.NewReader(f))
	if err != nil {
		return h, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// openTier opens one record file, finds its compression and reads its
// first record for the shape.
func openTier(path string) (*Tier, int, error) {
	// A regular file only: a FIFO or device would block or never end.
	f, st, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, 0, err
	}
	t := &Tier{Path: path, Bytes: st.Size(), f: f}
	var head [tfrecord.HeaderLen]byte
	n, _ := f.ReadAt(head[:], 0)
	switch {
	case n == len(head) && tfrecord.ValidHeader(head[:]):
		t.Compression = None
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		t.Compression = Gzip
	case n >= 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0:
		t.Compression = Zlib
	case n == 0:
		f.Close()
		return nil, 0, fmt.Errorf("%s: empty record file", path)
	default:
		f.Close()
		return nil, 0, fmt.Errorf("%s: not a TFRecord file (bad first frame header)", path)
	}
	rc, err := t.stream()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	defer rc.Close()
	p, err := tfrecord.NewReader(rc, 0).Next()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: record 0: %w", path, err)
	}
	img, err := decodeRecord(p)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: record 0: %w", path, err)
	}
	t.Resolution = img.Size
	return t, img.Channels, nil
}

// stream returns the uncompressed record stream of the tier from its start.
func (t *Tier) stream() (io.ReadCloser, error) {
	return decompress(io.NewSectionReader(t.f, 0, t.Bytes), t.Compression, t.Path)
}

// decompress returns the record stream inside the bytes of a tier file.
func decompress(r io.Reader, c Compression, path string) (io.ReadCloser, error) {
	switch c {
	case Gzip:
		zr, err := pgzip.NewReader(bufio.NewReaderSize(r, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return zr, nil
	case Zlib:
		zr, err := zlib.NewReader(bufio.NewReaderSize(r, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return zr, nil
	}
	return io.NopCloser(r), nil
}

// decodeRecord parses one Example into an image.
func decodeRecord(p []byte) (*planar.Image, error) {
	shape, data, err := tfrecord.ParseExample(p)
	if err != nil {
		return nil, err
	}
	if len(shape) != 3 {
		return nil, fmt.Errorf("shape %v is not [C, H, W]", shape)
	}
	c, h, w := shape[0], shape[1], shape[2]
	if c != 1 && c != 3 || h != w || h < 1 || h > 1<<16 {
		return nil, fmt.Errorf("shape %v: want [1 or 3, R, R]", shape)
	}
	if int64(len(data)) != c*h*w {
		return nil, fmt.Errorf("shape %v needs %d bytes, record has %d", shape, c*h*w, len(data))
	}
	return &planar.Image{Channels: int(c), Size: int(h), Pix: append([]byte(nil), data...)}, nil
}

// index loads the index sidecar, or builds the index by one scan.
func (d *Dataset) index() error {
	if d.Manifest != nil {
		if b, err := imagefile.ReadRegular(filepath.Join(d.Dir, IndexFile), maxMetaBytes); err == nil {
			if idx, err := readIndex(b); err == nil && d.useIndex(idx) {
				return nil
			}
		}
	}
	records := map[string]int{}
	if d.Manifest != nil {
		for _, e := range d.Manifest.Files {
			records[e.Name] = e.Records
		}
	}
	for _, t := range d.Tiers {
		// A compressed tier can only be counted by decompressing it: trust
		// the manifest's count (Verify checks it).
		if n, ok := records[filepath.Base(t.Path)]; ok && t.Compression != None {
			t.Records = n
			continue
		}
		if err := t.scan(); err != nil {
			return fmt.Errorf("pyramid: %w", err)
		}
	}
	return nil
}

// useIndex adopts idx if it matches the files on disk.
func (d *Dataset) useIndex(idx []tierIndex) bool {
	byRes, ok := d.matchIndex(idx)
	if !ok {
		return false
	}
	for _, t := range d.Tiers {
		t.index = byRes[t.Resolution]
		t.Records = t.index.records
	}
	return true
}

// matchIndex reports whether idx covers every tier and fits the files on
// disk, and returns its entries by resolution.
func (d *Dataset) matchIndex(idx []tierIndex) (map[int]*tierIndex, bool) {
	byRes := map[int]*tierIndex{}
	for i := range idx {
		byRes[idx[i].resolution] = &idx[i]
	}
	for _, t := range d.Tiers {
		ti := byRes[t.Resolution]
		if t.Compression != None || ti == nil || ti.records == 0 {
			return nil, false
		}
		last := ti.offset(ti.records - 1)
		if ti.stride > 0 && last+ti.stride != t.Bytes || ti.stride == 0 && last >= t.Bytes {
			return nil, false
		}
	}
	return byRes, true
}

// scan counts the records of a tier; for an uncompressed tier it hops
// from header to header and keeps the offsets.
func (t *Tier) scan() error {
	if t.Compression != None {
		rc, err := t.stream()
		if err != nil {
			return err
		}
		defer rc.Close()
		r := tfrecord.NewReader(rc, 0)
		n := 0
		for {
			if _, err := r.Skip(); err == io.EOF {
				break
			} else if err != nil {
				return fmt.Errorf("%s: record %d: %w", t.Path, n, err)
			}
			n++
		}
		t.Records = n
		return nil
	}
	var offsets []int64
	var head [tfrecord.HeaderLen]byte
	for off := int64(0); off < t.Bytes; {
		if _, err := t.f.ReadAt(head[:], off); err != nil {
			return fmt.Errorf("%s: record %d at offset %d: truncated header", t.Path, len(offsets), off)
		}
		if !tfrecord.ValidHeader(head[:]) {
			return fmt.Errorf("%s: record %d at offset %d: %w", t.Path, len(offsets), off, tfrecord.ErrCorrupt)
		}
		n := int64(binary.LittleEndian.Uint64(head[:8]))
		next := off + tfrecord.HeaderLen + n + tfrecord.FooterLen
		if n < 0 || next > t.Bytes {
			return fmt.Errorf("%s: record %d at offset %d: truncated (file ends at %d)", t.Path, len(offsets), off, t.Bytes)
		}
		offsets = append(offsets, off)
		off = next
	}
	ti := &tierIndex{resolution: t.Resolution, records: len(offsets), offsets: offsets}
	if n := int64(len(offsets)); n > 0 && t.Bytes%n == 0 {
		stride := t.Bytes / n
		regular := true
		for i, off := range offsets {
			regular = regular && off == int64(i)*stride
		}
		if regular {
			ti.stride, ti.offsets = stride, nil
		}
	}
	t.index, t.Records = ti, len(offsets)
	return nil
}

// Tier returns the tier of resolution res.
func (d *Dataset) Tier(res int) (*Tier, error) {
	for _, t := range d.Tiers {
		if t.Resolution == res {
			return t, nil
		}
	}
	return nil, fmt.Errorf("pyramid: %s: no tier of resolution %d (have %d down to 4)", d.Dir, res, d.Resolution)
}

// Image returns record i of the tier of resolution res.
func (d *Dataset) Image(res, i int) (*planar.Image, error) {
	t, err := d.Tier(res)
	if err != nil {
		return nil, err
	}
	return t.Image(i)
}

// Image returns record i of the tier. Compressed tiers have no random
// access (ErrCompressed).
func (t *Tier) Image(i int) (*planar.Image, error) {
	if t.index == nil {
		return nil, fmt.Errorf("pyramid: %s: %w", t.Path, ErrCompressed)
	}
	if i < 0 || i >= t.Records {
		return nil, fmt.Errorf("pyramid: %s: record %d out of range [0, %d)", t.Path, i, t.Records)
	}
	off := t.index.offset(i)
	var head [tfrecord.HeaderLen]byte
	if _, err := t.f.ReadAt(head[:], off); err != nil {
		return nil, fmt.Errorf("pyramid: %s: record %d: %w", t.Path, i, err)
	}
	if !tfrecord.ValidHeader(head[:]) {
		return nil, fmt.Errorf("pyramid: %s: record %d at offset %d: %w", t.Path, i, off, tfrecord.ErrCorrupt)
	}
	n := binary.LittleEndian.Uint64(head[:8])
	if n > uint64(t.Bytes) {
		return nil, fmt.Errorf("pyramid: %s: record %d: length %d beyond the file", t.Path, i, n)
	}
	buf := make([]byte, n+tfrecord.FooterLen)
	if _, err := t.f.ReadAt(buf, off+tfrecord.HeaderLen); err != nil {
		return nil, fmt.Errorf("pyramid: %s: record %d: %w", t.Path, i, err)
	}
	if binary.LittleEndian.Uint32(buf[n:]) != tfrecord.MaskedCRC(buf[:n]) {
		return nil, fmt.Errorf("pyramid: %s: record %d: %w", t.Path, i, tfrecord.ErrCorrupt)
	}
	img, err := decodeRecord(buf[:n])
	if err != nil {
		return nil, fmt.Errorf("pyramid: %s: record %d: %w", t.Path, i, err)
	}
	return img, nil
}

// Labels returns the label matrix (nil when the dataset has none). It is
// read on first use and kept: the same *Labels is returned every time, and
// callers must not modify it.
func (d *Dataset) Labels() (*Labels, error) {
	if d.LabelFile == "" {
		return nil, nil
	}
	d.labelsOnce.Do(func() {
		m, err := npy.ReadFile(d.LabelFile)
		if err != nil {
			d.labelsErr = fmt.Errorf("pyramid: %w", err)
			return
		}
		d.labels = &Labels{Rows: m.Rows, Cols: m.Cols, Data: m.Data}
	})
	return d.labels, d.labelsErr
}

func (d *Dataset) label(i int) ([]float32, error) {
	m, err := d.Labels()
	if m == nil || err != nil {
		return nil, err
	}
	if i >= m.Rows {
		return nil, fmt.Errorf("pyramid: %s: no label row %d (file has %d rows)", d.LabelFile, i, m.Rows)
	}
	return m.Row(i), nil
}

// Records streams the tier of resolution res in file order, with labels.
// It works for compressed tiers too and holds one record at a time.
func (d *Dataset) Records(res int) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		t, err := d.Tier(res)
		if err != nil {
			yield(Record{}, err)
			return
		}
		rc, err := t.stream()
		if err != nil {
			yield(Record{}, fmt.Errorf("pyramid: %w", err))
			return
		}
		defer rc.Close()
		r := tfrecord.NewReader(rc, 0)
		for i := 0; ; i++ {
			p, err := r.Next()
			if err == io.EOF {
				return
			}
			var rec Record
			if err == nil {
				rec.Index = i
				rec.Image, err = decodeRecord(p)
			}
			if err == nil {
				rec.Label, err = d.label(i)
			}
			if err != nil {
				yield(Record{}, fmt.Errorf("pyramid: %s: record %d: %w", t.Path, i, err))
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// Range streams records [from, to) of the tier of resolution res, with
// labels: by random access on an uncompressed tier, by one pass of the
// stream (skipping the records before from) on a compressed one. to < 0
// or beyond the tier means to its end.
func (d *Dataset) Range(res, from, to int) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		t, err := d.Tier(res)
		if err != nil {
			yield(Record{}, err)
			return
		}
		if to < 0 || to > t.Records {
			to = t.Records
		}
		if t.index == nil {
			for rec, err := range d.Records(res) {
				if err == nil && rec.Index < from {
					continue
				}
				if err == nil && rec.Index >= to || !yield(rec, err) || err != nil {
					return
				}
			}
			return
		}
		for i := max(from, 0); i < to; i++ {
			img, err := t.Image(i)
			var lab []float32
			if err == nil {
				lab, err = d.label(i)
			}
			if !yield(Record{Index: i, Image: img, Label: lab}, err) || err != nil {
				return
			}
		}
	}
}

// ShuffleWindow is the number of records a shuffled stream of a
// compressed tier holds at once.
const ShuffleWindow = 1024

// Shuffled streams the tier of resolution res in a random order fixed by
// seed. Uncompressed tiers are read by random access in a full
// permutation (8 bytes of memory per record); compressed tiers are
// shuffled through a window of ShuffleWindow records, as TensorFlow's
// shuffle buffer does, which mixes only nearby records.
func (d *Dataset) Shuffled(res int, seed uint64) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		t, err := d.Tier(res)
		if err != nil {
			yield(Record{}, err)
			return
		}
		rng := rand.New(rand.NewPCG(seed, 0x70726f67616e))
		if t.index != nil {
			for _, i := range rng.Perm(t.Records) {
				img, err := t.Image(i)
				var lab []float32
				if err == nil {
					lab, err = d.label(i)
				}
				if !yield(Record{Index: i, Image: img, Label: lab}, err) || err != nil {
					return
				}
			}
			return
		}
		var window []Record
		for rec, err := range d.Records(res) {
			if err != nil {
				yield(Record{}, err)
				return
			}
			if len(window) < ShuffleWindow {
				window = append(window, rec)
				continue
			}
			k := rng.IntN(len(window))
			out := window[k]
			window[k] = rec
			if !yield(out, nil) {
				return
			}
		}
		rng.Shuffle(len(window), func(i, j int) { window[i], window[j] = window[j], window[i] })
		for _, rec := range window {
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// Close releases the dataset's files.
func (d *Dataset) Close() error {
	var first error
	for _, t := range d.Tiers {
		if t.f != nil {
			if err := t.f.Close(); err != nil && first == nil {
				first = err
			}
			t.f = nil
		}
	}
	return first
}
