package lmdb

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzCursor opens mutated data files and walks every key and value: a
// damaged file must give an error (never a panic, a hang or an allocation
// beyond the file's size), and a walk without error must visit exactly the
// entries the meta page records, in strictly increasing key order.
//
// Run it with a short minimization time, since the seeds are large:
//
//	go test ./lsun/internal/lmdb -run '^$' -fuzz FuzzCursor -fuzztime 30s -fuzzminimizetime 1s
func FuzzCursor(f *testing.F) {
	for _, name := range []string{"small", "subdb", "lsun-mini", "multilevel-compact", "multilevel"} {
		f.Add(readFile(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := New(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("New: unexpected error kind: %v", err)
			}
			return
		}
		var n uint64
		var prev []byte
		c := db.Cursor()
		for c.Next() {
			k := c.Key()
			if n > 0 && bytes.Compare(k, prev) <= 0 {
				t.Fatalf("entry %d: key out of order", n)
			}
			prev = k
			n++
			v, err := c.Value()
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("entry %d: Value: unexpected error kind: %v", n-1, err)
				}
				continue
			}
			if len(v) > len(b) {
				t.Fatalf("entry %d: value of %d bytes from a file of %d", n-1, len(v), len(b))
			}
		}
		if err := c.Err(); err == nil && n != db.Entries() {
			t.Fatalf("walked %d entries without error, meta page records %d", n, db.Entries())
		} else if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Err: unexpected error kind: %v", err)
		}
	})
}
