// Package lsun builds Progressive GAN datasets from an LSUN category, an
// LMDB database of WebP (rarely JPEG) images, byte for byte as the
// original dataset_tool.py's create_lsun does (docs/lsun.md):
//
//   - entries are read in key order from data.mdb by a pure-Go reader
//     (lsun/internal/lmdb; lock.mdb is never opened);
//   - each value is decoded as OpenCV's cv2.imdecode(buf, 1) decodes it:
//     lossy WebP with libwebp's "fancy" chroma upsampling and fixed-point
//     BT.601 conversion, lossless WebP as stored, alpha dropped without
//     blending, gray images as three equal channels;
//   - the image is centre-cropped to a square (the extra pixel of an odd
//     margin at the right or bottom) and resized with Pillow 3.1.1's
//     ANTIALIAS filter (internal/pillow), which leaves an image of the
//     right size untouched;
//   - an entry that does not decode is reported with its key and skipped,
//     as the original does, unless the caller asks to stop.
//
// JPEG values (none in real LSUN categories) are decoded, like every JPEG
// internal/imagefile reads, as OpenCV's libjpeg-turbo decodes them (islow
// IDCT, triangle chroma upsampling), so their records are identical too;
// EXIF orientation, which OpenCV 4.6 applies to JPEG values, is not.
package lsun

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"iter"
	"unicode"

	"github.com/progan/progan/internal/imagefile"
	"github.com/progan/progan/internal/parallel"
	"github.com/progan/progan/internal/pillow"
	"github.com/progan/progan/lsun/internal/lmdb"
	"github.com/progan/progan/planar"
)

// DB is an LSUN category's LMDB database, open for reading. It may be
// used by several goroutines at once.
type DB struct {
	db *lmdb.DB
}

// Open opens the LMDB database at path: the environment folder (such as
// bedroom_train_lmdb) that holds data.mdb, or data.mdb itself. The lock
// file (lock.mdb) is never opened: the database is read as a plain file.
func Open(path string) (*DB, error) {
	db, err := lmdb.Open(path)
	if err != nil {
		return nil, err // lmdb's errors name the file
	}
	return &DB{db}, nil
}

// NewDB reads the LMDB data file (the contents of a data.mdb) of the
// given size held by r. Close does not close r.
func NewDB(r io.ReaderAt, size int64) (*DB, error) {
	db, err := lmdb.New(r, size)
	if err != nil {
		return nil, err // "lmdb: …", with the damage found
	}
	return &DB{db}, nil
}

// Entries returns the number of entries in the database, records and
// undecodable entries alike.
func (db *DB) Entries() int { return int(db.db.Entries()) }

// Close closes the file opened by Open. The database must not be read
// afterwards.
func (db *DB) Close() error { return db.db.Close() }

// Options configure Records.
type Options struct {
	Resolution int  // output side, a power of two ≥ 4 (the original's default is 256)
	MaxImages  int  // stop after this many records; 0: all entries
	Strict     bool // an undecodable entry ends the iteration with its error instead of being skipped
	Workers    int  // parallel decoders; 0: GOMAXPROCS
	// Source is the database file (data.mdb) that errors name; "" names
	// none.
	Source string
}

// Item is one LMDB entry: a record, or the reason it was skipped.
type Item struct {
	Entry int    // entry number in key order
	Key   string // the key, as text when printable, else hex
	Image *planar.Image
	Err   error // why the entry is skipped (*EntryError); Image is nil
}

// EntryError reports an entry that could not be decoded.
type EntryError struct {
	Source string // the database file, when known
	Entry  int
	Key    string
	Err    error
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("lsun: %sentry %d (key %s): %v", prefix(e.Source), e.Entry, e.Key, e.Err)
}

// prefix is "source: ", or "" for no source.
func prefix(source string) string {
	if source == "" {
		return ""
	}
	return source + ": "
}

func (e *EntryError) Unwrap() error { return e.Err }

