package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
	bad := errors.New("bad")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return bad
	})
	if err != bad {
		t.Fatalf("error %v, want the write's own", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("content after a failed write %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left behind: %v", got)
	}
}

func TestWriteVia(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.zip")
	tmp := filepath.Join(dir, ".a.zip.partial")
	if err := os.WriteFile(tmp, []byte("leftover of an interrupted run"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteVia(path, tmp, 0o644, func(w io.Writer) error {
		_, err := w.Write([]byte("zip"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "zip" {
		t.Fatalf("content %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left behind: %v", got)
	}
	bad := errors.New("bad")
	if err := WriteVia(filepath.Join(dir, "b"), tmp, 0o644, func(io.Writer) error { return bad }); err != bad {
		t.Fatalf("error %v", err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left behind: %v", got)
	}
}

func TestCommitDir(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	tmp := filepath.Join(root, ".out.partial")
	for _, empty := range []bool{false, true} {
		os.RemoveAll(dir)
		if empty {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(tmp, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "f"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := CommitDir(tmp, dir); err != nil {
			t.Fatal(err)
		}
		if got := entries(t, dir); len(got) != 1 || got[0] != "f" {
			t.Fatalf("empty %v: dir holds %v", empty, got)
		}
	}
	// A non-empty destination is not replaced, and tmp is kept.
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CommitDir(tmp, dir); err == nil {
		t.Fatal("replaced a non-empty folder")
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal(err)
	}
}
