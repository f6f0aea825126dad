// Package lockfile is the advisory lock every writer of progan takes on
// its output before touching it: a dataset being packed, a run folder
// being trained, a folder being filled with images. The lock is a file
// beside the output, .NAME.lock, holding the owner's pid and locked with
// flock(2), so the kernel releases it when the process ends, however it
// ends; a second writer is refused at once with the pid of the first.
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked is wrapped by Acquire's error when another process holds the
// lock.
var ErrLocked = errors.New("in use")

// Lock is a held lock; Release gives it up.
type Lock struct {
	f    *os.File
	path string
}

// Path returns the lock file of the output path: .NAME.lock in the same
// folder.
func Path(output string) string {
	output = filepath.Clean(output)
	return filepath.Join(filepath.Dir(output), "."+filepath.Base(output)+".lock")
}

// Acquire locks output (a file or folder, which need not exist yet)
// against other progan processes. If another process holds it, the error
// names the output and that process's pid and wraps ErrLocked.
func Acquire(output string) (*Lock, error) {
	for {
		l, retry, err := acquire(output)
		if !retry {
			return l, err
		}
	}
}

// acquire is one try; retry reports that the lock file was removed by its
// releasing holder between our open and our lock.
func acquire(output string) (l *Lock, retry bool, err error) {
	path := Path(output)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("locking %s: %w", output, err)
	}
	if err := lock(f); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			pid := strings.TrimSpace(string(b[:n]))
			if _, perr := strconv.Atoi(pid); perr != nil || pid == "" {
				pid = "unknown"
			}
			return nil, false, fmt.Errorf("%s is %w by another progan (pid %s; lock %s)", output, ErrLocked, pid, path)
		}
		return nil, false, fmt.Errorf("locking %s: %w", output, err)
	}
	if fi, err := f.Stat(); err == nil {
		if cur, err := os.Stat(path); err != nil || !os.SameFile(fi, cur) {
			f.Close()
			return nil, true, nil
		}
	}
	// The holder's pid, for the message of the next one.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, false, nil
}

// Release removes the lock file and unlocks it. Removing first means a
// process waiting on the old file finds it gone and takes a new one.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	rerr := os.Remove(l.path)
	cerr := l.f.Close() // closing releases the flock
	l.f = nil
	if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return rerr
	}
	return cerr
}