// Records reads db from entry skip on (0 for a fresh run; the number of
// entries already consumed when resuming) and yields an Item per entry in
// key order: Image set for a record, Err set for an entry skipped. It ends
// after opt.MaxImages records counted from entry 0 (records is the number
// already written before skip), at the end of the database, or at the
// first error: a database error, ctx's, or with opt.Strict an entry that
// does not decode.
func Records(ctx context.Context, db *DB, skip, records int, opt Options) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		if opt.Resolution < 4 || opt.Resolution&(opt.Resolution-1) != 0 {
			yield(Item{}, fmt.Errorf("lsun: resolution %d is not a power of two ≥ 4", opt.Resolution))
			return
		}
		type entry struct {
			n          int
			key, value []byte
		}
		var dbErr error
		entries := func(yield func(entry) bool) {
			c := db.db.Cursor()
			for n := 0; c.Next(); n++ {
				if n < skip {
					continue
				}
				v, err := c.Value()
				if err != nil {
					dbErr = err
					return
				}
				if !yield(entry{n, c.Key(), v}) {
					return
				}
			}
			dbErr = c.Err()
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for it, err := range parallel.Map(ctx, entries, opt.Workers, func(e entry) (Item, error) {
			it := Item{Entry: e.n, Key: keyText(e.key)}
			img, err := Process(e.value, opt.Resolution)
			if err != nil {
				it.Err = &EntryError{opt.Source, e.n, it.Key, err}
			}
			it.Image = img
			return it, nil
		}) {
			if err != nil {
				yield(Item{}, err)
				return
			}
			if it.Err != nil && opt.Strict {
				yield(Item{}, it.Err)
				return
			}
			if opt.MaxImages > 0 && records >= opt.MaxImages {
				return
			}
			if !yield(it, nil) {
				return
			}
			if it.Err == nil {
				records++
				if opt.MaxImages > 0 && records >= opt.MaxImages {
					return
				}
			}
		}
		if dbErr != nil {
			yield(Item{}, fmt.Errorf("lsun: %s%w", prefix(opt.Source), dbErr))
		}
	}
}

// keyText returns an LMDB key as text when it is printable ASCII (LSUN's
// keys are 40 hex digits), else as hex.
func keyText(k []byte) string {
	for _, b := range k {
		if b >= 0x80 || !unicode.IsPrint(rune(b)) {
			return "0x" + hex.EncodeToString(k)
		}
	}
	return string(k)
}

// Process decodes an LMDB value, centre-crops it to a square and resizes
// it to res×res, returning the record.
func Process(value []byte, res int) (*planar.Image, error) {
	src, err := decode(value)
	if err != nil {
		return nil, err
	}
	s := min(src.Width, src.Height)
	crop := src.Crop(image.Rect(0, 0, s, s).Add(image.Pt((src.Width-s)/2, (src.Height-s)/2)))
	if s != res {
		crop = pillow.Resize(crop, res, res)
	}
	return &planar.Image{Channels: 3, Size: res, Pix: crop.Planar()}, nil
}

// Decode decodes an LMDB value to the RGB samples that cv2.imdecode(value,
// 1) followed by the original's BGR→RGB flip gives, as an opaque
// *image.RGBA with its origin at (0, 0).
func Decode(value []byte) (*image.RGBA, error) {
	m, err := decode(value)
	if err != nil {
		return nil, fmt.Errorf("lsun: %w", err)
	}
	return m.ToImage().(*image.RGBA), nil
}

// decode is Decode to interleaved RGB, the form Process crops and resizes.
func decode(value []byte) (*pillow.Image, error) {
	if len(value) == 0 {
		return nil, errors.New("empty value")
	}
	m, err := imagefile.DecodeAny("value", value)
	if errors.Is(err, image.ErrFormat) {
		return nil, fmt.Errorf("not an image of a known format (%d bytes starting % x)", len(value), value[:min(len(value), 8)])
	}
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u // drop imagefile's "value:" naming
		}
		return nil, err
	}
	return pillow.FromImage(m), nil
}
