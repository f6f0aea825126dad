package cifar

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	gzip "github.com/klauspost/compress/gzip"
)

// zerosTarGz writes a tar.gz whose member name holds size zero bytes,
// streaming them: a large archive costs little to make.
func zerosTarGz(t *testing.T, p, name string, size int64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeroReader{}, size); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Archive members are checked from their header and first bytes before
// they are read whole: a member of zeros (a gibibyte once cost 2 GB and
// 18 s before "unknown opcode") is refused having read 16 bytes of it.
func TestMemberCheckedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		archive, member string
		size            int64
		read            func(string) (*Dataset, error)
		want            string
	}{
		{"cifar-10-python.tar.gz", "cifar-10-batches-py/data_batch_1", 60 << 20, ReadCIFAR10,
			"cifar-10-python.tar.gz:cifar-10-batches-py/data_batch_1: not a pickle (starts with 00 00 00 00 00 00 00 00)"},
		{"cifar-10-python.tar.gz", "cifar-10-batches-py/data_batch_1", 65 << 20, ReadCIFAR10,
			"cifar-10-python.tar.gz:cifar-10-batches-py/data_batch_1: 68157440 bytes, more than a batch of this dataset can be (64 MiB)"},
		{"cifar-10-binary.tar.gz", "cifar-10-batches-bin/data_batch_1.bin", 60 << 20, ReadCIFAR10,
			"data_batch_1.bin: 62914560 bytes, not a whole number of 3073-byte records"},
		{"cifar-100-python.tar.gz", "cifar-100-python/train", 300 << 20, ReadCIFAR100,
			"cifar-100-python.tar.gz:cifar-100-python/train: not a pickle"},
	} {
		t.Run(tt.member, func(t *testing.T) {
			p := filepath.Join(dir, tt.archive)
			zerosTarGz(t, p, tt.member, tt.size)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := tt.read(p)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > 16<<20 {
				t.Errorf("allocated %d MiB to refuse the member", a>>20)
			}
		})
	}
}

// The same checks for batch files in a folder, by their size and first
// bytes.
func TestBatchFileCheckedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data_batch_1")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(48 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadCIFAR10(dir)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "data_batch_1: not a pickle (starts with 00") {
		t.Fatalf("error %v", err)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 16<<20 {
		t.Errorf("allocated %d MiB to refuse the file", a>>20)
	}
	if err := os.Truncate(p, 65<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCIFAR10(p); err == nil || !strings.Contains(err.Error(), "data_batch_1: 68157440 bytes, more than a batch of this dataset can be (64 MiB)") {
		t.Fatalf("error %v", err)
	}
}

// The first-bytes checks of each format.
func TestBatchStart(t *testing.T) {
	for _, tt := range []struct {
		f    format
		head string
		size int64
		want string // "" for accepted
	}{
		{cifar10Python, "\x80\x02}q\x01", 100, ""},
		{cifar10Python, "\x80\x05\x95", 100, ""},
		{cifar10Python, "(dp1\n", 100, ""},
		{cifar10Python, "\x80\x06", 100, "not a pickle (starts with 80 06)"},
		{cifar10Python, "", 0, "not a pickle (starts with )"},
		{svhnPickles, "\x00\x00", 100, "not a pickle (starts with 00 00)"},
		{cifar10Binary, "\x09", 3073, ""},
		{cifar10Binary, "\x0a", 3073, "record 0: label 10 out of range 0..9"},
		{cifar10Binary, "\x00", 3074, "3074 bytes, not a whole number of 3073-byte records"},
		{cifar10Binary, "", 0, ""},
		{cifar100Binary, "\x13\x63", 3074, ""},
		{cifar100Binary, "\x14\x00", 3074, "record 0: coarse label 20 out of range 0..19"},
		{cifar100Binary, "\x00\x64", 3074, "record 0: label 100 out of range 0..99"},
	} {
		err := tt.f.start([]byte(tt.head), tt.size)
		if (err == nil) != (tt.want == "") || err != nil && err.Error() != tt.want {
			t.Errorf("%s %q: %v, want %q", tt.f.batches[0], tt.head, err, tt.want)
		}
	}
}

// FuzzReadTar reads any tar stream as a CIFAR-10, CIFAR-100 and SVHN
// archive: an error that names the archive, or a dataset whose images and
// labels agree.
func FuzzReadTar(f *testing.F) {
	for _, a := range []string{"testdata/cifar-10-python.tar.gz", "testdata/cifar-10-binary.tar.gz", "testdata/cifar-100-binary.tar.gz"} {
		raw, err := os.ReadFile(a)
		if err != nil {
			f.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			f.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("not a tar"))
	sets := []struct {
		classes int
		formats []format
	}{
		{10, []format{cifar10Python, cifar10Binary}},
		{100, []format{cifar100Python, cifar100Binary}},
		{10, []format{svhnPickles}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range sets {
			d, err := readTar("fuzz.tar", "X", s.classes, s.formats, bytes.NewReader(data))
			if err != nil {
				if !strings.HasPrefix(err.Error(), "cifar: fuzz.tar") {
					t.Fatalf("error %q does not name the archive", err)
				}
				continue
			}
			if len(d.Pix) != len(d.Labels)*ImageBytes || len(d.counts) != len(d.Batches) {
				t.Fatalf("%d pixel bytes, %d labels, %d counts for %d batches", len(d.Pix), len(d.Labels), len(d.counts), len(d.Batches))
			}
			if err := d.Check(0, true); err != nil && !strings.HasPrefix(err.Error(), "cifar: fuzz.tar:") {
				t.Fatalf("Check error %q does not name the batch", err)
			}
		}
	})
}
