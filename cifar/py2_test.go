package cifar

import (
	"encoding/binary"
	"fmt"
)

// This file writes pickles as Python 2.7's cPickle.dumps(obj, 2) lays them
// out, the layout of the real CIFAR files, following the same rules as
// internal/pickle/testdata/py2pickle.py (TestPy2Writer checks that both
// write the same bytes). The tests use it for files with mistakes and the
// benchmark for full-size batches.

type (
	pyDict  []pyItem // a dict, in key order
	pyItem  struct{ key, value any }
	pyList  []any
	pyTuple []any
	// pyArray is a numpy array; Dtype is a name such as "u1" or "i8" and
	// Order '|', '<' or '>'.
	pyArray struct {
		Dtype string
		Order byte
		Shape []int
		Data  []byte
	}
)

type py2Writer struct {
	b       []byte
	memo    int
	globals map[string]int
	dtypes  map[string]int
}

// py2Pickle returns v pickled: v is made of pyDict, pyList, pyTuple,
// pyArray, string (a Python 2 str), int, bool and nil.
func py2Pickle(v any) []byte {
	w := &py2Writer{b: []byte{0x80, 2}, globals: map[string]int{}, dtypes: map[string]int{}}
	w.save(v, true)
	return append(w.b, '.')
}

// put memoizes the object just written, as cPickle's put does for objects
// with a reference count of 2 or more.
func (w *py2Writer) put() int {
	w.memo++
	if w.memo < 256 {
		w.b = append(w.b, 'q', byte(w.memo))
	} else {
		w.b = append(w.b, 'r')
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(w.memo))
	}
	return w.memo
}

func (w *py2Writer) get(i int) {
	if i < 256 {
		w.b = append(w.b, 'h', byte(i))
	} else {
		w.b = append(w.b, 'j')
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(i))
	}
}

func (w *py2Writer) save(v any, shared bool) {
	switch v := v.(type) {
	case nil:
		w.b = append(w.b, 'N')
	case bool:
		if v {
			w.b = append(w.b, 0x88)
		} else {
			w.b = append(w.b, 0x89)
		}
	case int:
		switch {
		case v >= 0 && v < 256:
			w.b = append(w.b, 'K', byte(v))
		case v >= 0 && v < 65536:
			w.b = append(w.b, 'M', byte(v), byte(v>>8))
		case v >= -1<<31 && v < 1<<31:
			w.b = append(w.b, 'J')
			w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v))
		default:
			w.b = fmt.Appendf(append(w.b, 'I'), "%d\n", v)
		}
	case string:
		if len(v) < 256 {
			w.b = append(w.b, 'U', byte(len(v)))
		} else {
			w.b = append(w.b, 'T')
			w.b = binary.LittleEndian.AppendUint32(w.b, uint32(len(v)))
		}
		w.b = append(w.b, v...)
		if shared && len(v) >= 2 {
			w.put()
		}
	case pyTuple:
		if len(v) == 0 {
			w.b = append(w.b, ')')
			return
		}
		if len(v) > 3 {
			w.b = append(w.b, '(')
		}
		for _, x := range v {
			w.save(x, false)
		}
		if len(v) > 3 {
			w.b = append(w.b, 't')
		} else {
			w.b = append(w.b, 0x84+byte(len(v)))
		}
		if shared {
			w.put()
		}
	case pyList:
		w.b = append(w.b, ']')
		if shared {
			w.put()
		}
		items := make([][]any, len(v))
		for i, x := range v {
			items[i] = []any{x}
		}
		w.batch('a', 'e', items)
	case pyDict:
		w.b = append(w.b, '}')
		if shared {
			w.put()
		}
		items := make([][]any, len(v))
		for i, it := range v {
			items[i] = []any{it.key, it.value}
		}
		w.batch('s', 'u', items)
	case pyArray:
		w.global("numpy.core.multiarray", "_reconstruct")
		w.global("numpy", "ndarray")
		w.b = append(w.b, 'K', 0, 0x85, 'U', 1, 'b', 0x87, 'R')
		w.put() // put2: a REDUCE result with a state
		w.b = append(w.b, '(', 'K', 1)
		shape := make(pyTuple, len(v.Shape))
		for i, d := range v.Shape {
			shape[i] = d
		}
		w.save(shape, false)
		w.dtype(v.Dtype, v.Order)
		w.b = append(w.b, 0x89) // C order
		w.save(string(v.Data), false)
		w.b = append(w.b, 't', 'b')
	default:
		panic(fmt.Sprintf("py2Pickle: %T", v))
	}
}

// batch writes items in batches of 1000, as cPickle's batch_list and
// batch_dict do.
func (w *py2Writer) batch(one, many byte, items [][]any) {
	for len(items) > 0 {
		chunk := items[:min(len(items), 1000)]
		items = items[len(chunk):]
		if len(chunk) > 1 {
			w.b = append(w.b, '(')
		}
		for _, it := range chunk {
			for _, x := range it {
				w.save(x, true)
			}
		}
		if len(chunk) > 1 {
			w.b = append(w.b, many)
		} else {
			w.b = append(w.b, one)
		}
	}
}

func (w *py2Writer) global(module, name string) {
	key := module + "." + name
	if i, ok := w.globals[key]; ok {
		w.get(i)
		return
	}
	w.b = append(w.b, 'c')
	w.b = append(w.b, module+"\n"+name+"\n"...)
	w.globals[key] = w.put()
}

func (w *py2Writer) dtype(name string, order byte) {
	key := string(order) + name
	if i, ok := w.dtypes[key]; ok {
		w.get(i)
		return
	}
	w.global("numpy", "dtype")
	w.save(pyTuple{name, 0, 1}, false)
	w.b = append(w.b, 'R')
	w.dtypes[key] = w.put()
	w.save(pyTuple{3, string(order), nil, nil, nil, -1, -1, 0}, false)
	w.b = append(w.b, 'b')
}

// cifarBatch returns a CIFAR-10 batch pickle as the real files hold them.
func cifarBatch(pix []byte, labels []int, batchLabel string, filenames []string) []byte {
	ls := make(pyList, len(labels))
	for i, l := range labels {
		ls[i] = l
	}
	fs := make(pyList, len(filenames))
	for i, f := range filenames {
		fs[i] = f
	}
	return py2Pickle(pyDict{
		{"data", pyArray{"u1", '|', []int{len(labels), ImageBytes}, pix}},
		{"labels", ls},
		{"batch_label", batchLabel},
		{"filenames", fs},
	})
}
