package pyramid

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/lockfile"
	"github.com/progan/progan/internal/npy"
	"github.com/progan/progan/planar"
	"github.com/progan/progan/pyramid/internal/tfrecord"
)

// Options configure a Writer. The zero value writes uncompressed tiers in
// input order with GOMAXPROCS workers.
type Options struct {
	Compression Compression
	Workers     int     // 0: GOMAXPROCS
	Order       Order   // recorded in the manifest; OrderInput by default
	Seed        *uint64 // recorded with OrderShuffled
	Source      string  // recorded in the manifest, e.g. the input folder

	// Fingerprint identifies the run's inputs and settings (say, a hash of
	// the input list and the flags). Resume continues a partial dataset
	// only when it was written with the same fingerprint.
	Fingerprint string
	// CheckpointEvery is how many images pass between checkpoints of an
	// uncompressed dataset; 0 means about every 30 seconds.
	CheckpointEvery int
}

// A Writer writes a dataset: every image added goes to every tier, record i
// of each tier being image i. Images are processed by parallel workers and
// written in the order added. Files are written into a hidden folder beside
// the destination, which is renamed into place by Close: until then the
// destination does not exist, so an interrupted run never leaves a folder
// that opens as a dataset.
type Writer struct {
	dir, tmp, name string
	opt            Options
	lock           *lockfile.Lock // on dir, held from Create or Resume to Close, Abort or Stop

	// fixed by the first image
	channels, size, labelSize int
	tiers                     []*sink // highest resolution first
	labels                    *sink   // raw float32 rows, given a header at Close
	frameLen                  []int64 // frame length of each tier

	added   int
	written int // images written, counted by the writing goroutine
	inputs  int // images added plus inputs skipped
	skipped []Skipped
	skipMu  sync.Mutex // guards skipped, read by the writing goroutine
	resumed *checkpoint
	lastCP  time.Time

	jobs    chan *job
	pending chan *job
	done    chan struct{}
	wg      sync.WaitGroup
	free    chan *job // finished jobs, kept with their buffers for reuse

	mu     sync.Mutex
	err    error // first error of a worker or the writing goroutine
	closed bool
}

type job struct {
	img   image.Image
	label []float32
	top   planar.Image
	lower []byte // pixels of the lower tiers, highest first
	heads []byte // per tier: frame header + Example head, then the frame footer
	segs  []seg  // per tier: where its pieces are
	cs    cascader
	ready chan struct{}
	err   error
	refs  atomic.Int32 // writing goroutines still using the job

	inputs, skipped int           // Writer counters once this job is written
	sync            chan struct{} // a checkpoint barrier for writeTop, not an image
}

// seg locates one tier's frame: heads[h0:h1] + pixels + heads[h1:h1+4].
// Pixels are not copied into the frame: the writer sends them from the
// image (top tier) or from lower.
type seg struct {
	h0, h1 int
	p0, p1 int // in lower; p0 < 0 for the top tier
}

// ErrExists reports a destination that already holds files.
var ErrExists = errors.New("destination exists and is not empty")

// ErrInUse is wrapped by the error of Create, Resume, Extract and
// ExportZipFile when another progan process holds the destination's lock:
// the destination is refused at once and left alone. Every progan lock
// reports this one value (trainer.ErrInUse is the same).
var ErrInUse = lockfile.ErrLocked

// MaxResolution is the largest image the writer takes. A 3×4096² record
// is 50 MB, and the pipeline holds a few per worker; the paper's largest
// is 1024², CelebA-HQ's warp works at 4096².
const MaxResolution = 4096

// MaxLabelSize is the longest label row the writer takes (ImageNet-21k's
// one-hot labels have 21 841).
const MaxLabelSize = 1 << 16

