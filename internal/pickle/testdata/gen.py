#!/usr/bin/python3
"""Makes the test pickles of package pickle and their goldens.

Run from this directory with Python 3.11 and numpy 1.24.2:

    /usr/bin/python3 gen.py

It writes
  cifar_p{2,3,4,5}.pickle   a CIFAR-10 batch dict (10 images) by pickle.dump
  svhn_p{2,3,4,5}.pickle    an SVHN tuple (images (3,3,32,32) uint8, labels uint8)
  svhn_labels_*.pickle      the same with labels of other integer dtypes
  misc_p{2,3,4,5}.pickle    every kind of value the package reads
  cifar_py2.pickle, svhn_py2.pickle, misc_py2.pickle
                            the same kinds of content laid out as Python 2.7's
                            cPickle.dump(obj, f, 2) writes them (py2pickle.py),
                            checked by loading them with pickle.load(...,
                            encoding='latin1') as the original dataset_tool.py
                            does and comparing with what was pickled
  bad_*.pickle              pickles the package must refuse
  golden.json               for every file but bad_*: the loaded value as a JSON
                            tree (see describe below)
"""

import collections
import hashlib
import json
import os
import pickle
import pickletools
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import py2pickle  # noqa: E402


def describe(v):
    """The JSON tree the Go test builds from its own decoding."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return {'float': struct.pack('>d', v).hex()}
    if isinstance(v, (bytes, bytearray)):
        return {'bytes': bytes(v).hex()}
    if isinstance(v, list):
        return {'list': [describe(x) for x in v]}
    if isinstance(v, tuple):
        return {'tuple': [describe(x) for x in v]}
    if isinstance(v, dict):
        return {'dict': [[describe(k), describe(x)] for k, x in v.items()]}
    if isinstance(v, np.ndarray):
        # numpy may load non-native byte orders byteswapped: compare the
        # little-endian values (Go converts its copy the same way).
        if v.dtype.itemsize > 1:
            v = v.astype(v.dtype.newbyteorder('<'))
        d = {'dtype': v.dtype.str, 'shape': list(v.shape),
             'fortran': bool(v.flags.f_contiguous and not v.flags.c_contiguous),
             'sha256': hashlib.sha256(v.tobytes(order='C')).hexdigest()}
        if v.size <= 64:
            flat = v.reshape(-1)
            if v.dtype.kind == 'f':
                d['values'] = [struct.pack('>d', float(x)).hex() for x in flat]
            else:
                d['values'] = [int(x) for x in flat]
        return {'ndarray': d}
    raise TypeError(type(v))


rs = np.random.RandomState(2018)


def cifar(n):
    data = rs.randint(0, 256, size=(n, 3072)).astype(np.uint8)
    data[0, :2] = 0, 255
    return {
        'batch_label': 'training batch 1 of 5',
        'labels': [int(x) for x in rs.randint(0, 10, size=n)],
        'data': data,
        'filenames': ['image_%06d.png' % int(x) for x in rs.randint(0, 60000, size=n)],
    }


def svhn(n, label_dtype=np.uint8):
    images = rs.randint(0, 256, size=(n, 3, 32, 32)).astype(np.uint8)
    labels = rs.randint(0, 10, size=n).astype(label_dtype)
    return (images, labels)


def arrays(bytearray_ok):
    return [
        np.arange(6, dtype='<i8').reshape(2, 3) - 3,
        np.asfortranarray((np.arange(12, dtype='>i4') * 1000003 - 5).reshape(3, 4)),
        np.array([0, 1, 65535, 300, 2], dtype='<u2'),
        np.array([-128, -1, 0, 127], dtype='i1'),
        np.array([[True, False], [False, True]]),
        np.array([0.5, -2, 65504, np.inf, 1e-7], dtype='<f2'),
        np.array([1.25, -3e38], dtype='>f4'),
        np.asfortranarray(np.array([[0.1, 0.2, 0.3], [1e300, -0.0, 5e-324]], dtype='<f8')),
        np.asfortranarray(np.arange(24, dtype=np.uint8).reshape(2, 3, 4)),
        np.array(7, dtype='<i2'),  # 0-d
        np.zeros((0, 3072), dtype=np.uint8),
        np.array([1, 2**40, 2**63 - 1], dtype='>u8'),
        np.array([2**31 - 1, -2**31], dtype='<i4'),
        np.arange(100, dtype=np.uint16).reshape(10, 10),  # beyond the 64-value listing
    ]


def misc(protocol):
    shared = [1, 2, 3]
    m = {
        'none': None, 'true': True, 'false': False,
        'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31 - 1, 2**31, 2**40, -2**63, 2**63 - 1],
        'floats': [0.0, -0.0, 1.5, -2.25e300, float('inf'), float('-inf'), 5e-324],
        'str': 'café ☃ \U0001d11e', 'empty_str': '',
        'bytes': b'\x00\xffab', 'empty_bytes': b'',
        'tuples': ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4, 5)),
        'nested': {'a': [{'b': (None,)}], 'c': []},
        'shared': (shared, shared),
        b'bytes key': 1,
        'long_list': list(range(1001)),
        'big_dict': {'k%04d' % i: i for i in range(1001)},
        'arrays': arrays(protocol >= 5),
    }
    if protocol >= 5:
        m['bytearray'] = bytearray(b'xyz')
    return m


def misc_py2():
    L = py2pickle.Long
    names = ['name_%03d' % i for i in range(300)]  # unicode, memoized: LONG_BINPUT
    shared = [1, 2, 3]
    m = {
        b'none': None, b'true': True, b'false': False,
        b'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31 - 1, 2**31, 2**40, -2**63, 2**63 - 1],
        b'longs': [L(0), L(1), L(-1), L(-128), L(255), L(2**63 - 1), L(-2**63)],
        b'floats': [0.0, -0.0, 1.5, -2.25e300, float('inf')],
        b'str': b'caf\xe9', b'unicode': 'café ☃', b'empty': b'', b'x': b'x',
        b'tuples': ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4, 5)),
        b'shared': (shared, shared),
        b'names': names,
        b'again': names[299],  # the same object: LONG_BINGET
        b'long_list': list(range(1001)),
        b'one': [5], b'one_dict': {b'k': 6},
        b'arrays': arrays(False)[:10] + arrays(False)[11:],  # Python 2 wrote no empty arrays differently
    }
    return m


def check_same(a, b, where='value'):
    """Asserts that two loaded values are equal, arrays included."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        le = lambda x: x.astype(x.dtype.newbyteorder('<')).tobytes(order='C')
        assert a.dtype.str[1:] == b.dtype.str[1:] and a.shape == b.shape, where
        assert le(a) == le(b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            check_same(a[k], b[k], '%s[%r]' % (where, k))
    elif isinstance(a, (list, tuple)):
        assert type(a) == type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            check_same(x, y, '%s[%d]' % (where, i))
    elif isinstance(a, float):
        assert struct.pack('>d', a) == struct.pack('>d', b), where
    else:
        assert type(a) == type(b) and a == b, (where, a, b)


def loaded(v, encoding):
    """What pickle.load(..., encoding=encoding) makes of a Python 2 value
    given with bytes for str: latin1 decodes str, bytes keeps it."""
    if isinstance(v, py2pickle.Long):
        return int(v)
    if isinstance(v, bytes) and encoding == 'latin1':
        return v.decode('latin1')
    if isinstance(v, list):
        return [loaded(x, encoding) for x in v]
    if isinstance(v, tuple):
        return tuple(loaded(x, encoding) for x in v)
    if isinstance(v, dict):
        return {loaded(k, encoding): loaded(x, encoding) for k, x in v.items()}
    return v


golden = {}


def write(name, b, loaded):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(b)
    pickletools.dis(b, out=open(os.devnull, 'w'))  # checks the opcode structure
    golden[name] = describe(loaded)


for p in (2, 3, 4, 5):
    for kind, obj in (('cifar', cifar(10)), ('svhn', svhn(3)), ('misc', misc(p))):
        b = pickle.dumps(obj, protocol=p)
        back = pickle.loads(b)
        check_same(obj, back)
        write('%s_p%d.pickle' % (kind, p), b, back)

for name, p, dt in (('svhn_labels_i8_p4', 4, '<i8'), ('svhn_labels_i4_p2', 2, '<i4'),
                    ('svhn_labels_be2_p3', 3, '>u2')):
    obj = svhn(3, dt)
    b = pickle.dumps(obj, protocol=p)
    write(name + '.pickle', b, pickle.loads(b))

# Python 2 layouts. The original loads them with encoding='latin1'; the golden
# uses encoding='bytes' so that Python 2 str stays bytes, as Go reads it.
py2_cifar = cifar(10)
py2_cifar = {b'data': py2_cifar['data'], b'labels': py2_cifar['labels'],
             b'batch_label': py2_cifar['batch_label'].encode(),
             b'filenames': [f.encode() for f in py2_cifar['filenames']]}
for name, obj in (('cifar_py2', py2_cifar), ('svhn_py2', svhn(3)), ('misc_py2', misc_py2())):
    b = py2pickle.dumps(obj)
    check_same(loaded(obj, 'latin1'), pickle.loads(b, encoding='latin1'))
    back = pickle.loads(b, encoding='bytes')
    check_same(loaded(obj, 'bytes'), back)
    write(name + '.pickle', b, back)


class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


oob = []
bad = {
    'bad_os_system_p2': pickle.dumps(Reduce(os.system, ('true',)), protocol=2),
    'bad_eval_p4': pickle.dumps(Reduce(eval, ('1',)), protocol=4),
    'bad_object_array_p2': pickle.dumps(np.array([1, 'a'], dtype=object), protocol=2),
    'bad_structured_p3': pickle.dumps(np.zeros(2, dtype=[('a', '<i4'), ('b', 'u1')]), protocol=3),
    'bad_complex_p4': pickle.dumps(np.zeros(2, complex), protocol=4),
    'bad_datetime_p4': pickle.dumps(np.zeros(2, 'M8[s]'), protocol=4),
    'bad_out_of_band_p5': pickle.dumps(np.arange(4, dtype=np.uint8), protocol=5, buffer_callback=oob.append),
    'bad_set_p4': pickle.dumps({1, 2}, protocol=4),
    'bad_matrix_p2': pickle.dumps(np.matrix([[1, 2]]), protocol=2),
    'bad_ordereddict_p2': pickle.dumps(collections.OrderedDict(a=1), protocol=2),
    'bad_protocol0': pickle.dumps([1], protocol=0),
}
for name, b in bad.items():
    with open(os.path.join(HERE, name + '.pickle'), 'wb') as f:
        f.write(b)

with open(os.path.join(HERE, 'golden.json'), 'w') as f:
    json.dump(golden, f, sort_keys=True, separators=(',', ':'))
    f.write('\n')
