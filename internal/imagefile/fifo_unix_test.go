//go:build unix

package imagefile

import (
	"path/filepath"
	"syscall"
	"testing"
)

// makeFIFO makes a named pipe fifo.png in dir.
func makeFIFO(t *testing.T, dir string) (string, bool) {
	p := filepath.Join(dir, "fifo.png")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
		return "", false
	}
	return p, true
}