// Create starts a dataset at dir, which must not exist or be an empty
// folder. It locks dir against other progan processes until Close, Abort
// or Stop; a locked dir is refused at once (ErrInUse) and left alone. A
// hidden partial folder left by an interrupted earlier run for the same
// destination is removed: the run starts over.
func Create(dir string, opt Options) (*Writer, error) {
	dir = filepath.Clean(dir)
	lock, err := lockOutput(dir)
	if err != nil {
		return nil, err
	}
	if err := checkEmpty(dir); err != nil {
		lock.Release()
		return nil, err
	}
	tmp := PartialDir(dir)
	if err := os.RemoveAll(tmp); err != nil {
		lock.Release()
		return nil, fmt.Errorf("pyramid: removing partial output %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		lock.Release()
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	return newWriter(dir, opt, lock), nil
}

// lockOutput takes the lock of an output path, making its parent folder
// (where the lock file lives) if need be.
func lockOutput(path string) (*lockfile.Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	l, err := lockfile.Acquire(path)
	if err != nil {
		return nil, fmt.Errorf("pyramid: %w", err)
	}
	return l, nil
}

// checkEmpty accepts a folder that does not exist or is empty.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("pyramid: %s: %w", dir, ErrExists)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("pyramid: %w", err)
	}
	return nil
}

func newWriter(dir string, opt Options, lock *lockfile.Lock) *Writer {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Order == "" {
		opt.Order = OrderInput
	}
	return &Writer{dir: dir, tmp: PartialDir(dir), name: datasetName(dir), opt: opt, lock: lock}
}

// unlock gives up the output's lock once the writer is done with it.
func (w *Writer) unlock() {
	w.lock.Release()
	w.lock = nil
}

// PartialDir is the hidden folder in which a dataset for dir is written
// until it is complete.
func PartialDir(dir string) string {
	dir = filepath.Clean(dir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".partial")
}

// Add appends one image, with its label vector (nil for none; every image
// must have a label of the same length, or none). The first image fixes
// the resolution and channel count: square, a power of two ≥ 4, and one
// channel (*image.Gray, or *planar.Image with one channel) or three (anything
// else; alpha is dropped). img must not change until Close returns.
func (w *Writer) Add(img image.Image, label []float32) error {
	if w.closed {
		return errors.New("pyramid: Add after Close")
	}
	if err := w.failed(); err != nil {
		return err
	}
	c, size, err := shapeOf(img)
	if err != nil {
		return fmt.Errorf("pyramid: image %d: %w", w.added, err)
	}
	if w.tiers == nil {
		if err := w.start(c, size, len(label)); err != nil {
			w.setErr(err)
			return err
		}
	}
	if c != w.channels || size != w.size {
		return fmt.Errorf("pyramid: image %d: %d×%d×%d, dataset is %d×%d×%d", w.added, c, size, size, w.channels, w.size, w.size)
	}
	if len(label) != w.labelSize {
		return fmt.Errorf("pyramid: image %d: label of length %d, dataset labels have %d", w.added, len(label), w.labelSize)
	}
	for k, v := range label {
		// No reader of labels has a use for them, and dataset.json cannot hold them.
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("pyramid: image %d: label value %v in column %d is not a finite number", w.added, v, k)
		}
	}
	var j *job
	select {
	case j = <-w.free:
	default:
		j = &job{ready: make(chan struct{}, 1)}
	}
	j.img, j.label, j.err = img, append(j.label[:0], label...), nil
	w.added++
	w.inputs++
	w.skipMu.Lock()
	j.inputs, j.skipped = w.inputs, len(w.skipped)
	w.skipMu.Unlock()
	w.pending <- j // blocks when the pipeline is full: memory stays bounded
	w.jobs <- j
	return nil
}

// Skip records an input that was left out, for the manifest.
func (w *Writer) Skip(input string, reason error) {
	w.skipMu.Lock()
	w.skipped = append(w.skipped, Skipped{Input: input, Error: reason.Error()})
	w.skipMu.Unlock()
	w.inputs++
}

// Len returns the number of images added so far.
func (w *Writer) Len() int { return w.added }

