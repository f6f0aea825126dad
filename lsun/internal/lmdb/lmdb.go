// Package lmdb reads the main database of an LMDB data file (data.mdb) in
// key order, without cgo and without the lock file: the format of the LSUN
// scene categories, whose <category>_train_lmdb folders map 40-character hex
// keys to WebP images.
//
// The layout read here is the one of LMDB 0.9 (file format version 1) as
// written on 64-bit little-endian machines (x86-64, arm64), described by the
// comments and structures of libraries/liblmdb/mdb.c: struct MDB_page,
// MDB_node, MDB_meta and MDB_db.
//
// The file is an array of pages of one size. Every page starts with a
// 16-byte header:
//
//	uint64 pgno | uint16 pad | uint16 flags | uint16 lower | uint16 upper
//
// where flags is P_BRANCH (0x01), P_LEAF (0x02), P_OVERFLOW (0x04) or P_META
// (0x08); an overflow page stores its page count as a uint32 in place of
// lower and upper. Pages 0 and 1 are meta pages: after the header, an
// MDB_meta holds the magic 0xBEEFC0DE, the version 1, the map address and
// size, two 48-byte MDB_db records (the free-page database, whose first word
// is the page size, and the main database: flags, depth, page counts, entry
// count and root page), the last page number in use and the transaction id.
// Transaction n writes meta page n%2, so the meta page with the higher
// transaction id is the current one; the other describes the previous
// snapshot.
//
// Branch and leaf pages hold (lower-16)/2 uint16 offsets after the header,
// each locating an 8-byte node header followed by its key:
//
//	uint16 lo | uint16 hi | uint16 flags | uint16 ksize | key | data
//
// In a branch node, lo | hi<<16 | flags<<32 is the child page number; the key
// of node 0 is empty and every later key is the smallest key of its child.
// In a leaf node, lo | hi<<16 is the value size and the value follows the
// key, unless the node flag F_BIGDATA (0x01) is set: then the 8 bytes after
// the key are the number of the first of the contiguous overflow pages
// holding the value, which starts right after that page's header.
//
// The reader keeps one page per tree level in memory and reads values only
// when asked, with one ReadAt each, so its memory does not depend on the size
// of the database. It checks every page number, offset, size and count it
// uses against the page and the file, the depth against the meta page, the
// entry count and the strict key order, so a damaged or hostile file gives an
// error rather than a panic, a hang or a large allocation. Sorted duplicates
// (MDB_DUPSORT, node flag F_DUPDATA), named sub-databases (F_SUBDATA) and
// databases with a non-default key order are rejected with ErrUnsupported;
// LSUN uses none of them.
package lmdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"

	"github.com/progan/progan/internal/imagefile"
)

// Errors wrapped by the errors of this package.
var (
	// ErrFormat reports a file that is not an LMDB data file of the layout
	// this package reads (bad magic number, version or page size).
	ErrFormat = errors.New("not a version 1 little-endian 64-bit LMDB data file")
	// ErrCorrupt reports an inconsistency in the structure of the file.
	ErrCorrupt = errors.New("corrupt data file")
	// ErrUnsupported reports a valid LMDB feature this package does not read.
	ErrUnsupported = errors.New("unsupported")
)

// Format constants from mdb.c.
const (
	magic       = 0xBEEFC0DE
	dataVersion = 1
	pageHdrSize = 16 // PAGEHDRSZ
	nodeHdrSize = 8  // NODESIZE
	metaSize    = 136
	invalidPgno = ^uint64(0) // P_INVALID: root of an empty database

	pBranch   = 0x01
	pLeaf     = 0x02
	pOverflow = 0x04
	pMeta     = 0x08
	pDirty    = 0x10
	pLeaf2    = 0x20
	pSubp     = 0x40
	pKeep     = 0x8000

	fBigData = 0x01
	fSubData = 0x02
	fDupData = 0x04

	// Database flags (mdb_dbi_open) that change the key order or the node
	// format: MDB_REVERSEKEY, MDB_DUPSORT, MDB_INTEGERKEY, MDB_DUPFIXED,
	// MDB_INTEGERDUP and MDB_REVERSEDUP.
	dbOrderFlags = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40

	minPageSize = 512
	maxPageSize = 1 << 16
)

