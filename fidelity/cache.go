package fidelity

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"

	"github.com/progan/progan/internal/atomicfile"
	"github.com/progan/progan/internal/imagefile"
)

// Cache keeps the statistics and feature vectors of image sets in a
// folder, so that scoring many generators against one dataset decodes and
// runs the network over the dataset once. Entries are named by a key the
// caller derives from everything they depend on (the images' content, the
// network's weights, the protocol); each is one file, written atomically.
//
// A file is a magic line, one line of JSON ({"kind", "n", "dim"}) and the
// little-endian values: for statistics the float64 mean and covariance, for
// features the float32 vectors one after the other.
type Cache struct {
	Dir string
}

const cacheMagic = "progan fidelity cache v1\n"

// maxCacheDim bounds the vector length a cache file may declare.
const maxCacheDim = 1 << 16

var validKey = regexp.MustCompile(`^[0-9A-Za-z_.-]{1,200}$`)

type cacheHeader struct {
	Kind string `json:"kind"` // "stats" or "features"
	N    int    `json:"n"`
	Dim  int    `json:"dim"`
}

func (c Cache) path(key, kind string) (string, error) {
	if !validKey.MatchString(key) {
		return "", fmt.Errorf("fidelity: cache key %q: want letters, digits, '_', '-' or '.'", key)
	}
	return filepath.Join(c.Dir, key+"."+kind), nil
}

// Stats returns the statistics stored under key, or an error satisfying
// errors.Is(err, fs.ErrNotExist) when there are none.
func (c Cache) Stats(key string) (*Stats, error) {
	h, vals, err := c.read(key, "stats", 8, func(h cacheHeader) int { return h.Dim + h.Dim*h.Dim })
	if err != nil {
		return nil, err
	}
	s := &Stats{N: h.N, Dim: h.Dim, Mean: make([]float64, h.Dim), Cov: make([]float64, h.Dim*h.Dim)}
	for i := range s.Mean {
		s.Mean[i] = math.Float64frombits(binary.LittleEndian.Uint64(vals[8*i:]))
	}
	off := 8 * h.Dim
	for i := range s.Cov {
		s.Cov[i] = math.Float64frombits(binary.LittleEndian.Uint64(vals[off+8*i:]))
	}
	return s, nil
}

// PutStats stores s under key.
func (c Cache) PutStats(key string, s *Stats) error {
	return c.write(key, "stats", cacheHeader{"stats", s.N, s.Dim}, func(w io.Writer) error {
		b := make([]byte, 8)
		for _, v := range append(append([]float64{}, s.Mean...), s.Cov...) {
			binary.LittleEndian.PutUint64(b, math.Float64bits(v))
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Features returns the n vectors of dim values stored under key, or an
// error satisfying errors.Is(err, fs.ErrNotExist) when there are none.
func (c Cache) Features(key string) (f []float32, n, dim int, err error) {
	h, vals, err := c.read(key, "features", 4, func(h cacheHeader) int { return h.N * h.Dim })
	if err != nil {
		return nil, 0, 0, err
	}
	f = make([]float32, h.N*h.Dim)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(vals[4*i:]))
	}
	return f, h.N, h.Dim, nil
}

// PutFeatures stores n vectors of dim values under key.
func (c Cache) PutFeatures(key string, f []float32, n, dim int) error {
	if len(f) != n*dim {
		return fmt.Errorf("fidelity: %d values for %d vectors of %d", len(f), n, dim)
	}
	return c.write(key, "features", cacheHeader{"features", n, dim}, func(w io.Writer) error {
		b := make([]byte, 4*dim)
		for i := range n {
			for j, v := range f[i*dim : (i+1)*dim] {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(v))
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c Cache) write(key, kind string, h cacheHeader, body func(io.Writer) error) error {
	p, err := c.path(key, kind)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o777); err != nil {
		return fmt.Errorf("fidelity: cache: %w", err)
	}
	hdr, _ := json.Marshal(h)
	err = atomicfile.Write(p, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if _, err := io.WriteString(bw, cacheMagic); err != nil {
			return err
		}
		if _, err := bw.Write(append(hdr, '\n')); err != nil {
			return err
		}
		if err := body(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("fidelity: cache: %s: %w", p, err)
	}
	return nil
}

// read returns the header and value bytes of a cache file, checking the
// header and the file's size before reading the values.
func (c Cache) read(key, kind string, size int, count func(cacheHeader) int) (cacheHeader, []byte, error) {
	var h cacheHeader
	p, err := c.path(key, kind)
	if err != nil {
		return h, nil, err
	}
	f, st, err := imagefile.OpenRegular(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return h, nil, fmt.Errorf("fidelity: cache: %s: %w", p, os.ErrNotExist)
		}
		return h, nil, fmt.Errorf("fidelity: cache: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, 1<<12))
	magic, err := br.ReadString('\n')
	if err != nil || magic != cacheMagic {
		return h, nil, fmt.Errorf("fidelity: cache: %s: not a progan cache file", p)
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return h, nil, fmt.Errorf("fidelity: cache: %s: header: %v", p, err)
	}
	if err := json.Unmarshal(line, &h); err != nil || h.Kind != kind {
		return h, nil, fmt.Errorf("fidelity: cache: %s: bad header %q", p, line)
	}
	if h.N < 2 || h.N > 1<<30 || h.Dim < 1 || h.Dim > maxCacheDim {
		return h, nil, fmt.Errorf("fidelity: cache: %s: header declares %d vectors of %d values", p, h.N, h.Dim)
	}
	start := int64(len(magic) + len(line))
	want := int64(count(h)) * int64(size)
	if st.Size()-start != want {
		return h, nil, fmt.Errorf("fidelity: cache: %s: %d bytes of values, the header needs %d: truncated or damaged", p, st.Size()-start, want)
	}
	vals := make([]byte, want)
	if _, err := f.ReadAt(vals, start); err != nil {
		return h, nil, fmt.Errorf("fidelity: cache: %s: %w", p, err)
	}
	return h, vals, nil
}
