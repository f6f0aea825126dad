package imageset

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// bombPNG is a PNG of about 60 bytes whose header declares an
// 11584×11584 16-bit RGBA canvas (a gibibyte decoded). testdata/bomb.png
// holds its bytes for the command's tests (TestBombFixture).
func bombPNG() []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 11584)
	binary.BigEndian.PutUint32(ihdr[4:], 11584)
	ihdr[8], ihdr[9] = 16, 6
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return out.Bytes()
}

// member is one entry of a test zip: its bytes, or a raw header that
// declares a size it does not hold.
type member struct {
	name string
	data []byte
	raw  *zip.FileHeader
}

func writeZip(t *testing.T, path string, members ...member) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		if m.raw != nil {
			w, err := zw.CreateRaw(m.raw)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(m.data)
			continue
		}
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// deflated returns n zero bytes, deflated.
func deflated(n int) []byte {
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestSpeed)
	io.CopyN(fw, zeroReader{}, int64(n))
	fw.Close()
	return b.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Zip members are checked from their header and their image header
// before they are read: a member that is not an image, declares more than
// the decoding budget or is a decompression bomb is an error naming the
// archive and the member, and costs little memory.
func TestZipMembersCheckedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	const big = 96 << 20
	for _, tt := range []struct {
		name   string
		member member
		want   string
	}{
		{"not an image", member{name: "pics/zeros.png", data: make([]byte, big)},
			"x.zip:pics/zeros.png: not a PNG, JPEG, GIF, BMP, TIFF or WebP file"},
		{"declares 2 GiB", member{data: deflated(1 << 20), raw: &zip.FileHeader{Name: "pics/huge.png", Method: zip.Deflate,
			CompressedSize64: uint64(len(deflated(1 << 20))), UncompressedSize64: 2 << 30}},
			"x.zip:pics/huge.png: 2147483648 bytes, more than the 1024.0 MiB decoding budget"},
		{"decompression bomb", member{name: "pics/bomb.png", data: bombPNG()},
			"x.zip:pics/bomb.png: 11584x11584 png image needs 1535.7 MiB to decode, more than the 1024.0 MiB decoding budget"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "x.zip")
			writeZip(t, path, member{name: "pics/a.png", data: pngBytes(t, 8, 1)}, tt.member)
			s, err := Open(path, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var got error
			n := 0
			for _, err := range s.Images(context.Background(), 0) {
				if err != nil {
					got = err
					break
				}
				n++
			}
			runtime.ReadMemStats(&after)
			if n != 1 || got == nil || !strings.Contains(got.Error(), tt.want) {
				t.Fatalf("%d images, then %v; want 1, then %q", n, got, tt.want)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > 32<<20 {
				t.Errorf("allocated %d MiB to refuse the member", a>>20)
			}
		})
	}
}

// TestBombFixture: testdata/bomb.png is bombPNG's output, written by
// os.WriteFile("testdata/bomb.png", bombPNG(), 0o644).
func TestBombFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "bomb.png"))
	if err != nil || !bytes.Equal(b, bombPNG()) {
		t.Errorf("testdata/bomb.png is not bombPNG's output (%v)", err)
	}
}
