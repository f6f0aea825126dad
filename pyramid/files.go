package pyramid

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/pgzip"
)

// Compression is how tier files are compressed, as TensorFlow's
// TFRecordOptions name it. Compressed tiers are read as streams only.
type Compression string

const (
	None Compression = ""
	Gzip Compression = "gzip"
	Zlib Compression = "zlib"
)

// ParseCompression accepts "", "none", "gzip" and "zlib".
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return None, nil
	case "gzip":
		return Gzip, nil
	case "zlib":
		return Zlib, nil
	}
	return None, fmt.Errorf("pyramid: unknown compression %q (want none, gzip or zlib)", s)
}

// String returns "none" for None.
func (c Compression) String() string {
	if c == None {
		return "none"
	}
	return string(c)
}

// File names follow the original exporter: <name>-rNN.tfrecords and
// <name>-rxx.labels, name = base name of the dataset folder.
func tierFile(name string, res int) string {
	return fmt.Sprintf("%s-r%02d.tfrecords", name, log2(res))
}

func labelsFile(name string) string { return name + "-rxx.labels" }

// Sidecars of this tool; the original reader ignores them.
const (
	ManifestFile = "progan-manifest.json"
	IndexFile    = "progan-index.bin"
)

func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}

// datasetName is the base name of dir, ignoring trailing slashes (the
// original names files "-r10.tfrecords" for "dir/": a quirk not copied).
func datasetName(dir string) string {
	return filepath.Base(filepath.Clean(dir))
}

// sink is one output file being written: bytes pass through an optional
// compressor, then are counted and hashed on their way to disk.
type sink struct {
	f    *os.File
	name string
	sum  hash.Hash
	size int64
	buf  *bufio.Writer  // in front of the file (after the compressor)
	comp io.WriteCloser // nil when uncompressed
	raw  int64          // uncompressed bytes written
}

func newSink(dir, name string, c Compression) (*sink, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	s := &sink{f: f, name: name, sum: sha256.New()}
	s.buf = bufio.NewWriterSize(hashWriter{s}, 1<<20)
	switch c {
	case Gzip:
		// pgzip compresses 1 MiB blocks on every core into one standard
		// gzip member: the stream TensorFlow's GZIP option reads.
		zw := pgzip.NewWriter(s.buf)
		if err := zw.SetConcurrency(1<<20, 2*runtime.GOMAXPROCS(0)); err != nil {
			f.Close()
			return nil, err
		}
		s.comp = zw
	case Zlib:
		s.comp = zlib.NewWriter(s.buf)
	}
	return s, nil
}

type hashWriter struct{ s *sink }

func (h hashWriter) Write(p []byte) (int, error) {
	n, err := h.s.f.Write(p)
	h.s.sum.Write(p[:n])
	h.s.size += int64(n)
	return n, err
}

func (s *sink) Write(p []byte) (int, error) {
	s.raw += int64(len(p))
	if s.comp != nil {
		return s.comp.Write(p)
	}
	return s.buf.Write(p)
}

// finish flushes, syncs and closes the file.
func (s *sink) finish() error {
	if s.comp != nil {
		if err := s.comp.Close(); err != nil {
			s.f.Close()
			return err
		}
	}
	if err := s.buf.Flush(); err != nil {
		s.f.Close()
		return err
	}
	if err := s.f.Sync(); err != nil {
		s.f.Close()
		return err
	}
	return s.f.Close()
}

func (s *sink) entry(role string) FileEntry {
	return FileEntry{Name: s.name, Role: role, Bytes: s.size, SHA256: hex.EncodeToString(s.sum.Sum(nil))}
}
