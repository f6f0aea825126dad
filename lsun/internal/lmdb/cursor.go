package lmdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

var le = binary.LittleEndian

// A Cursor walks the entries of the main database in bytewise key order:
//
//	c := db.Cursor()
//	for c.Next() {
//		k := c.Key()
//		v, err := c.Value()
//		...
//	}
//	if err := c.Err(); err != nil {
//		...
//	}
//
// Values are read only when Value is called, so skipping entries costs one
// page read per leaf page. A Cursor must not be used by several goroutines at
// once; the slices it returns belong to the caller.
type Cursor struct {
	db    *DB
	path  []frame // root to leaf; path[i] holds the page at level i
	state int
	err   error
	count uint64 // entries visited
	last  []byte // the previous key, for the order check

	// The current entry, valid while state == positioned.
	key    []byte // aliases the leaf page buffer
	inline []byte // the value when not on overflow pages
	big    bool   // the value is on overflow pages
	ovPgno uint64 // first overflow page
	vsize  int    // value size
}

const (
	unstarted = iota
	positioned
	finished
)

// A frame is one page of the path from the root to the current leaf.
type frame struct {
	pgno uint64
	buf  []byte // the page
	idx  int    // current node
	n    int    // number of nodes
}

// Cursor returns a cursor positioned before the first entry.
func (db *DB) Cursor() *Cursor {
	return &Cursor{db: db}
}

// Next advances to the next entry and reports whether there is one. It
// returns false at the end of the database or on an error, which Err reports.
func (c *Cursor) Next() bool {
	if c.err != nil || c.state == finished {
		return false
	}
	var err error
	if c.state == unstarted {
		c.state = positioned
		if c.db.root == invalidPgno {
			c.state = finished
			return false
		}
		c.path = make([]frame, c.db.depth)
		for i := range c.path {
			c.path[i].buf = make([]byte, c.db.psize)
		}
		err = c.descend(0, c.db.root)
	} else {
		err = c.advance()
	}
	if err == errEndOfTree {
		c.state = finished
		if c.count != c.db.entries {
			c.err = fmt.Errorf("lmdb: meta page %d: %w: %d entries recorded, %d in the tree", c.db.meta, ErrCorrupt, c.db.entries, c.count)
		}
		return false
	}
	if err == nil {
		err = c.loadNode()
	}
	if err != nil {
		c.err = err
		c.state = finished
		return false
	}
	return true
}

// Err returns the error that ended the iteration, or nil at the end of the
// database.
func (c *Cursor) Err() error { return c.err }

// Key returns a copy of the key of the current entry, or nil if there is
// none.
func (c *Cursor) Key() []byte {
	if c.state != positioned {
		return nil
	}
	return bytes.Clone(c.key)
}

// Value reads the value of the current entry into a new slice. An error
// reading a value does not end the iteration.
func (c *Cursor) Value() ([]byte, error) {
	if c.state != positioned {
		return nil, errors.New("lmdb: Value called without a current entry")
	}
	if !c.big {
		return append(make([]byte, 0, len(c.inline)), c.inline...), nil
	}
	db, pgno := c.db, c.ovPgno
	// One read of the overflow page header and the value after it. Next has
	// checked that it lies within the pages the meta page allows.
	buf := make([]byte, pageHdrSize+c.vsize)
	if _, err := db.r.ReadAt(buf, int64(pgno)*int64(db.psize)); err != nil {
		return nil, fmt.Errorf("lmdb: overflow page %d: %w", pgno, err)
	}
	if pg := le.Uint64(buf); pg != pgno {
		return nil, corrupt(pgno, "overflow page header says page %d", pg)
	}
	if fl := le.Uint16(buf[10:]); fl&^(pDirty|pKeep) != pOverflow {
		return nil, corrupt(pgno, "page flags %#x, want P_OVERFLOW for a value of %d bytes", fl, c.vsize)
	}
	n := uint64(le.Uint32(buf[12:]))
	if need := overflowPages(uint64(c.vsize), db.psize); n < need || n > db.npages-pgno {
		return nil, corrupt(pgno, "%d overflow pages for a value of %d bytes (needs %d, file allows %d)", n, c.vsize, need, db.npages-pgno)
	}
	return buf[pageHdrSize:], nil
}

