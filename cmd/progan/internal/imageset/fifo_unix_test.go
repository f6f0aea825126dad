//go:build unix

package imageset

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A .zip that is a named pipe is refused, not waited on.
func TestZipFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.zip")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := Open(path, Options{})
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "x.zip: not a regular file (a named pipe)") {
			t.Errorf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open blocked on a named pipe")
	}
}
