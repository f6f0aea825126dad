package pickle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// The files in testdata were written by Python 3.11's pickle and numpy
// 1.24.2, and by py2pickle.py as Python 2.7's cPickle writes; gen.py makes
// them and golden.json, which holds what Python loads from each.

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeFile(t testing.TB, name string) Value {
	t.Helper()
	v, err := Decode(readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// tree turns a decoded value into the JSON tree gen.py's describe makes
// from the value Python loads.
func tree(t *testing.T, v Value) any {
	t.Helper()
	switch v := v.(type) {
	case nil, bool, string:
		return v
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	case float64:
		return map[string]any{"float": fmt.Sprintf("%016x", math.Float64bits(v))}
	case []byte:
		return map[string]any{"bytes": hex.EncodeToString(v)}
	case *List:
		return map[string]any{"list": trees(t, v.Items)}
	case Tuple:
		return map[string]any{"tuple": trees(t, v)}
	case *Dict:
		items := []any{}
		for i := range v.Len() {
			k, x := v.Item(i)
			items = append(items, []any{tree(t, k), tree(t, x)})
		}
		return map[string]any{"dict": items}
	case *Array:
		return map[string]any{"ndarray": arrayTree(t, v)}
	}
	t.Fatalf("unexpected %T in a decoded value", v)
	return nil
}

func trees(t *testing.T, vs []Value) []any {
	out := []any{}
	for _, v := range vs {
		out = append(out, tree(t, v))
	}
	return out
}

// arrayTree describes an array with its elements little-endian, as gen.py
// does (numpy loads non-native byte orders byteswapped).
func arrayTree(t *testing.T, a *Array) map[string]any {
	t.Helper()
	le := slices.Clone(a.cOrder())
	dt := a.Dtype
	if dt.Order == '>' {
		for i := 0; i < len(le); i += dt.Size {
			slices.Reverse(le[i : i+dt.Size])
		}
		dt.Order = '<'
	}
	sum := sha256.Sum256(le)
	shape := []any{}
	for _, d := range a.Shape {
		shape = append(shape, json.Number(strconv.Itoa(d)))
	}
	m := map[string]any{"dtype": dt.String(), "shape": shape, "fortran": a.Fortran, "sha256": hex.EncodeToString(sum[:])}
	if a.Len() <= 64 {
		values := []any{}
		if dt.Kind == 'f' {
			fs, err := a.Floats()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				values = append(values, fmt.Sprintf("%016x", math.Float64bits(f)))
			}
		} else {
			is, err := a.Ints()
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range is {
				values = append(values, json.Number(strconv.FormatInt(i, 10)))
			}
		}
		m["values"] = values
	}
	return m
}

func unmarshal(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGolden(t *testing.T) {
	var golden map[string]json.RawMessage
	if err := json.Unmarshal(readFile(t, "golden.json"), &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != 18 {
		t.Errorf("golden.json has %d files, want 18", len(golden))
	}
	for name, want := range golden {
		t.Run(name, func(t *testing.T) {
			v := decodeFile(t, name)
			b, err := json.Marshal(tree(t, v))
			if err != nil {
				t.Fatal(err)
			}
			got := unmarshal(t, b)
			if w := unmarshal(t, want); !reflect.DeepEqual(got, w) {
				t.Errorf("decoded value differs from Python's:\n got %.600s\nwant %.600s", b, want)
			}
		})
	}
}

// TestDatasetLayouts reads the files the way package cifar does.
func TestDatasetLayouts(t *testing.T) {
	for _, name := range []string{"cifar_p2.pickle", "cifar_p3.pickle", "cifar_p4.pickle", "cifar_p5.pickle", "cifar_py2.pickle"} {
		d, ok := decodeFile(t, name).(*Dict)
		if !ok {
			t.Fatalf("%s: not a dict", name)
		}
		data, _ := d.Get("data")
		a, ok := data.(*Array)
		if !ok || !slices.Equal(a.Shape, []int{10, 3072}) || a.Dtype.String() != "|u1" {
			t.Fatalf("%s: data is %#v", name, data)
		}
		pix, err := a.Uint8()
		if err != nil || len(pix) != 30720 || pix[0] != 0 || pix[1] != 255 {
			t.Errorf("%s: Uint8 = %d bytes starting %v, %v", name, len(pix), pix[:2], err)
		}
		labels, _ := d.Get("labels")
		ls, err := Ints(labels)
		if err != nil || !slices.Equal(ls, []int64{1, 0, 6, 5, 5, 5, 3, 4, 3, 6}) && name == "cifar_py2.pickle" || len(ls) != 10 {
			t.Errorf("%s: labels %v, %v", name, ls, err)
		}
	}
	for _, name := range []string{"svhn_p2.pickle", "svhn_p5.pickle", "svhn_py2.pickle", "svhn_labels_be2_p3.pickle", "svhn_labels_i4_p2.pickle", "svhn_labels_i8_p4.pickle"} {
		tup, ok := decodeFile(t, name).(Tuple)
		if !ok || len(tup) != 2 {
			t.Fatalf("%s: not a 2-tuple", name)
		}
		img, ok := tup[0].(*Array)
		if !ok || !slices.Equal(img.Shape, []int{3, 3, 32, 32}) {
			t.Fatalf("%s: images are %#v", name, tup[0])
		}
		ls, err := Ints(tup[1])
		if err != nil || len(ls) != 3 {
			t.Errorf("%s: labels %v, %v", name, ls, err)
		}
	}
	// The big-endian labels keep their byte order; Ints converts it.
	tup := decodeFile(t, "svhn_labels_be2_p3.pickle").(Tuple)
	if dt := tup[1].(*Array).Dtype; dt != (Dtype{Kind: 'u', Size: 2, Order: '>'}) {
		t.Errorf("labels dtype %v, want >u2", dt)
	}
}

func TestRejected(t *testing.T) {
	tests := []struct {
		file, op, err string
	}{
		{"bad_os_system_p2", "GLOBAL", "pickle: offset 2: global posix.system not allowed"},
		{"bad_eval_p4", "STACK_GLOBAL", "pickle: offset 29: global builtins.eval not allowed"},
		{"bad_ordereddict_p2", "GLOBAL", "pickle: offset 2: global collections.OrderedDict not allowed"},
		{"bad_matrix_p2", "GLOBAL", "pickle: offset 40: global numpy.matrix not allowed"},
		{"bad_object_array_p2", "REDUCE", `pickle: offset 150: REDUCE: dtype "O8" not supported (bool, int, uint and float dtypes are)`},
		{"bad_structured_p3", "REDUCE", `pickle: offset 110: REDUCE: dtype "V5" not supported (bool, int, uint and float dtypes are)`},
		{"bad_complex_p4", "REDUCE", `pickle: offset 113: REDUCE: dtype "c16" not supported (bool, int, uint and float dtypes are)`},
		{"bad_datetime_p4", "REDUCE", `pickle: offset 112: REDUCE: dtype "M8" not supported (bool, int, uint and float dtypes are)`},
		{"bad_out_of_band_p5", "NEXT_BUFFER", "pickle: offset 49: NEXT_BUFFER: out-of-band buffers are not supported (pickle the arrays in-band)"},
		{"bad_set_p4", "EMPTY_SET", `pickle: offset 11: opcode EMPTY_SET ('\u008f') not supported`},
		{"bad_protocol0", "LIST", `pickle: offset 1: opcode LIST ('l') not supported`},
	}
	files, _ := filepath.Glob("testdata/bad_*.pickle")
	if len(files) != len(tests) {
		t.Errorf("%d bad_*.pickle files, %d tests", len(files), len(tests))
	}
	for _, tt := range tests {
		_, err := Decode(readFile(t, tt.file+".pickle"))
		var e *Error
		if !errors.As(err, &e) || err.Error() != tt.err || e.Op != tt.op {
			t.Errorf("%s: error %v (%#v)\nwant %s (%s)", tt.file, err, e, tt.err, tt.op)
		}
	}
}
