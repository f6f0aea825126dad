"""A protocol-2 pickler that writes the bytes Python 2.7's cPickle writes.

Python 3 cannot write Python 2 pickles, so this module lays the opcodes out
by hand, following Python 2.7's Modules/cPickle.c and numpy 1.x's
ndarray.__reduce__ / dtype.__reduce__ as they ran under Python 2:

  - PROTO 2 first, STOP last;
  - memo indices start at 1 (cPickle's put2 adds one; pickle.py starts at 0)
    and are written with BINPUT below 256, LONG_BINPUT from 256;
  - cPickle memoizes an object only when its reference count is at least 2
    (put), except REDUCE results with a non-dict state, which it always
    memoizes (put2); ints, longs, floats, None, bools, () and strings of
    fewer than 2 bytes are never memoized. The caller says which objects are
    shared (the `shared` argument); dict keys and values, list items, the
    top-level object, globals and REDUCE results are;
  - Python 2 str (here: bytes) as SHORT_BINSTRING below 256 bytes, else
    BINSTRING; unicode (here: str) as BINUNICODE in UTF-8;
  - int (here: int) as BININT1 for 0..255, BININT2 for 256..65535, BININT
    for the rest of the 32-bit range and INT ("I%ld\\n") beyond it, as 64-bit
    cPickle does; long (here: Long) as LONG1;
  - lists and dicts as EMPTY_LIST / EMPTY_DICT, then batches of up to 1000
    items: MARK ... APPENDS / SETITEMS, or APPEND / SETITEM when a batch has
    a single item;
  - tuples of 1 to 3 items as TUPLE1..3, longer ones as MARK ... TUPLE,
    () as EMPTY_TUPLE;
  - a numpy array as
        GLOBAL 'numpy.core.multiarray _reconstruct', GLOBAL 'numpy ndarray',
        (0,), 'b', TUPLE3, REDUCE, then BUILD with the state
        (1, shape, dtype, is_fortran, data string)
    and its dtype as GLOBAL 'numpy dtype', ('u1', 0, 1), REDUCE, then BUILD
    with (3, '|', None, None, None, -1, -1, 0), '<' or '>' for wider types.
    A dtype object, like each global, is pickled once and fetched with
    BINGET afterwards.
"""

import struct

import numpy as np


class Long(int):
    """A Python 2 long (pickled with LONG1)."""


class Shared:
    """Wraps an object whose reference count is at least 2 when pickled."""

    def __init__(self, obj):
        self.obj = obj