func shapeOf(img image.Image) (c, size int, err error) {
	b := img.Bounds()
	c = 3
	switch m := img.(type) {
	case *image.Gray:
		c = 1
	case *planar.Image:
		c = m.Channels
		if c != 1 && c != 3 || len(m.Pix) != c*m.Size*m.Size {
			return 0, 0, fmt.Errorf("malformed planar image (%d channels, size %d, %d bytes)", c, m.Size, len(m.Pix))
		}
	}
	if b.Dx() != b.Dy() {
		return 0, 0, fmt.Errorf("image is %dx%d: not square", b.Dx(), b.Dy())
	}
	size = b.Dx()
	if size < 4 || size > MaxResolution || size&(size-1) != 0 {
		return 0, 0, fmt.Errorf("image is %dx%d: size must be a power of two from 4 to %d", size, size, MaxResolution)
	}
	return c, size, nil
}

func (w *Writer) start(c, size, labelSize int) error {
	if labelSize > MaxLabelSize {
		return fmt.Errorf("pyramid: labels of %d values: at most %d", labelSize, MaxLabelSize)
	}
	w.channels, w.size, w.labelSize = c, size, labelSize
	open := func(name string, comp Compression) (*sink, error) {
		if w.resumed != nil {
			return w.resumed.reopen(w.tmp, name)
		}
		return newSink(w.tmp, name, comp)
	}
	for r := size; r >= 4; r /= 2 {
		s, err := open(tierFile(w.name, r), w.opt.Compression)
		if err != nil {
			return fmt.Errorf("pyramid: %w", err)
		}
		w.tiers = append(w.tiers, s)
		w.frameLen = append(w.frameLen, int64(tfrecord.ExampleLen(c, r, r)+tfrecord.HeaderLen+tfrecord.FooterLen))
	}
	if labelSize > 0 {
		s, err := open(labelsFile(w.name)+".rows", None)
		if err != nil {
			return fmt.Errorf("pyramid: %w", err)
		}
		w.labels = s
	}
	w.lastCP = time.Now()
	n := w.opt.Workers
	w.jobs = make(chan *job, n)
	w.pending = make(chan *job, 2*n+2)
	w.free = make(chan *job, 3*n+3)
	w.done = make(chan struct{})
	for range n {
		w.wg.Add(1)
		go w.work()
	}
	go w.write()
	return nil
}

// work turns images into the framed records of every tier.
func (w *Writer) work() {
	defer w.wg.Done()
	for j := range w.jobs {
		j.err = j.encode(w.channels, w.size)
		j.ready <- struct{}{}
	}
}

func (j *job) encode(c, size int) error {
	top, err := planar.FromImageInto(j.img, &j.top)
	if err != nil {
		return err
	}
	j.img = nil
	j.heads, j.segs = j.heads[:0], j.segs[:0]
	j.frame(c, size, top.Pix, -1, -1)
	off := 0
	j.lower = j.cs.tiers(top, j.lower, func(lod int, pix []byte) {
		j.frame(c, size>>lod, pix, off, off+len(pix))
		off += len(pix)
	})
	if top != &j.top {
		j.top = *top // keep the caller's planar image until written
	}
	return nil
}

// frame records the framing of one tier's record around pix.
func (j *job) frame(c, r int, pix []byte, p0, p1 int) {
	h0 := len(j.heads)
	j.heads = append(j.heads, make([]byte, tfrecord.HeaderLen)...)
	j.heads = tfrecord.AppendExampleHead(j.heads, c, r, r)
	h1 := len(j.heads)
	n := h1 - h0 - tfrecord.HeaderLen + len(pix)
	tfrecord.PutHeader(j.heads[h0:], n)
	j.heads = tfrecord.AppendFooter(j.heads, j.heads[h0+tfrecord.HeaderLen:h1], pix)
	j.segs = append(j.segs, seg{h0, h1, p0, p1})
}