// MaxDepth is the deepest tree accepted: LMDB's own cursors hold at most
// CURSOR_STACK (32) pages.
const MaxDepth = 32

// A DB is an LMDB data file opened for reading. It may be used by several
// goroutines at once, each with its own Cursor.
type DB struct {
	r       io.ReaderAt
	f       *os.File // nil when the caller owns r
	size    int64
	psize   int
	npages  uint64 // pages that may be referenced: the meta page's last page + 1
	meta    int    // the meta page in use, 0 or 1
	txnid   uint64
	depth   int
	entries uint64
	root    uint64
}

// Open opens an LMDB data file for reading. The path names either the data
// file itself or the environment directory that contains data.mdb; the lock
// file (lock.mdb) is never opened.
func Open(path string) (*DB, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("lmdb: %w", err)
	}
	if fi.IsDir() {
		path = filepath.Join(path, "data.mdb")
	}
	// A regular file only: a FIFO would block the open and every read.
	f, fi, err := imagefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("lmdb: %w", err)
	}
	db, err := New(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	db.f = f
	return db, nil
}

// New reads the meta pages of the LMDB data file of the given size held by r.
// Close does not close r.
func New(r io.ReaderAt, size int64) (*DB, error) {
	db := &DB{r: r, size: size}
	if err := db.readMeta(); err != nil {
		return nil, err
	}
	return db, nil
}

// Close closes the file opened by Open. Cursors must not be used afterwards.
func (db *DB) Close() error {
	if db.f == nil {
		return nil
	}
	err := db.f.Close()
	db.f = nil
	return err
}

// Entries returns the number of entries of the main database, as recorded by
// the meta page in use.
func (db *DB) Entries() uint64 { return db.entries }

// PageSize returns the page size of the file in bytes.
func (db *DB) PageSize() int { return db.psize }

// Depth returns the depth of the main database's B+tree: 0 when it is empty,
// 1 when the root is a leaf page.
func (db *DB) Depth() int { return db.depth }

// metaPage is the part of an MDB_meta the reader uses.
type metaPage struct {
	psize   uint32
	dbFlags uint16
	depth   uint16
	entries uint64
	root    uint64
	lastPg  uint64
	txnid   uint64
}

// parseMeta checks and decodes the header and MDB_meta of meta page n held
// in b (pageHdrSize+metaSize bytes).
func parseMeta(n int, b []byte) (metaPage, error) {
	le := binary.LittleEndian
	var m metaPage
	if pg := le.Uint64(b[0:]); pg != uint64(n) {
		return m, fmt.Errorf("lmdb: meta page %d: %w: header says page %d", n, ErrFormat, pg)
	}
	if fl := le.Uint16(b[10:]); fl&^(pDirty|pKeep) != pMeta {
		return m, fmt.Errorf("lmdb: meta page %d: %w: page flags %#x, want P_META", n, ErrFormat, fl)
	}
	mm := b[pageHdrSize:]
	if v := le.Uint32(mm[0:]); v != magic {
		return m, fmt.Errorf("lmdb: meta page %d: %w: magic %#x", n, ErrFormat, v)
	}
	if v := le.Uint32(mm[4:]); v != dataVersion {
		return m, fmt.Errorf("lmdb: meta page %d: %w: format version %d", n, ErrFormat, v)
	}
	m.psize = le.Uint32(mm[24:]) // mm_dbs[FREE_DBI].md_pad
	if m.psize < minPageSize || m.psize > maxPageSize || m.psize&(m.psize-1) != 0 {
		return m, fmt.Errorf("lmdb: meta page %d: %w: page size %d", n, ErrFormat, m.psize)
	}
	main := mm[72:] // mm_dbs[MAIN_DBI]
	m.dbFlags = le.Uint16(main[4:])
	m.depth = le.Uint16(main[6:])
	m.entries = le.Uint64(main[32:])
	m.root = le.Uint64(main[40:])
	m.lastPg = le.Uint64(mm[120:])
	m.txnid = le.Uint64(mm[128:])
	return m, nil
}

