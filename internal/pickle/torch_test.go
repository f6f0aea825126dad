package pickle

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Pieces of hand-written torch.save pickles, as torch 1.13 writes them with
// protocol 2 (package internal/pth tests the real files).
const (
	odict  = "ccollections\nOrderedDict\n)R"
	pid    = "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ"
	rebuil = "ctorch._utils\n_rebuild_tensor_v2\n"
)

// rebuild is a _rebuild_tensor_v2 call with the given storage and trailing
// arguments.
func rebuild(storage, args string) string { return rebuil + "(" + storage + args + "tR" }

// view is a float tensor on a storage of 6 elements.
func view(offset, size, stride string) string {
	return rebuild(pid, offset+size+stride+"\x89"+odict)
}

var torchSeeds = []string{
	"\x80\x02" + odict + "(X\x01\x00\x00\x00w" + view("K\x01", "K\x02K\x02\x86", "K\x01K\x02\x86") + "u}X\t\x00\x00\x00_metadata" + odict + "sb.",
	"\x80\x02}X\x01\x00\x00\x00pctorch._utils\n_rebuild_parameter\n" + view("K\x00", ")", ")") + "\x88" + odict + "\x87Rs.",
	"\x80\x02" + view("K\x00", "K\x00K\x07\x86", "K\x07K\x01\x86") + ".N",
	"\x80\x02" + rebuild("(X\x07\x00\x00\x00storagectorch\nLongStorage\nX\x01\x00\x00\x001X\x06\x00\x00\x00cuda:0K\x01NtQ", "K\x00))\x89"+odict+"}") + ".",
}

func TestDecodeTorch(t *testing.T) {
	s6 := &Storage{Dtype: "float32", Key: "0", Location: "cpu", Numel: 6}
	tests := []struct {
		in   string
		want Value
		n    int
	}{
		{torchSeeds[0], dictOf(true, "w", &Tensor{Storage: s6, Offset: 1, Shape: []int{2, 2}, Stride: []int{1, 2}}), len(torchSeeds[0])},
		{torchSeeds[1], dictOf(false, "p", &Tensor{Storage: s6, Shape: []int{}, Stride: []int{}}), len(torchSeeds[1])},
		{torchSeeds[2], &Tensor{Storage: s6, Shape: []int{0, 7}, Stride: []int{7, 1}}, len(torchSeeds[2]) - 1}, // N after STOP
		{torchSeeds[3], &Tensor{Storage: &Storage{Dtype: "int64", Key: "1", Location: "cuda:0", Numel: 1}, Shape: []int{}, Stride: []int{}}, len(torchSeeds[3])},
	}
	for i, tt := range tests {
		v, n, err := DecodeTorch([]byte(tt.in))
		if err != nil || n != tt.n || !reflect.DeepEqual(v, tt.want) {
			t.Errorf("%d: got %#v, %d, %v\nwant %#v, %d", i, v, n, err, tt.want, tt.n)
		}
	}
}

func dictOf(ordered bool, k string, v Value) *Dict {
	d := &Dict{ordered: ordered}
	d.set(k, v)
	return d
}