// write takes finished jobs in input order. The full-resolution tier,
// three quarters of the bytes, is hashed and written by a goroutine of its
// own (writeTop); this one writes the lower tiers and the labels.
func (w *Writer) write() {
	defer close(w.done)
	top := make(chan *job, 2)
	topDone := make(chan struct{})
	go w.writeTop(top, topDone)
	var row []byte
	for j := range w.pending {
		<-j.ready
		if j.err != nil {
			w.setErr(fmt.Errorf("pyramid: %w", j.err))
		}
		skip := w.failed() != nil
		j.refs.Store(2)
		top <- j
		var err error
		for t := 1; t < len(j.segs) && !skip && err == nil; t++ {
			err = w.writeSeg(j, t)
		}
		if err == nil && !skip && w.labels != nil {
			row = row[:0]
			for _, v := range j.label {
				row = binary.LittleEndian.AppendUint32(row, math.Float32bits(v))
			}
			_, err = w.labels.Write(row)
		}
		if err != nil {
			w.setErr(fmt.Errorf("pyramid: %w", err))
		}
		inputs, skipped := j.inputs, j.skipped
		w.release(j)
		if !skip && err == nil && w.checkpointDue() {
			barrier := &job{sync: make(chan struct{})}
			top <- barrier
			<-barrier.sync
			if err := w.checkpoint(inputs, skipped); err != nil {
				w.setErr(fmt.Errorf("pyramid: checkpoint: %w", err))
			}
		}
	}
	close(top)
	<-topDone
}

func (w *Writer) writeTop(jobs <-chan *job, done chan<- struct{}) {
	defer close(done)
	for j := range jobs {
		if j.sync != nil { // checkpoint barrier: every job before it is written
			close(j.sync)
			continue
		}
		if j.err == nil && w.failed() == nil {
			if err := w.writeSeg(j, 0); err != nil {
				w.setErr(fmt.Errorf("pyramid: %w", err))
			}
		}
		w.release(j)
	}
}

// writeSeg writes job j's frame of tier t.
func (w *Writer) writeSeg(j *job, t int) error {
	sg := j.segs[t]
	pix := j.top.Pix
	if sg.p0 >= 0 {
		pix = j.lower[sg.p0:sg.p1]
	}
	s := w.tiers[t]
	if _, err := s.Write(j.heads[sg.h0:sg.h1]); err != nil {
		return err
	}
	if _, err := s.Write(pix); err != nil {
		return err
	}
	_, err := s.Write(j.heads[sg.h1 : sg.h1+tfrecord.FooterLen])
	return err
}

// release recycles j once both writing goroutines are done with it.
func (w *Writer) release(j *job) {
	if j.refs.Add(-1) != 0 {
		return
	}
	select {
	case w.free <- j:
	default:
	}
}

func (w *Writer) setErr(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

func (w *Writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// drain stops the pipeline and waits for the writing goroutine.
func (w *Writer) drain() {
	if w.jobs == nil {
		return
	}
	close(w.jobs)
	close(w.pending)
	<-w.done
	w.wg.Wait()
	w.jobs = nil
}

// Close finishes the dataset: it writes the labels, the index and the
// manifest, syncs everything, and renames the partial folder into place.
// On error the partial folder is removed and nothing appears at the
// destination.
func (w *Writer) Close() error {
	if w.closed {
		return errors.New("pyramid: writer already closed")
	}
	w.closed = true
	w.drain()
	err := w.failed()
	if err == nil && w.added == 0 {
		err = errors.New("pyramid: no images were added")
	}
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		w.cleanup()
	}
	w.unlock()
	return err
}

// Abort stops the writer and removes its partial output.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	w.drain()
	defer w.unlock()
	return w.cleanup()
}

func (w *Writer) cleanup() error {
	w.cleanupFiles()
	return os.RemoveAll(w.tmp)
}

// cleanupFiles closes the open files.
func (w *Writer) cleanupFiles() {
	for _, s := range w.tiers {
		s.f.Close()
	}
	if w.labels != nil {
		w.labels.f.Close()
	}
}