// readMeta reads both meta pages like mdb_env_read_header, picks the one with
// the higher transaction id like mdb_env_pick_meta and checks what it says
// against the file.
func (db *DB) readMeta() error {
	var metas [2]metaPage
	buf := make([]byte, pageHdrSize+metaSize)
	off := int64(0)
	for i := range metas {
		if off+int64(len(buf)) > db.size {
			return fmt.Errorf("lmdb: meta page %d: %w: file of %d bytes is too short", i, ErrFormat, db.size)
		}
		if _, err := db.r.ReadAt(buf, off); err != nil {
			return fmt.Errorf("lmdb: meta page %d: %w", i, err)
		}
		m, err := parseMeta(i, buf)
		if err != nil {
			return err
		}
		metas[i] = m
		off = int64(m.psize)
	}
	if metas[0].psize != metas[1].psize {
		return fmt.Errorf("lmdb: %w: meta pages disagree on the page size (%d, %d)", ErrCorrupt, metas[0].psize, metas[1].psize)
	}
	db.meta = 0
	if metas[0].txnid < metas[1].txnid {
		db.meta = 1
	}
	m := metas[db.meta]
	db.psize = int(m.psize)
	db.txnid = m.txnid
	filePages := uint64(db.size) / uint64(db.psize)
	if filePages < 2 {
		return fmt.Errorf("lmdb: %w: file of %d bytes holds no two %d-byte pages", ErrCorrupt, db.size, db.psize)
	}
	if m.lastPg < 1 || m.lastPg >= filePages {
		return fmt.Errorf("lmdb: meta page %d: %w: last page %d, but the file holds %d pages (truncated?)", db.meta, ErrCorrupt, m.lastPg, filePages)
	}
	db.npages = m.lastPg + 1
	if m.dbFlags&dbOrderFlags != 0 {
		return fmt.Errorf("lmdb: meta page %d: %w: main database flags %#x (sorted duplicates or a non-bytewise key order)", db.meta, ErrUnsupported, m.dbFlags)
	}
	if m.root == invalidPgno {
		if m.depth != 0 || m.entries != 0 {
			return fmt.Errorf("lmdb: meta page %d: %w: empty main database with depth %d and %d entries", db.meta, ErrCorrupt, m.depth, m.entries)
		}
		db.root = invalidPgno
		return nil
	}
	if m.root < 2 || m.root >= db.npages {
		return fmt.Errorf("lmdb: meta page %d: %w: root page %d outside pages 2..%d", db.meta, ErrCorrupt, m.root, db.npages-1)
	}
	if m.depth < 1 || m.depth > MaxDepth {
		return fmt.Errorf("lmdb: meta page %d: %w: tree depth %d", db.meta, ErrCorrupt, m.depth)
	}
	if m.entries == 0 {
		return fmt.Errorf("lmdb: meta page %d: %w: root page %d but no entries", db.meta, ErrCorrupt, m.root)
	}
	db.root, db.depth, db.entries = m.root, int(m.depth), m.entries
	return nil
}

// An Entry is a key and its value.
type Entry struct {
	Key, Value []byte
}

// All returns an iterator over the entries of the main database in key
// order. It stops after yielding the first error, with the key of the entry
// concerned if there is one.
func (db *DB) All() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		c := db.Cursor()
		for c.Next() {
			v, err := c.Value()
			if err != nil {
				yield(Entry{Key: c.Key()}, err)
				return
			}
			if !yield(Entry{Key: c.Key(), Value: v}, nil) {
				return
			}
		}
		if err := c.Err(); err != nil {
			yield(Entry{}, err)
		}
	}
}
