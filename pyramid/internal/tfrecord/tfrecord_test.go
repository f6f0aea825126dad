package tfrecord

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// The frame of payload "hello", computed with an independent bitwise
// CRC32C in Python (see the command in testdata/README.md).
const helloFrame = "0500000000000000eab2043e68656c6c6fbb1f1c19"

func TestAppendFrameGolden(t *testing.T) {
	got := hex.EncodeToString(AppendFrame(nil, []byte("hello")))
	if got != helloFrame {
		t.Fatalf("frame = %s, want %s", got, helloFrame)
	}
}

func TestReaderRoundTrip(t *testing.T) {
	payloads := [][]byte{{}, []byte("a"), bytes.Repeat([]byte{7}, 70000), []byte("last")}
	var buf []byte
	for _, p := range payloads {
		buf = AppendFrame(buf, p)
	}
	r := NewReader(bytes.NewReader(buf), 0)
	var off int64
	for i, want := range payloads {
		if r.Offset() != off {
			t.Fatalf("record %d: offset %d, want %d", i, r.Offset(), off)
		}
		got, err := r.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d differs", i)
		}
		off += int64(len(want) + HeaderLen + FooterLen)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after last: %v, want io.EOF", err)
	}
}

func TestReaderErrors(t *testing.T) {
	good := AppendFrame(nil, []byte("payload"))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"truncated header", good[:5], io.ErrUnexpectedEOF},
		{"truncated payload", good[:15], io.ErrUnexpectedEOF},
		{"truncated footer", good[:len(good)-1], io.ErrUnexpectedEOF},
		{"length bit flipped", flip(0), ErrCorrupt},
		{"length crc flipped", flip(9), ErrCorrupt},
		{"payload bit flipped", flip(13), ErrCorrupt},
		{"payload crc flipped", flip(len(good) - 2), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.in), 0).Next()
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// A bad payload checksum leaves the reader at the next frame.
func TestReadOnAfterBadPayload(t *testing.T) {
	buf := AppendFrame(nil, []byte("first"))
	bad := len(buf) + HeaderLen
	buf = AppendFrame(buf, []byte("second"))
	buf = AppendFrame(buf, []byte("third"))
	buf[bad] ^= 1
	r := NewReader(bytes.NewReader(buf), 0)
	var got []string
	var errs int
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrCorruptPayload) {
			errs++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(p))
	}
	if errs != 1 || len(got) != 2 || got[1] != "third" {
		t.Fatalf("read %q with %d payload errors", got, errs)
	}
}

func TestSkip(t *testing.T) {
	var buf []byte
	for _, n := range []int{3, 0, 1000} {
		buf = AppendFrame(buf, make([]byte, n))
	}
	r := NewReader(bytes.NewReader(buf), 0)
	for _, want := range []int{3, 0, 1000} {
		n, err := r.Skip()
		if err != nil || n != want {
			t.Fatalf("Skip = %d, %v; want %d", n, err, want)
		}
	}
	if _, err := r.Skip(); err != io.EOF {
		t.Fatalf("Skip at end: %v", err)
	}
}

func TestLengthLimit(t *testing.T) {
	buf := AppendFrame(nil, make([]byte, 100))
	if _, err := NewReader(bytes.NewReader(buf), 50).Next(); err == nil {
		t.Fatal("frame over the limit accepted")
	}
}

func FuzzReader(f *testing.F) {
	f.Add(AppendFrame(nil, []byte("hello")))
	f.Add(AppendFrame(AppendFrame(nil, AppendExample(nil, 1, 4, 4, make([]byte, 16))), nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), 1<<16)
		for range 100 {
			off := r.Offset()
			p, err := r.Next()
			if err != nil {
				return
			}
			// A frame the reader accepts must re-frame to the bytes it came from.
			frame := AppendFrame(nil, p)
			if !bytes.Equal(b[off:off+int64(len(frame))], frame) || r.Offset() != off+int64(len(frame)) {
				t.Fatalf("accepted frame at %d does not re-frame to its bytes", off)
			}
			ParseExample(p)
		}
	})
}
