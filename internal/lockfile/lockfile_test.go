package lockfile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAcquire(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	l, err := Acquire(out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(Path(out))
	if strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q", b)
	}
	// A second lock, even in this process (flock locks are per open file),
	// is refused and names the holder.
	_, err = Acquire(out)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), out) {
		t.Errorf("second lock: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(Path(out)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left: %v", err)
	}
	l2, err := Acquire(out)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

// TestDeadHolder checks that the lock of a process that died without
// releasing it (the file is left behind) is free.
func TestDeadHolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ds")
	cmd := exec.Command("sh", "-c", "exec 9>"+Path(out)+"; flock -n 9 && echo 123 >&9")
	if err := cmd.Run(); err != nil {
		t.Skipf("no flock(1): %v", err)
	}
	l, err := Acquire(out)
	if err != nil {
		t.Fatalf("stale lock file: %v", err)
	}
	l.Release()
}
