package lmdb

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden reads a testdata list of "key-hex digest-hex" lines.
func golden(t testing.TB, name string) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, d, ok := strings.Cut(s.Text(), " ")
		if !ok {
			t.Fatalf("%s: bad line %q", name, s.Text())
		}
		out = append(out, [2]string{k, d})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// list iterates db with a Cursor and returns "key-hex digest-hex" pairs.
func list(t *testing.T, db *DB, digest func([]byte) string) [][2]string {
	t.Helper()
	var out [][2]string
	c := db.Cursor()
	for c.Next() {
		v, err := c.Value()
		if err != nil {
			t.Fatalf("entry %d: %v", len(out), err)
		}
		out = append(out, [2]string{hex.EncodeToString(c.Key()), digest(v)})
	}
	if err := c.Err(); err != nil {
		t.Fatalf("after %d entries: %v", len(out), err)
	}
	return out
}

func md5hex(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func compareLists(t *testing.T, got, want [][2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d entries, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("entry %d: got key %.16s... digest %s, want key %.16s... digest %s",
				i, got[i][0], got[i][1], want[i][0], want[i][1])
		}
	}
}

// TestLSUNMini reads the shared miniature LSUN category: 16 WebP (and other)
// values on overflow pages under one leaf page.
func TestLSUNMini(t *testing.T) {
	// The lsun keys are ASCII hex; the golden list gives them as text.
	want := golden(t, "lsun-mini.txt")
	for i := range want {
		want[i][0] = hex.EncodeToString([]byte(want[i][0]))
	}
	for _, path := range []string{"testdata/lsun-mini", "testdata/lsun-mini/data.mdb"} {
		t.Run(path, func(t *testing.T) {
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Entries() != 16 || db.PageSize() != 4096 || db.Depth() != 1 {
				t.Errorf("Entries %d PageSize %d Depth %d, want 16 4096 1", db.Entries(), db.PageSize(), db.Depth())
			}
			compareLists(t, list(t, db, md5hex), want)
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestGolden compares whole databases made by python-lmdb (testdata/gen.py)
// with the key and value digests the script wrote.
func TestGolden(t *testing.T) {
	tests := []struct {
		dir, golden string
		entries     uint64
		depth       int
	}{
		{"multilevel", "multilevel.txt", 240, 3},
		{"multilevel-compact", "multilevel.txt", 240, 3},
		{"small", "small.txt", 11, 2},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			db, err := Open(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Entries() != tt.entries || db.Depth() != tt.depth {
				t.Errorf("Entries %d Depth %d, want %d %d", db.Entries(), db.Depth(), tt.entries, tt.depth)
			}
			compareLists(t, list(t, db, sha256hex), golden(t, tt.golden))
		})
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name, "data.mdb"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newDB(t *testing.T, b []byte) *DB {
	t.Helper()
	db, err := New(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Byte positions in a data file with 4096-byte pages, for the tests that
// damage one.
const psz = 4096

func metaOff(i int) int                 { return i*psz + pageHdrSize }
func txnidOff(i int) int                { return metaOff(i) + 128 }
func mainDBOff(i int) int               { return metaOff(i) + 72 }
func put16(b []byte, off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }
func put32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
func put64(b []byte, off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }

// current returns the index of the meta page in use and the main database's
// root page.
func current(b []byte) (int, uint64) {
	m := 0
	if le.Uint64(b[txnidOff(0):]) < le.Uint64(b[txnidOff(1):]) {
		m = 1
	}
	return m, le.Uint64(b[mainDBOff(m)+40:])
}

// nodeOff returns the file offset of node i of page pgno.
func nodeOff(b []byte, pgno uint64, i int) int {
	p := int(pgno) * psz
	return p + int(le.Uint16(b[p+pageHdrSize+2*i:]))
}

// childOf returns the child page of node i of branch page pgno.
func childOf(b []byte, pgno uint64, i int) uint64 {
	n := nodeOff(b, pgno, i)
	return uint64(le.Uint16(b[n:])) | uint64(le.Uint16(b[n+2:]))<<16 | uint64(le.Uint16(b[n+4:]))<<32
}

// overflowOf returns the file offset of the overflow page number in node i
// of leaf page pgno.
func overflowOf(b []byte, pgno uint64, i int) int {
	n := nodeOff(b, pgno, i)
	return n + nodeHdrSize + int(le.Uint16(b[n+6:]))
}

// TestMetaSelection checks that the meta page with the higher transaction id
// is used, and that the older one still describes the previous snapshot.
func TestMetaSelection(t *testing.T) {
	b := readFile(t, "multilevel")
	if m, _ := current(b); m != 0 {
		t.Fatalf("fixture: meta page %d is current, want 0 (transaction 2)", m)
	}
	db := newDB(t, b)
	if db.Entries() != 240 {
		t.Errorf("Entries = %d, want 240 (transaction 2)", db.Entries())
	}
	compareLists(t, list(t, db, sha256hex), golden(t, "multilevel.txt"))

	// Make meta page 1 (transaction 1) the newer one.
	put64(b, txnidOff(0), 0)
	db = newDB(t, b)
	if db.Entries() != 228 {
		t.Errorf("stale meta: Entries = %d, want 228 (transaction 1)", db.Entries())
	}
	compareLists(t, list(t, db, sha256hex), golden(t, "multilevel-txn1.txt"))

	// In a compacted copy meta page 0 describes the empty database of
	// transaction 0; with equal ids LMDB takes meta page 0.
	b = readFile(t, "multilevel-compact")
	put64(b, txnidOff(1), 0)
	db = newDB(t, b)
	if db.Entries() != 0 || db.Depth() != 0 {
		t.Errorf("empty: Entries %d Depth %d, want 0 0", db.Entries(), db.Depth())
	}
	c := db.Cursor()
	if c.Next() || c.Err() != nil {
		t.Errorf("empty database: Next true or error %v", c.Err())
	}
}

// TestSkipAndAll checks that keys can be walked without reading values, that
// a walk can resume after n entries, and that All agrees with the Cursor.
func TestSkipAndAll(t *testing.T) {
	db, err := Open("testdata/multilevel-compact")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := golden(t, "multilevel.txt")

	const resume = 100
	c := db.Cursor()
	n := 0
	for n < resume && c.Next() {
		n++
	}
	var got [][2]string
	for c.Next() {
		v, err := c.Value()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]string{hex.EncodeToString(c.Key()), sha256hex(v)})
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	compareLists(t, got, want[resume:])
	if c.Next() || c.Key() != nil {
		t.Error("Next or Key after the end")
	}
	if _, err := c.Value(); err == nil {
		t.Error("Value after the end: no error")
	}

	got = got[:0]
	for e, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]string{hex.EncodeToString(e.Key), sha256hex(e.Value)})
	}
	compareLists(t, got, want)

	n = 0
	for range db.All() {
		if n++; n == 3 {
			break
		}
	}
}

// TestOwnership checks that the returned slices are not reused by the cursor.
func TestOwnership(t *testing.T) {
	db, err := Open("testdata/small")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var keys, vals [][]byte
	c := db.Cursor()
	for c.Next() {
		v, err := c.Value()
		if err != nil {
			t.Fatal(err)
		}
		keys, vals = append(keys, c.Key()), append(vals, v)
	}
	want := golden(t, "small.txt")
	for i := range want {
		if got := [2]string{hex.EncodeToString(keys[i]), sha256hex(vals[i])}; got != want[i] {
			t.Errorf("entry %d changed after the cursor moved on", i)
		}
	}
}

// TestSkipAllocs checks that walking the keys allocates nothing per entry:
// the memory of a walk does not depend on the size of the database.
func TestSkipAllocs(t *testing.T) {
	b := readFile(t, "multilevel")
	db := newDB(t, b)
	allocs := testing.AllocsPerRun(5, func() {
		c := db.Cursor()
		for c.Next() {
		}
		if c.Err() != nil {
			t.Fatal(c.Err())
		}
	})
	// The cursor, its path of 3 pages and the growing copy of the last key.
	if allocs > 12 {
		t.Errorf("%v allocations to walk 240 entries, want at most 12", allocs)
	}
}

// TestDamaged checks the errors on damaged files. Each case damages a copy of
// a fixture and expects an error from Open (New) or, if open is nil, from the
// walk (Next, Err or Value).
func TestDamaged(t *testing.T) {
	const (
		atOpen = iota
		atWalk
	)
	tests := []struct {
		name    string
		fixture string
		damage  func(b []byte) []byte
		when    int
		target  error
		text    string
	}{
		{"empty file", "small", func(b []byte) []byte { return nil }, atOpen, ErrFormat, "too short"},
		{"half a meta page", "small", func(b []byte) []byte { return b[:100] }, atOpen, ErrFormat, "meta page 0"},
		{"no second meta page", "small", func(b []byte) []byte { return b[:psz+100] }, atOpen, ErrFormat, "meta page 1"},
		{"truncated by a page", "multilevel-compact", func(b []byte) []byte { return b[:len(b)-psz] }, atOpen, ErrCorrupt, "truncated"},
		{"truncated by a byte", "lsun-mini", func(b []byte) []byte { return b[:len(b)-1] }, atOpen, ErrCorrupt, "truncated"},
		{"truncated in half", "multilevel", func(b []byte) []byte { return b[:len(b)/2] }, atOpen, ErrCorrupt, "truncated"},
		{"zeroed meta page 0", "multilevel", func(b []byte) []byte { clear(b[:psz]); return b }, atOpen, ErrFormat, "meta page 0"},
		{"zeroed meta page 1", "lsun-mini", func(b []byte) []byte { clear(b[psz : 2*psz]); return b }, atOpen, ErrFormat, "meta page 1"},
		{"bad magic", "small", func(b []byte) []byte { b[metaOff(1)] ^= 1; return b }, atOpen, ErrFormat, "magic"},
		{"version 2", "small", func(b []byte) []byte { put32(b, metaOff(0)+4, 2); return b }, atOpen, ErrFormat, "version 2"},
		{"page size 1000", "small", func(b []byte) []byte { put32(b, metaOff(0)+24, 1000); return b }, atOpen, ErrFormat, "page size 1000"},
		{"page sizes differ", "small", func(b []byte) []byte { put32(b, metaOff(1)+24, 8192); return b }, atOpen, ErrCorrupt, "page size"},
		{"meta flags", "small", func(b []byte) []byte { put16(b, 10, pLeaf); return b }, atOpen, ErrFormat, "P_META"},
		{"root beyond last page", "small", func(b []byte) []byte { put64(b, mainDBOff(1)+40, 7); return b }, atOpen, ErrCorrupt, "root page 7"},
		{"depth 33", "small", func(b []byte) []byte { put16(b, mainDBOff(1)+6, 33); return b }, atOpen, ErrCorrupt, "depth 33"},
		{"dupsort main database", "small", func(b []byte) []byte { put16(b, mainDBOff(1)+4, 0x04); return b }, atOpen, ErrUnsupported, "flags 0x4"},
		{"integerkey main database", "small", func(b []byte) []byte { put16(b, mainDBOff(1)+4, 0x08); return b }, atOpen, ErrUnsupported, "flags 0x8"},

		{"leaf page marked overflow", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+10, pOverflow)
			return b
		}, atWalk, ErrCorrupt, "want P_LEAF"},
		{"branch page marked leaf", "multilevel", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+10, pLeaf)
			return b
		}, atWalk, ErrCorrupt, "want P_BRANCH"},
		{"LEAF2 page", "small", func(b []byte) []byte {
			_, root := current(b)
			leaf := childOf(b, root, 0)
			put16(b, int(leaf)*psz+10, pLeaf|pLeaf2)
			return b
		}, atWalk, ErrUnsupported, "LEAF2"},
		{"meta depth too small", "multilevel", func(b []byte) []byte { put16(b, mainDBOff(0)+6, 2); return b }, atWalk, ErrCorrupt, "want P_LEAF"},
		{"meta depth too large", "multilevel", func(b []byte) []byte { put16(b, mainDBOff(0)+6, 4); return b }, atWalk, ErrCorrupt, "want P_BRANCH"},
		{"page number in header", "small", func(b []byte) []byte {
			_, root := current(b)
			put64(b, int(root)*psz, 99)
			return b
		}, atWalk, ErrCorrupt, "header says page 99"},
		{"child beyond last page", "multilevel", func(b []byte) []byte {
			_, root := current(b)
			n := nodeOff(b, root, 1)
			put16(b, n, 60000)
			return b
		}, atWalk, ErrCorrupt, "child page 60000"},
		{"child is an ancestor", "multilevel", func(b []byte) []byte {
			_, root := current(b)
			mid := childOf(b, root, 0)
			n := nodeOff(b, mid, 0)
			put16(b, n, uint16(root))
			put16(b, n+2, 0)
			put16(b, n+4, 0)
			return b
		}, atWalk, ErrCorrupt, "ancestor"},
		{"child is a meta page", "small", func(b []byte) []byte {
			_, root := current(b)
			put16(b, nodeOff(b, root, 0), 1)
			return b
		}, atWalk, ErrCorrupt, "child page 1"},
		{"same leaf twice", "small", func(b []byte) []byte {
			_, root := current(b)
			n, first := nodeOff(b, root, 1), childOf(b, root, 0)
			put16(b, n, uint16(first))
			return b
		}, atWalk, ErrCorrupt, "does not sort after"},
		{"keys out of order", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			n := nodeOff(b, root, 5)
			b[n+nodeHdrSize] = '0' // key 5 now sorts before key 4
			return b
		}, atWalk, ErrCorrupt, "node 5: key"},
		{"node offset outside page", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+pageHdrSize+2*3, 4093)
			return b
		}, atWalk, ErrCorrupt, "node 3 at offset 4093"},
		{"node offset in free space", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+pageHdrSize+2*3, 100)
			return b
		}, atWalk, ErrCorrupt, "node 3 at offset 100"},
		{"free space bounds", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+12, 17)
			return b
		}, atWalk, ErrCorrupt, "free space bounds 17"},
		{"page without nodes", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, int(root)*psz+12, pageHdrSize)
			return b
		}, atWalk, ErrCorrupt, "no nodes"},
		{"key overruns page", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, nodeOff(b, root, 0)+6, 5000)
			return b
		}, atWalk, ErrCorrupt, "key of 5000 bytes"},
		{"inline value overruns page", "small", func(b []byte) []byte {
			_, root := current(b)
			leaf := childOf(b, root, 0)
			put16(b, nodeOff(b, leaf, 0), 3000)
			return b
		}, atWalk, ErrCorrupt, "value of 3000 bytes overruns the page"},
		{"unknown node flag", "small", func(b []byte) []byte {
			_, root := current(b)
			leaf := childOf(b, root, 0)
			put16(b, nodeOff(b, leaf, 0)+4, 0x10)
			return b
		}, atWalk, ErrCorrupt, "node flags 0x10"},
		{"duplicates node", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put16(b, nodeOff(b, root, 2)+4, fDupData)
			return b
		}, atWalk, ErrUnsupported, "F_DUPDATA"},
		{"sub-database", "subdb", func(b []byte) []byte { return b }, atWalk, ErrUnsupported, `"sub"`},
		{"overflow page beyond last page", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			put64(b, overflowOf(b, root, 4), 1<<40)
			return b
		}, atWalk, ErrCorrupt, "overflow page 1099511627776"},
		{"overflow value overruns file", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			n := nodeOff(b, root, 15)
			put16(b, n+2, 0x7fff) // size about 2 GiB
			return b
		}, atWalk, ErrCorrupt, "overruns the last page"},
		{"overflow page not overflow", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			ov := le.Uint64(b[overflowOf(b, root, 7):])
			put16(b, int(ov)*psz+10, pLeaf)
			return b
		}, atWalk, ErrCorrupt, "want P_OVERFLOW"},
		{"overflow page count too small", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			ov := le.Uint64(b[overflowOf(b, root, 7):])
			put32(b, int(ov)*psz+12, 1)
			return b
		}, atWalk, ErrCorrupt, "1 overflow pages"},
		{"overflow page count too large", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			ov := le.Uint64(b[overflowOf(b, root, 7):])
			put32(b, int(ov)*psz+12, 1000)
			return b
		}, atWalk, ErrCorrupt, "1000 overflow pages"},
		{"overflow header page number", "lsun-mini", func(b []byte) []byte {
			_, root := current(b)
			ov := le.Uint64(b[overflowOf(b, root, 7):])
			put64(b, int(ov)*psz, 3)
			return b
		}, atWalk, ErrCorrupt, "header says page 3"},
		{"fewer entries than recorded", "multilevel", func(b []byte) []byte { put64(b, mainDBOff(0)+32, 241); return b }, atWalk, ErrCorrupt, "241 entries recorded, 240 in the tree"},
		{"more entries than recorded", "multilevel", func(b []byte) []byte { put64(b, mainDBOff(0)+32, 239); return b }, atWalk, ErrCorrupt, "more entries than the 239"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.damage(readFile(t, tt.fixture))
			db, err := New(bytes.NewReader(b), int64(len(b)))
			if tt.when == atOpen {
				if err == nil {
					t.Fatal("New: no error")
				}
			} else {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				err = walk(db)
				if err == nil {
					t.Fatal("walk: no error")
				}
			}
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q, want %v containing %q", err, tt.target, tt.text)
			}
		})
	}
}

