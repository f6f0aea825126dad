package imagefile

import (
	"fmt"
	"io"
	"os"
)

// OpenRegular opens path for reading and refuses anything but a regular
// file (after symbolic links). A FIFO would block open(2) until a writer
// came, and reads after it forever, out of reach of SIGINT; a device such
// as /dev/zero never ends. The open is non-blocking so that a FIFO is
// seen, by fstat on the descriptor, before anything waits on it; the flag
// means nothing for the regular files that are kept. The error names the
// file.
func OpenRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, nil, err // *fs.PathError names the file
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file (%s)", path, kind(st.Mode()))
	}
	return f, st, nil
}

// kind names a file type for OpenRegular's message.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "type " + m.Type().String()
}

// ReadRegular reads the regular file at path whole, refusing other kinds
// of file (see OpenRegular) and files over limit bytes before reading.
// Errors name the file.
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, st, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d this input can be", path, st.Size(), limit)
	}
	// The file may grow under us: read at most limit+1 bytes and tell.
	b := make([]byte, 0, st.Size()+1)
	b, err = readAllLimit(f, b, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// readAllLimit appends r's bytes to b and fails if they go beyond limit
// bytes in all.
func readAllLimit(r io.Reader, b []byte, limit int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("more than %d bytes", limit)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