// overflowPages is OVPAGES: the pages holding a value of size bytes.
func overflowPages(size uint64, psize int) uint64 {
	return (pageHdrSize-1+size)/uint64(psize) + 1
}

var errEndOfTree = errors.New("end of tree")

// advance moves to the next leaf node, reading pages as needed.
func (c *Cursor) advance() error {
	d := len(c.path)
	leaf := &c.path[d-1]
	if leaf.idx++; leaf.idx < leaf.n {
		return nil
	}
	for l := d - 2; l >= 0; l-- {
		f := &c.path[l]
		if f.idx++; f.idx < f.n {
			child, err := c.child(f)
			if err != nil {
				return err
			}
			return c.descend(l+1, child)
		}
	}
	return errEndOfTree
}

// descend reads page pgno into level l of the path and follows the first
// child of each branch page down to a leaf.
func (c *Cursor) descend(l int, pgno uint64) error {
	d := len(c.path)
	for ; l < d; l++ {
		for j := range l {
			if c.path[j].pgno == pgno {
				return corrupt(c.path[l-1].pgno, "node %d: child page %d is also its ancestor at level %d", c.path[l-1].idx, pgno, j)
			}
		}
		f := &c.path[l]
		if err := c.readPage(f, pgno, l); err != nil {
			return err
		}
		if l < d-1 {
			child, err := c.child(f)
			if err != nil {
				return err
			}
			pgno = child
		}
	}
	return nil
}

// readPage reads and checks the header of page pgno, which must be a branch
// page at the levels above the last and a leaf page at the last.
func (c *Cursor) readPage(f *frame, pgno uint64, level int) error {
	db := c.db
	leaf := level == len(c.path)-1
	if pgno < 2 || pgno >= db.npages {
		return fmt.Errorf("lmdb: %w: page %d outside pages 2..%d", ErrCorrupt, pgno, db.npages-1)
	}
	if _, err := db.r.ReadAt(f.buf, int64(pgno)*int64(db.psize)); err != nil {
		return fmt.Errorf("lmdb: page %d: %w", pgno, err)
	}
	b := f.buf
	if pg := le.Uint64(b); pg != pgno {
		return corrupt(pgno, "header says page %d", pg)
	}
	flags := le.Uint16(b[10:]) &^ (pDirty | pKeep)
	switch {
	case flags&(pLeaf2|pSubp) != 0:
		return unsupported(pgno, "page flags %#x: LEAF2 or sub-page (sorted duplicates)", flags)
	case leaf && flags != pLeaf:
		return corrupt(pgno, "page flags %#x at level %d, want P_LEAF (tree depth %d)", flags, level, len(c.path))
	case !leaf && flags != pBranch:
		return corrupt(pgno, "page flags %#x at level %d, want P_BRANCH (tree depth %d)", flags, level, len(c.path))
	}
	lower, upper := int(le.Uint16(b[12:])), int(le.Uint16(b[14:]))
	if lower < pageHdrSize || (lower-pageHdrSize)%2 != 0 || lower > upper || upper > db.psize {
		return corrupt(pgno, "free space bounds %d..%d", lower, upper)
	}
	n := (lower - pageHdrSize) / 2
	if n == 0 {
		return corrupt(pgno, "no nodes")
	}
	f.pgno, f.idx, f.n = pgno, 0, n
	return nil
}

// node returns the offset of the header of node i of page f, checked to lie
// in the node area of the page.
func (c *Cursor) node(f *frame, i int) (int, error) {
	upper := int(le.Uint16(f.buf[14:]))
	off := int(le.Uint16(f.buf[pageHdrSize+2*i:]))
	if off < upper || off+nodeHdrSize > len(f.buf) {
		return 0, corrupt(f.pgno, "node %d at offset %d outside %d..%d", i, off, upper, len(f.buf)-nodeHdrSize)
	}
	return off, nil
}