func TestDecodeTorchErrors(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"os.system", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", "pickle: offset 2: global os.system not allowed"},
		{"builtins.eval", "\x8c\x08builtins\x8c\x04eval\x93.", "pickle: offset 16: global builtins.eval not allowed"},
		{"torch.load", "ctorch.serialization\nload\n.", "pickle: offset 0: global torch.serialization.load not allowed"},
		{"rebuild v1", "ctorch._utils\n_rebuild_tensor\n.", "global torch._utils._rebuild_tensor not allowed"},
		{"rebuild with state", "ctorch._utils\n_rebuild_parameter_with_state\n.", "global torch._utils._rebuild_parameter_with_state not allowed"},
		{"quantized storage", "ctorch\nQInt8Storage\n.", "global torch.QInt8Storage not allowed"},
		{"untyped storage", "ctorch.storage\nUntypedStorage\n.", "global torch.storage.UntypedStorage not allowed"},
		{"numpy", "cnumpy\ndtype\n.", "global numpy.dtype not allowed"},
		{"codecs", "c_codecs\nencode\n.", "global _codecs.encode not allowed"},
		{"persid", "Pxyz\n.", "offset 0: opcode PERSID ('P') not supported"},
		{"pid not a tuple", "NQ.", "offset 1: BINPERSID: persistent id None, want ('storage', storage_type, key, location, numel)"},
		{"pid module", "(X\x06\x00\x00\x00modulectorch\nFloatStorage\nNNK\x01tQ.", "BINPERSID: persistent id ("},
		{"pid 4 items", "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nNNtQ.", "BINPERSID: persistent id ("},
		{"pid type", "(X\x07\x00\x00\x00storage" + odict + "X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ.", "BINPERSID: persistent id with storage type a dict"},
		{"pid type global", "(X\x07\x00\x00\x00storageccollections\nOrderedDict\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ.", "persistent id with storage type collections.OrderedDict"},
		{"pid key", "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nK\x00X\x03\x00\x00\x00cpuK\x06tQ.", "persistent id with key 0 and location \"cpu\", want short strs"},
		{"pid numel", "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuJ\xff\xff\xff\xfftQ.", "persistent id with numel -1"},
		{"pid view", "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06K\x00tQ.", "storage views (view_metadata 0) are not supported"},
		{"call a storage type", "ctorch\nFloatStorage\n)R.", "REDUCE: torch.FloatStorage may not be called"},
		{"ordereddict args", "ccollections\nOrderedDict\n}\x85R.", "collections.OrderedDict with 1 arguments, only OrderedDict() is allowed"},
		{"build dict", "}}b.", "offset 2: BUILD: BUILD of a dict not allowed"},
		{"build ordereddict tuple", odict + ")b.", "BUILD: state of an OrderedDict is a tuple, want a dict"},
		{"rebuild 5 args", rebuil + "(NNNNNtR.", "torch._utils._rebuild_tensor_v2 with 5 arguments, want 6 or 7"},
		{"rebuild no storage", rebuil + "(NK\x00))\x89" + odict + "tR.", "_rebuild_tensor_v2: storage is a None"},
		{"rebuild offset", view("J\xff\xff\xff\xff", ")", ")") + ".", "_rebuild_tensor_v2: storage offset -1"},
		{"rebuild size and stride", view("K\x00", "K\x01\x85", ")") + ".", "_rebuild_tensor_v2: size (1,) and stride (), want tuples of as many ints, at most 64"},
		{"rebuild size list", view("K\x00", "]", ")") + ".", "_rebuild_tensor_v2: size a list and stride ()"},
		{"rebuild 65 dims", view("K\x00", "("+strings.Repeat("K\x01", 65)+"t", "("+strings.Repeat("K\x00", 65)+"t") + ".", "want tuples of as many ints, at most 64"},
		{"rebuild size float", view("K\x00", "G\x3f\xf0\x00\x00\x00\x00\x00\x00\x85", "K\x01\x85") + ".", "want non-negative ints"},
		{"rebuild negative stride", view("K\x00", "K\x02\x85", "J\xff\xff\xff\xff\x85") + ".", "want non-negative ints"},
		{"rebuild requires_grad", rebuild(pid, "K\x00))N"+odict) + ".", "_rebuild_tensor_v2: requires_grad is a None, want a bool"},
		{"rebuild hooks", rebuild(pid, "K\x00))\x89}") + ".", ""},
		{"rebuild hooks not empty", rebuild(pid, "K\x00))\x89}X\x01\x00\x00\x00aNs") + ".", "backward hooks or metadata a dict, want empty dicts"},
		{"rebuild hooks none", rebuild(pid, "K\x00))\x89N") + ".", "backward hooks or metadata None, want empty dicts"},
		{"rebuild metadata", rebuild(pid, "K\x00))\x89"+odict+"}X\x03\x00\x00\x00negK\x01s") + ".", "backward hooks or metadata a dict, want empty dicts"},
		{"rebuild past the end", view("K\x05", "K\x02\x85", "K\x01\x85") + ".", "size [2], stride [1] and offset 5 reach past the storage's 6 elements"},
		{"rebuild scalar past the end", view("K\x06", ")", ")") + ".", "size [], stride [] and offset 6 reach past the storage's 6 elements"},
		{"rebuild overflow", view("K\x00", "K\x03\x85", "\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x85") + ".", "reach past the storage's 6 elements"},
		{"rebuild overflow count", view("K\x00", "(K\x02\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40t", "(K\x01K\x00K\x00t") + ".", "reach past the storage's 6 elements"},
		{"rebuild expanded", view("K\x00", "K\x07\x85", "K\x00\x85") + ".", "7 elements in a storage of 6 (expanded tensors are not supported)"},
		{"rebuild empty past the end", view("K\x07", "K\x00\x85", "K\x01\x85") + ".", "empty tensor at offset 7 of a storage of 6 elements"},
		{"rebuild again and again", "\x80\x02" + rebuil + "q\x00(" + pid + "K\x00(" + strings.Repeat("K\x00", 64) + "tq\x01h\x01\x89" + odict + "tq\x02" +
			strings.Repeat("(h\x00h\x02Rt", 20) + ".", "more tensor dimensions than the pickle has bytes"},
		{"parameter of a storage", "ctorch._utils\n_rebuild_parameter\n(" + pid + "\x89" + odict + "tR.", "_rebuild_parameter(a storage, false, a dict): want (tensor, requires_grad, OrderedDict())"},
		{"parameter no args", "ctorch._utils\n_rebuild_parameter\n)R.", "_rebuild_parameter(): want"},
	}
	for _, tt := range tests {
		v, _, err := DecodeTorch([]byte(tt.in))
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var e *Error
		if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &e) {
			t.Errorf("%s: got %#v, %v\nwant error %q", tt.name, v, err, tt.err)
		}
	}
}

// TestDecodeRefusesTorch checks that Decode, for the dataset pickles, still
// refuses what only DecodeTorch allows.
func TestDecodeRefusesTorch(t *testing.T) {
	for _, in := range append(torchSeeds, "N(X\x07\x00\x00\x00storagetQ.") {
		if v, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", in, v)
		}
	}
}
