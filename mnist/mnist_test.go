package mnist

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/progan/progan/internal/nprand"
)

type golden struct {
	MNIST     []string `json:"mnist_md5"`
	Labels    []int    `json:"mnist_labels"`
	LabelsMD5 string   `json:"labels_md5"`
	RGB       []string `json:"mnistrgb_seed5_md5"`
}

func readGolden(t *testing.T) golden {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// The records and labels of create_mnist and the images of create_mnistrgb
// match numpy running the original's code (testdata/make.py).
func TestOriginal(t *testing.T) {
	g := readGolden(t)
	s, err := ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(Images, false); !errors.Is(err, ErrPartial) {
		t.Errorf("Check of 50 images: %v", err)
	}
	if err := s.Check(Images, true); err != nil {
		t.Fatal(err)
	}
	order := nprand.New(123).Permutation(s.N)
	var labels []byte
	for k, i := range order {
		m := s.Image(i)
		if m.Channels != 1 || m.Size != 32 {
			t.Fatalf("image %d: %d×%d", i, m.Channels, m.Size)
		}
		if got := md5hex(m.Pix); got != g.MNIST[k] {
			t.Errorf("record %d (image %d): md5 %s, want %s", k, i, got, g.MNIST[k])
		}
		if int(s.Labels[i]) != g.Labels[k] {
			t.Errorf("record %d: label %d, want %d", k, s.Labels[i], g.Labels[k])
		}
		for _, v := range s.OneHot(i) {
			labels = binary.LittleEndian.AppendUint32(labels, math.Float32bits(v))
		}
	}
	if got := md5hex(labels); got != g.LabelsMD5 {
		t.Errorf("one-hot labels md5 %s, want %s", got, g.LabelsMD5)
	}
	rs := nprand.New(5)
	for k, want := range g.RGB {
		if got := md5hex(s.rgb(rs).Pix); got != want {
			t.Errorf("mnistrgb image %d: md5 %s, want %s", k, got, want)
		}
	}
}

func idx(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func TestReadErrors(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	ok := idx(0x801, []uint32{3}, []byte{1, 2, 3})
	for _, tc := range []struct {
		name, want string
		in         []byte
	}{
		{"plain", "", ok},
		{"gzip", "", gz(ok)},
		{"empty", "reading the IDX header", nil},
		{"magic", "not an IDX file", append([]byte{1}, ok[1:]...)},
		{"float", "element type 0x0d", idx(0xd01, []uint32{1}, make([]byte, 4))},
		{"rank0", "rank 0", idx(0x800, nil, nil)},
		{"dims", "reading the IDX dimensions", idx(0x803, []uint32{2}, nil)},
		{"huge", "too large", idx(0x803, []uint32{1 << 20, 1 << 20, 1 << 20}, nil)},
		{"short", "truncated: 2 of 3", idx(0x801, []uint32{3}, []byte{1, 2})},
		{"long", "data after", idx(0x801, []uint32{3}, []byte{1, 2, 3, 4})},
		{"gzip-short", "truncated", gz(ok[:len(ok)-1])},
	} {
		data, dims, err := Read(bytes.NewReader(tc.in))
		if tc.want == "" {
			if err != nil || !bytes.Equal(data, []byte{1, 2, 3}) || len(dims) != 1 || dims[0] != 3 {
				t.Errorf("%s: %v %v %v", tc.name, data, dims, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	s := &Set{N: 2, Rows: 28, Cols: 28, Pix: make([]byte, 2*28*28), Labels: []uint8{1, 2}}
	s.Pix[5] = 255
	if err := s.Check(2, false); err != nil {
		t.Fatal(err)
	}
	s.Labels[1] = 10
	if err := s.Check(2, false); err == nil || !strings.Contains(err.Error(), "label 10 of image 1") {
		t.Errorf("label 10: %v", err)
	}
	s.Labels[1] = 0
	s.Pix[5] = 200
	if err := s.Check(2, false); err == nil || !strings.Contains(err.Error(), "0..200") {
		t.Errorf("range: %v", err)
	}
	s.Rows = 27
	if err := s.Check(2, false); err == nil {
		t.Error("27×28 images accepted")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(idx(0x801, []uint32{3}, []byte{1, 2, 3}))
	f.Add(idx(0x803, []uint32{1, 2, 2}, []byte{1, 2, 3, 4}))
	b, _ := os.ReadFile("testdata/train-labels-idx1-ubyte.gz")
	f.Add(b)
	f.Fuzz(func(t *testing.T, in []byte) {
		data, dims, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if len(data) != n {
			t.Fatalf("%d bytes for dimensions %v", len(data), dims)
		}
	})
}
