package tfrecord

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// example344 is the Example for a 3x4x4 image with pixels 0..47, derived by
// hand from the protobuf wire rules (tag = field<<3 | 2 for every
// length-delimited field):
//
//	0a 50                    Example.features, 80 bytes
//	  0a 10                  Features.feature entry, 16 bytes
//	    0a 05 "shape"        key
//	    12 07                value: Feature, 7 bytes
//	      1a 05              int64_list, 5 bytes
//	        0a 03 03 04 04   value, packed [3 4 4]
//	  0a 3c                  Features.feature entry, 60 bytes
//	    0a 04 "data"         key
//	    12 34                value: Feature, 52 bytes
//	      0a 32              bytes_list, 50 bytes
//	        0a 30 <48 bytes> value
var example344 = "0a50" +
	"0a10" + "0a05" + hex.EncodeToString([]byte("shape")) + "1207" + "1a05" + "0a03030404" +
	"0a3c" + "0a04" + hex.EncodeToString([]byte("data")) + "1234" + "0a32" + "0a30"

func pixels(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestAppendExampleGolden(t *testing.T) {
	got := AppendExample(nil, 3, 4, 4, pixels(48))
	want, _ := hex.DecodeString(example344)
	want = append(want, pixels(48)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("example =\n%x\nwant\n%x", got, want)
	}
}

// Sizes from docs/dataset-format.md: the original README's CIFAR-10 file
// sizes imply these.
func TestExampleLen(t *testing.T) {
	tests := []struct{ c, r, want int }{
		{3, 4, 82}, {3, 8, 231}, {3, 32, 3111},
		// README CIFAR-10 sizes: r02 4 900 000 = 50000 * (82+16), r03 12 350 000, r04 41 150 000, r05 156 350 000.
		{3, 16, 41150000/50000 - 16},
	}
	for _, tc := range tests {
		got := len(AppendExample(nil, tc.c, tc.r, tc.r, make([]byte, tc.c*tc.r*tc.r)))
		if got != tc.want || ExampleLen(tc.c, tc.r, tc.r) != tc.want {
			t.Errorf("%dx%dx%d: len %d, ExampleLen %d, want %d", tc.c, tc.r, tc.r, got, ExampleLen(tc.c, tc.r, tc.r), tc.want)
		}
	}
	for _, r := range []int{4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048} {
		for _, c := range []int{1, 3} {
			if got, want := ExampleLen(c, r, r), len(AppendExample(nil, c, r, r, make([]byte, c*r*r))); got != want {
				t.Errorf("ExampleLen(%d,%d) = %d, encoding is %d", c, r, got, want)
			}
		}
	}
}

func TestParseExample(t *testing.T) {
	pix := pixels(48)
	ours := AppendExample(nil, 3, 4, 4, pix)

	// The same features with the map entries swapped and the shape list
	// unpacked, as another protobuf writer may produce.
	entry := func(key string, feature []byte) []byte {
		var e []byte
		e = protowire.AppendTag(e, 1, protowire.BytesType)
		e = protowire.AppendString(e, key)
		e = protowire.AppendTag(e, 2, protowire.BytesType)
		return protowire.AppendBytes(e, feature)
	}
	var ints []byte
	for _, v := range []uint64{3, 4, 4} {
		ints = protowire.AppendTag(ints, 1, protowire.VarintType)
		ints = protowire.AppendVarint(ints, v)
	}
	var shapeFeat, dataFeat, dataList, labelFeat []byte
	shapeFeat = protowire.AppendTag(shapeFeat, 3, protowire.BytesType)
	shapeFeat = protowire.AppendBytes(shapeFeat, ints)
	dataList = protowire.AppendTag(dataList, 1, protowire.BytesType)
	dataList = protowire.AppendBytes(dataList, pix)
	dataFeat = protowire.AppendTag(dataFeat, 1, protowire.BytesType)
	dataFeat = protowire.AppendBytes(dataFeat, dataList)
	labelFeat = protowire.AppendTag(labelFeat, 2, protowire.BytesType)
	labelFeat = protowire.AppendBytes(labelFeat, []byte{0, 0, 128, 63})
	var features []byte
	for _, e := range [][]byte{entry("label", labelFeat), entry("data", dataFeat), entry("shape", shapeFeat)} {
		features = protowire.AppendTag(features, 1, protowire.BytesType)
		features = protowire.AppendBytes(features, e)
	}
	var swapped []byte
	swapped = protowire.AppendTag(swapped, 1, protowire.BytesType)
	swapped = protowire.AppendBytes(swapped, features)

	for name, b := range map[string][]byte{"ours": ours, "swapped": swapped} {
		shape, data, err := ParseExample(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(shape, []int64{3, 4, 4}) || !bytes.Equal(data, pix) {
			t.Fatalf("%s: shape %v, data %x", name, shape, data)
		}
	}
}

func TestParseExampleErrors(t *testing.T) {
	good := AppendExample(nil, 1, 4, 4, make([]byte, 16))
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "no int64 feature"},
		{"truncated", good[:len(good)-3], "malformed"},
		{"garbage", []byte{0xff, 0xff, 0xff}, "malformed"},
	}
	for _, tc := range tests {
		_, _, err := ParseExample(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParseExample(f *testing.F) {
	f.Add(AppendExample(nil, 3, 4, 4, pixels(48)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		shape, data, err := ParseExample(b)
		if err != nil || len(shape) != 3 || slices.Min(shape) < 1 || slices.Max(shape) > 1<<20 ||
			shape[0]*shape[1]*shape[2] != int64(len(data)) {
			return
		}
		// Whatever parses as an image must survive our encoding unchanged.
		c, h, w := int(shape[0]), int(shape[1]), int(shape[2])
		shape2, data2, err := ParseExample(AppendExample(nil, c, h, w, data))
		if err != nil || !slices.Equal(shape, shape2) || !bytes.Equal(data, data2) {
			t.Fatalf("round trip of %v: %v", shape, err)
		}
	})
}

func ExampleAppendExample() {
	rec := AppendExample(nil, 1, 4, 4, make([]byte, 16))
	frame := AppendFrame(nil, rec)
	fmt.Println(len(rec), len(frame))
	// Output: 50 66
}
