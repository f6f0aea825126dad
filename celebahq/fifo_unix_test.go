//go:build unix

package celebahq

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Inputs that are named pipes are refused, not waited on.
func TestBuildFIFOInputs(t *testing.T) {
	dir := copyMini(t)
	jpg := filepath.Join(dir, "img_celeba", "000010.jpg")
	os.Remove(jpg)
	if err := syscall.Mkfifo(jpg, 0o644); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	within(t, func() {
		j, err := NewJob(Options{CelebADir: dir, DeltasDir: filepath.Join(dir, "deltas"), NoDeltas: true, Only: []int{1234}})
		if err != nil {
			t.Error(err)
			return
		}
		defer j.Close()
		items := collect(t, j, 0)
		if len(items) != 1 || items[0].Err == nil || items[0].Err.Stage != "read" || !strings.Contains(items[0].Err.Error(), "000010.jpg: not a regular file (a named pipe)") {
			t.Errorf("items %+v", items)
		}
	})

	zipPath := filepath.Join(dir, "deltas", ZipName(1234))
	os.Remove(zipPath)
	if err := syscall.Mkfifo(zipPath, 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, func() {
		if _, err := ReadDelta(filepath.Join(dir, "deltas"), 1234); err == nil || !strings.Contains(err.Error(), "deltas01000.zip: not a regular file (a named pipe)") {
			t.Errorf("ReadDelta: %v", err)
		}
	})

	lm := filepath.Join(dir, "Anno", "list_landmarks_celeba.txt")
	os.Remove(lm)
	if err := syscall.Mkfifo(lm, 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, func() {
		if _, err := NewJob(Options{CelebADir: dir, NoDeltas: true}); err == nil || !strings.Contains(err.Error(), "list_landmarks_celeba.txt: not a regular file (a named pipe)") {
			t.Errorf("NewJob: %v", err)
		}
	})
}

// within runs f and fails the test if it takes more than 10 s (it would
// block forever on a named pipe).
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("blocked")
	}
}