func (w *Writer) finish() error {
	m := &Manifest{
		Format:      manifestFormat,
		Tool:        "progan " + Version,
		Created:     time.Now().UTC().Format(time.RFC3339),
		Images:      w.added,
		Resolution:  w.size,
		Channels:    w.channels,
		LabelSize:   w.labelSize,
		Order:       w.opt.Order,
		Seed:        w.opt.Seed,
		Compression: w.opt.Compression.String(),
		Source:      w.opt.Source,
		Skipped:     w.skipped,
	}
	var index []tierIndex
	for t, s := range w.tiers {
		if err := s.finish(); err != nil {
			return fmt.Errorf("pyramid: %s: %w", s.name, err)
		}
		res := w.size >> t
		e := s.entry("tier")
		e.Resolution, e.Records = res, w.added
		m.Files = append(m.Files, e)
		if w.opt.Compression == None {
			index = append(index, tierIndex{resolution: res, records: w.added, first: 0, stride: w.frameLen[t]})
		}
	}
	if w.labels != nil {
		if err := w.labels.finish(); err != nil {
			return fmt.Errorf("pyramid: labels: %w", err)
		}
		e, err := w.writeLabels()
		if err != nil {
			return fmt.Errorf("pyramid: labels: %w", err)
		}
		m.Files = append(m.Files, e)
	}
	if index != nil {
		s, err := newSink(w.tmp, IndexFile, None)
		if err != nil {
			return fmt.Errorf("pyramid: %w", err)
		}
		if err := writeIndex(s, index); err != nil {
			s.f.Close()
			return fmt.Errorf("pyramid: index: %w", err)
		}
		if err := s.finish(); err != nil {
			return fmt.Errorf("pyramid: index: %w", err)
		}
		m.Files = append(m.Files, s.entry("index"))
	}
	if err := os.Remove(filepath.Join(w.tmp, checkpointFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pyramid: %w", err)
	}
	// The manifest's sizes come from the bytes written; a file cut short
	// meanwhile (a full disk, another program) must not be published.
	for _, e := range m.Files {
		st, err := os.Stat(filepath.Join(w.tmp, e.Name))
		if err != nil {
			return fmt.Errorf("pyramid: %w", err)
		}
		if st.Size() != e.Bytes {
			return fmt.Errorf("pyramid: %s holds %d bytes, %d were written", e.Name, st.Size(), e.Bytes)
		}
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// Through a hidden temporary of its own too: the partial folder, and so
	// any leftover, is removed on error and published whole by CommitDir.
	if err := atomicfile.WriteBytes(filepath.Join(w.tmp, ManifestFile), append(js, '\n')); err != nil {
		return fmt.Errorf("pyramid: manifest: %w", err)
	}
	// An empty destination folder is replaced; rename fails on a non-empty one.
	if err := atomicfile.CommitDir(w.tmp, w.dir); err != nil {
		return fmt.Errorf("pyramid: %w", err)
	}
	return nil
}

// writeLabels turns the raw rows into the .npy labels file.
func (w *Writer) writeLabels() (FileEntry, error) {
	rows := filepath.Join(w.tmp, w.labels.name)
	src, err := os.Open(rows)
	if err != nil {
		return FileEntry{}, err
	}
	defer src.Close()
	s, err := newSink(w.tmp, labelsFile(w.name), None)
	if err != nil {
		return FileEntry{}, err
	}
	err = npy.WriteHeader(s, w.added, w.labelSize)
	if err == nil {
		_, err = io.Copy(s, bufio.NewReader(src))
	}
	if err != nil {
		s.f.Close()
		return FileEntry{}, err
	}
	if err := s.finish(); err != nil {
		return FileEntry{}, err
	}
	if err := os.Remove(rows); err != nil {
		return FileEntry{}, err
	}
	return s.entry("labels"), nil
}
