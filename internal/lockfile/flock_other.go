//go:build !unix

package lockfile

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("locked")

// lock is a no-op where flock(2) does not exist: outputs are not locked
// there.
func lock(*os.File) error { return nil }