// child returns the page number of the current node of branch page f.
func (c *Cursor) child(f *frame) (uint64, error) {
	off, err := c.node(f, f.idx)
	if err != nil {
		return 0, err
	}
	b := f.buf[off:]
	if ks := int(le.Uint16(b[6:])); nodeHdrSize+ks > len(b) {
		return 0, corrupt(f.pgno, "node %d: key of %d bytes at offset %d overruns the page", f.idx, ks, off)
	}
	pgno := uint64(le.Uint16(b[0:])) | uint64(le.Uint16(b[2:]))<<16 | uint64(le.Uint16(b[4:]))<<32
	if pgno < 2 || pgno >= c.db.npages {
		return 0, corrupt(f.pgno, "node %d: child page %d outside pages 2..%d", f.idx, pgno, c.db.npages-1)
	}
	return pgno, nil
}

// loadNode decodes and checks the current node of the leaf page.
func (c *Cursor) loadNode() error {
	db := c.db
	f := &c.path[len(c.path)-1]
	off, err := c.node(f, f.idx)
	if err != nil {
		return err
	}
	b := f.buf[off:]
	flags := le.Uint16(b[4:])
	ks := int(le.Uint16(b[6:]))
	if nodeHdrSize+ks > len(b) {
		return corrupt(f.pgno, "node %d: key of %d bytes at offset %d overruns the page", f.idx, ks, off)
	}
	key := b[nodeHdrSize : nodeHdrSize+ks]
	switch {
	case flags&fDupData != 0:
		return unsupported(f.pgno, "node %d (key %s): sorted duplicates (F_DUPDATA)", f.idx, short(key))
	case flags&fSubData != 0:
		return unsupported(f.pgno, "node %d (key %q): named sub-database (F_SUBDATA)", f.idx, key[:min(len(key), 64)])
	case flags&^fBigData != 0:
		return corrupt(f.pgno, "node %d: node flags %#x", f.idx, flags)
	}
	if c.count > 0 && bytes.Compare(key, c.last) <= 0 {
		return corrupt(f.pgno, "node %d: key %s does not sort after the previous key %s", f.idx, short(key), short(c.last))
	}
	if c.count == db.entries {
		return corrupt(f.pgno, "node %d: more entries than the %d the meta page records", f.idx, db.entries)
	}
	size := uint64(le.Uint16(b[0:])) | uint64(le.Uint16(b[2:]))<<16
	rest := b[nodeHdrSize+ks:]
	if flags&fBigData != 0 {
		if len(rest) < 8 {
			return corrupt(f.pgno, "node %d: overflow page number overruns the page", f.idx)
		}
		pgno := le.Uint64(rest)
		if pgno < 2 || pgno >= db.npages {
			return corrupt(f.pgno, "node %d: overflow page %d outside pages 2..%d", f.idx, pgno, db.npages-1)
		}
		if overflowPages(size, db.psize) > db.npages-pgno {
			return corrupt(f.pgno, "node %d: value of %d bytes on overflow page %d overruns the last page %d", f.idx, size, pgno, db.npages-1)
		}
		c.big, c.ovPgno, c.inline = true, pgno, nil
	} else {
		if size > uint64(len(rest)) {
			return corrupt(f.pgno, "node %d: value of %d bytes overruns the page", f.idx, size)
		}
		c.big, c.ovPgno, c.inline = false, 0, rest[:size]
	}
	// size fits in an int: it is bounded by the page or by the file.
	c.key, c.vsize = key, int(size)
	c.last = append(c.last[:0], key...)
	c.count++
	return nil
}

func corrupt(pgno uint64, format string, args ...any) error {
	return fmt.Errorf("lmdb: page %d: %w: %s", pgno, ErrCorrupt, fmt.Sprintf(format, args...))
}

func unsupported(pgno uint64, format string, args ...any) error {
	return fmt.Errorf("lmdb: page %d: %w: %s", pgno, ErrUnsupported, fmt.Sprintf(format, args...))
}

// short formats a key for an error message: hex, cut after 32 bytes.
func short(key []byte) string {
	if len(key) > 32 {
		return fmt.Sprintf("%x...(%d bytes)", key[:32], len(key))
	}
	return fmt.Sprintf("%x", key)
}
