package pyramid

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/progan/progan/internal/imagefile"
)

// Version is the tool version recorded in manifests.
var Version = "0.1.0"

// Manifest describes a dataset written by this package. Datasets written by
// the original tool have none.
type Manifest struct {
	Format      string      `json:"format"` // "progan-dataset/1"
	Tool        string      `json:"tool"`
	Created     string      `json:"created"`
	Images      int         `json:"images"`
	Resolution  int         `json:"resolution"`
	Channels    int         `json:"channels"`
	LabelSize   int         `json:"label_size"`
	Order       Order       `json:"order"`          // the order of the records
	Seed        *uint64     `json:"seed,omitempty"` // the shuffle's RandomState seed
	Compression string      `json:"compression"`
	Source      string      `json:"source,omitempty"`
	Files       []FileEntry `json:"files"`
	Skipped     []Skipped   `json:"skipped,omitempty"`
}

// FileEntry is one file of the dataset with its size and checksum.
type FileEntry struct {
	Name       string `json:"name"`
	Role       string `json:"role"` // "tier", "labels" or "index"
	Resolution int    `json:"resolution,omitempty"`
	Records    int    `json:"records,omitempty"`
	Bytes      int64  `json:"bytes"`
	SHA256     string `json:"sha256"`
}

// Skipped is an input left out by a run that was asked to keep going.
type Skipped struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

const manifestFormat = "progan-dataset/1"

// Order is the order of a dataset's records, as its manifest records it.
type Order string

// The orders progan's sources write. Other values read from a manifest
// are kept as they are.
const (
	OrderInput        Order = "input"          // the inputs' sorted order
	OrderShuffled     Order = "shuffled"       // ShuffleOrder of the inputs with the manifest's seed
	OrderRandomDigits Order = "random digits"  // MNIST-RGB: digits drawn by numpy's RandomState(seed)
	OrderLMDBKeys     Order = "lmdb key order" // LSUN: the LMDB's key order
)

// maxMetaBytes caps the manifest and index files read whole: far above
// what a dataset of 2³¹ images needs for its index.
const maxMetaBytes = 1 << 30

func readManifest(path string) (*Manifest, error) {
	b, err := imagefile.ReadRegular(path, maxMetaBytes)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: unknown format %q", path, m.Format)
	}
	return &m, nil
}

// The index sidecar gives the byte offset of every record of every
// uncompressed tier. Little-endian:
//
//	"PGNIDX01"
//	uint32 tiers
//	per tier: uint32 resolution, uint32 kind, uint64 records,
//	  kind 0 (regular): uint64 first, uint64 stride; offset(i) = first + i*stride
//	  kind 1 (listed):  records × uint64 offsets
//
// This package always writes regular tiers (every record of a tier has the
// same length); listed tiers exist for indexes of other writers' files.
const indexMagic = "PGNIDX01"

type tierIndex struct {
	resolution int
	records    int
	first      int64
	stride     int64   // 0 when offsets is used
	offsets    []int64 // nil for regular tiers
}

func (t *tierIndex) offset(i int) int64 {
	if t.offsets != nil {
		return t.offsets[i]
	}
	return t.first + int64(i)*t.stride
}

func writeIndex(w io.Writer, tiers []tierIndex) error {
	b := []byte(indexMagic)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(tiers)))
	for _, t := range tiers {
		b = binary.LittleEndian.AppendUint32(b, uint32(t.resolution))
		if t.offsets == nil {
			b = binary.LittleEndian.AppendUint32(b, 0)
			b = binary.LittleEndian.AppendUint64(b, uint64(t.records))
			b = binary.LittleEndian.AppendUint64(b, uint64(t.first))
			b = binary.LittleEndian.AppendUint64(b, uint64(t.stride))
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(t.offsets)))
		for _, o := range t.offsets {
			b = binary.LittleEndian.AppendUint64(b, uint64(o))
		}
	}
	_, err := w.Write(b)
	return err
}

var errIndex = errors.New("malformed index")

// readIndex parses an index; limit bounds the records a tier may claim
// (listed tiers must also fit in the data given).
func readIndex(b []byte) ([]tierIndex, error) {
	if len(b) < 12 || string(b[:8]) != indexMagic {
		return nil, errIndex
	}
	n := binary.LittleEndian.Uint32(b[8:])
	b = b[12:]
	if uint64(n) > uint64(len(b))/16 {
		return nil, errIndex
	}
	tiers := make([]tierIndex, 0, n)
	for range n {
		if len(b) < 16 {
			return nil, errIndex
		}
		t := tierIndex{resolution: int(binary.LittleEndian.Uint32(b))}
		kind := binary.LittleEndian.Uint32(b[4:])
		count := binary.LittleEndian.Uint64(b[8:])
		b = b[16:]
		if count > 1<<40 {
			return nil, errIndex
		}
		t.records = int(count)
		switch kind {
		case 0:
			if len(b) < 16 {
				return nil, errIndex
			}
			t.first = int64(binary.LittleEndian.Uint64(b))
			t.stride = int64(binary.LittleEndian.Uint64(b[8:]))
			b = b[16:]
			if t.first < 0 || t.stride <= 0 {
				return nil, errIndex
			}
		case 1:
			if count > uint64(len(b))/8 {
				return nil, errIndex
			}
			t.offsets = make([]int64, count)
			for i := range t.offsets {
				t.offsets[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
			}
			b = b[8*count:]
		default:
			return nil, errIndex
		}
		tiers = append(tiers, t)
	}
	if len(b) != 0 {
		return nil, errIndex
	}
	return tiers, nil
}