// walk reads every key and value and returns the first error.
func walk(db *DB) error {
	c := db.Cursor()
	for c.Next() {
		c.Key()
		if _, err := c.Value(); err != nil {
			return err
		}
	}
	return c.Err()
}

// TestAllError checks that All yields a walk's error once and stops.
func TestAllError(t *testing.T) {
	for _, tt := range []struct {
		name string
		page func(b []byte) int // offset to damage
		key  bool               // whether the error comes with the entry's key
	}{
		{"leaf", func(b []byte) int { _, root := current(b); return int(root)*psz + 10 }, false},
		{"overflow", func(b []byte) int {
			_, root := current(b)
			return int(le.Uint64(b[overflowOf(b, root, 0):]))*psz + 10
		}, true},
	} {
		b := readFile(t, "lsun-mini")
		put16(b, tt.page(b), 0)
		var errs, entries int
		for e, err := range newDB(t, b).All() {
			if err == nil {
				entries++
				continue
			}
			errs++
			if !errors.Is(err, ErrCorrupt) || (e.Key != nil) != tt.key {
				t.Errorf("%s: error %v with key %q", tt.name, err, e.Key)
			}
		}
		if errs != 1 || entries != 0 {
			t.Errorf("%s: %d errors after %d entries, want 1 after 0", tt.name, errs, entries)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("testdata/no-such-dir"); err == nil {
		t.Error("Open of a missing path: no error")
	}
	// A directory without data.mdb (testdata itself).
	if _, err := Open("testdata"); err == nil {
		t.Error("Open of a directory without data.mdb: no error")
	}
	// A file that is not an LMDB file names itself in the error.
	_, err := Open("testdata/gen.py")
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "gen.py") {
		t.Errorf("Open(gen.py) = %v, want ErrFormat naming the file", err)
	}
}

func BenchmarkCursor(b *testing.B) {
	for _, name := range []string{"lsun-mini", "multilevel-compact"} {
		b.Run(name, func(b *testing.B) {
			db, err := Open(filepath.Join("testdata", name))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var total int64
			for e, err := range db.All() {
				if err != nil {
					b.Fatal(err)
				}
				total += int64(len(e.Key) + len(e.Value))
			}
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				if err := walk(db); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(db.Entries()), "ns/entry")
		})
	}
}