class _Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class Pickler:
    def __init__(self):
        self.out = bytearray(b'\x80\x02')
        self.memo = {}  # key -> memo index
        self.keep = []  # keeps memoized objects alive so ids stay unique

    def dumps(self, obj):
        self.save(obj, shared=True)
        self.out += b'.'
        return bytes(self.out)

    # --- memo ---
    def put(self, key, obj):
        idx = len(self.memo) + 1
        self.memo[key] = idx
        self.keep.append(obj)
        if idx < 256:
            self.out += b'q' + bytes([idx])
        else:
            self.out += b'r' + struct.pack('<I', idx)

    def get(self, idx):
        if idx < 256:
            self.out += b'h' + bytes([idx])
        else:
            self.out += b'j' + struct.pack('<I', idx)

    # --- values ---
    def save(self, obj, shared=False):
        if isinstance(obj, Shared):
            obj, shared = obj.obj, True
        if obj is None:
            self.out += b'N'
            return
        if obj is True or obj is False:
            self.out += b'\x88' if obj else b'\x89'
            return
        if isinstance(obj, Long):
            self.save_long(obj)
            return
        if isinstance(obj, int):
            self.save_int(obj)
            return
        if isinstance(obj, float):
            self.out += b'G' + struct.pack('>d', obj)
            return
        if isinstance(obj, bytes) and len(obj) < 2:
            self.save_string(obj)
            return
        if isinstance(obj, tuple) and len(obj) == 0:
            self.out += b')'
            return
        key = ('id', id(obj))
        if isinstance(obj, _Global):
            key = ('global', obj.module, obj.name)
        elif isinstance(obj, np.dtype):
            key = ('dtype', obj.str)
        if key in self.memo:
            self.get(self.memo[key])
            return
        if isinstance(obj, bytes):
            self.save_string(obj)
        elif isinstance(obj, str):
            b = obj.encode('utf-8')
            self.out += b'X' + struct.pack('<I', len(b)) + b
        elif isinstance(obj, tuple):
            self.save_tuple(obj)
        elif isinstance(obj, list):
            self.out += b']'
            if shared:
                self.put(key, obj)
            self.batch(b'a', b'e', [(x,) for x in obj])
            return
        elif isinstance(obj, dict):
            self.out += b'}'
            if shared:
                self.put(key, obj)
            self.batch(b's', b'u', list(obj.items()))
            return
        elif isinstance(obj, _Global):
            self.out += b'c' + obj.module.encode() + b'\n' + obj.name.encode() + b'\n'
            self.put(key, obj)
            return
        elif isinstance(obj, np.dtype):
            self.save_dtype(obj, key)
            return
        elif isinstance(obj, np.ndarray):
            self.save_array(obj, key)
            return
        else:
            raise TypeError(type(obj))
        if shared:
            self.put(key, obj)

    def save_int(self, v):
        if 0 <= v < 256:
            self.out += b'K' + bytes([v])
        elif 0 <= v < 65536:
            self.out += b'M' + struct.pack('<H', v)
        elif -2**31 <= v < 2**31:
            self.out += b'J' + struct.pack('<i', v)
        else:
            self.out += b'I%d\n' % v

    def save_long(self, v):
        if v == 0:
            self.out += b'\x8a\x00'
            return
        n = (v.bit_length() + 8) // 8  # room for the sign bit
        b = int(v).to_bytes(n, 'little', signed=True)
        # cPickle trims a redundant 0xff sign byte of negative numbers.
        if v < 0 and n > 1 and b[-1] == 0xff and b[-2] & 0x80:
            b = b[:-1]
        self.out += b'\x8a' + bytes([len(b)]) + b

    def save_string(self, b):
        if len(b) < 256:
            self.out += b'U' + bytes([len(b)]) + b
        else:
            self.out += b'T' + struct.pack('<i', len(b)) + b

    def save_tuple(self, t):
        if len(t) <= 3:
            for x in t:
                self.save(x)
            self.out += bytes([0x84 + len(t)])
        else:
            self.out += b'('
            for x in t:
                self.save(x)
            self.out += b't'

    def batch(self, one, many, items):
        for i in range(0, len(items), 1000):
            chunk = items[i:i + 1000]
            if len(chunk) == 1:
                for x in chunk[0]:
                    self.save(x, shared=True)
                self.out += one
            else:
                self.out += b'('
                for item in chunk:
                    for x in item:
                        self.save(x, shared=True)
                self.out += many

    def save_reduce(self, fn, args, state, key, obj):
        self.save(fn)
        self.save(args)
        self.out += b'R'
        self.put(key, obj)  # put2: state is not a dict
        self.save(state)
        self.out += b'b'

    def save_dtype(self, dt, key):
        name = dt.str[1:].encode()  # 'u1', 'i8', ...
        endian = dt.str[0].encode()  # '|', '<' or '>'
        self.save_reduce(_Global('numpy', 'dtype'), (name, 0, 1),
                         (3, endian, None, None, None, -1, -1, 0), key, dt)

    def save_array(self, a, key):
        fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous)
        data = a.tobytes(order='F' if fortran else 'C')
        self.save_reduce(_Global('numpy.core.multiarray', '_reconstruct'),
                         (_Global('numpy', 'ndarray'), (0,), b'b'),
                         (1, tuple(int(d) for d in a.shape), a.dtype, fortran, data), key, a)


def dumps(obj):
    """Returns obj pickled as Python 2.7's cPickle.dumps(obj, 2) would."""
    return Pickler().dumps(obj)
