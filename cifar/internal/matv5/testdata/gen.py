#!/usr/bin/python3
"""Generate the MAT-file fixtures used by the tests of package matv5.

Made with Debian's python3-scipy 1.10.1 and python3-numpy 1.24.2 (Python
3.11.2, zlib 1.2.13). To regenerate them, run from the repository root:

    apt-get install -y python3-scipy python3-numpy
    /usr/bin/python3 cifar/internal/matv5/testdata/gen.py

Outputs (all in this directory):

  svhn.mat, svhn-z.mat     scipy.io.savemat(format='5') of an SVHN-shaped
                           pair: X uint8 32x32x3x5 and y double 5x1 (labels
                           1..10), without and with do_compression
  types.mat, types-z.mat   every numeric class, 2-D and 3-D shapes, a scalar
                           (small data element), an empty array, a logical
                           array, a long name, and the unsupported char, cell,
                           struct, complex and sparse variables
  matlab.mat               made by hand (see make_matlab): little-endian,
                           double arrays stored as miUINT8, miINT8, miUINT16,
                           miINT16, miINT32, miUINT32 and miSINGLE the way
                           MATLAB compacts them, in miCOMPRESSED and plain
                           miMATRIX elements, including small data elements
  matlab-be.mat            the same variables written big-endian ('MI')
  golden.json              for every file, its variables in order: name,
                           class, dims, flags, and for numeric ones the
                           sha256 of the values as little-endian float64 in
                           column-major order (and of the raw bytes for
                           uint8 arrays)

scipy writes the creation date into the header text; the script replaces
the 116 text bytes with a fixed text so that it reproduces the same files.
"""

import hashlib
import io
import json
import os
import struct
import zlib

import numpy as np
import scipy.io
import scipy.sparse

OUT = os.path.dirname(os.path.abspath(__file__))

# Data types (miXXX) and classes (mxXXX) from the MAT-File Format document.
miINT8, miUINT8, miINT16, miUINT16, miINT32, miUINT32 = 1, 2, 3, 4, 5, 6
miSINGLE, miDOUBLE, miINT64, miUINT64 = 7, 9, 12, 13
miMATRIX, miCOMPRESSED = 14, 15
mxDOUBLE, mxUINT8 = 6, 9

NP_OF_MI = {
    miINT8: "i1", miUINT8: "u1", miINT16: "i2", miUINT16: "u2",
    miINT32: "i4", miUINT32: "u4", miSINGLE: "f4", miDOUBLE: "f8",
    miINT64: "i8", miUINT64: "u8",
}


def fixed_header(path, text):
    with open(path, "r+b") as f:
        f.write(text.ljust(116).encode("ascii"))


def svhn_vars():
    rs = np.random.RandomState(73257)
    X = rs.randint(0, 256, size=(32, 32, 3, 5)).astype(np.uint8)
    y = np.array([[1.0], [10.0], [3.0], [7.0], [10.0]])
    return {"X": X, "y": y}


def types_vars():
    rs = np.random.RandomState(5)
    d = {}
    d["i8"] = np.array([[-128, -1, 0], [1, 64, 127]], dtype=np.int8)
    d["u8"] = np.array([[0, 1, 2, 254, 255]], dtype=np.uint8)
    d["i16"] = rs.randint(-32768, 32768, size=(4, 3)).astype(np.int16)
    d["u16"] = rs.randint(0, 65536, size=(3, 2)).astype(np.uint16)
    d["i32"] = np.array([[-2**31, -1], [0, 2**31 - 1]], dtype=np.int32)
    d["u32"] = np.array([[0, 1, 2**32 - 1]], dtype=np.uint32)
    d["i64"] = np.array([[-2**63, -1, 2**53 + 1], [0, 1, 2**63 - 1]], dtype=np.int64)
    d["u64"] = np.array([[0], [2**64 - 1], [2**53]], dtype=np.uint64)
    d["f32"] = np.array([[1.5, -0.0, np.inf], [-np.inf, 1e-45, 3.4028235e38]], dtype=np.float32)
    d["f64"] = rs.standard_normal((3, 4))
    d["cube"] = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8
    d["one"] = np.array([[-7]], dtype=np.int16)  # 2 bytes: small element
    d["empty"] = np.zeros((0, 3))
    d["mask"] = np.array([[True, False], [False, True]])
    d["a_rather_long_variable_name_of_45_characters"] = np.array([[2.5]])
    d["txt"] = "hello"
    d["cel"] = np.array([[np.array([[1.0]]), "x"]], dtype=object)
    d["st"] = {"a": np.array([[1.0]]), "b": "text"}
    d["cplx"] = np.array([[1 + 2j, 3 - 4j]])
    d["sp"] = scipy.sparse.csc_matrix(np.array([[0.0, 1.0], [2.0, 0.0]]))
    return d


def describe(name, v):
    """The golden entry scipy's value should give."""
    e = {"name": name}
    if isinstance(v, str):
        e.update(cls="char", dims=[1, len(v)])
        return e
    if isinstance(v, dict):
        e.update(cls="struct", dims=[1, 1])
        return e
    if scipy.sparse.issparse(v):
        e.update(cls="sparse", dims=list(v.shape))
        return e
    v = np.asarray(v)
    if v.dtype == object:
        e.update(cls="cell", dims=list(v.shape))
        return e
    if np.iscomplexobj(v):
        e.update(cls="double", dims=list(v.shape), complex=True)
        return e
    cls = {"i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16",
           "i4": "int32", "u4": "uint32", "i8": "int64", "u8": "uint64",
           "f4": "single", "f8": "double", "b1": "uint8"}[v.dtype.str[1:]]
    e.update(cls=cls, dims=list(v.shape))
    if v.dtype == bool:
        e["logical"] = True
        v = v.astype(np.uint8)
    e["float64_sha256"] = hashlib.sha256(
        v.astype("<f8").tobytes(order="F")).hexdigest()
    if cls == "uint8":
        e["uint8_sha256"] = hashlib.sha256(v.tobytes(order="F")).hexdigest()
    return e


# ---- hand-made files ------------------------------------------------------

class Writer:
    """Writes MAT-file elements in one byte order ('<' or '>')."""

    def __init__(self, order):
        self.o = order

    def tag(self, typ, n):
        return struct.pack(self.o + "II", typ, n)

    def elem(self, typ, data, small=True):
        """A data element, in the small format when it fits and small is set."""
        if small and len(data) <= 4:
            # Small data element: the byte count in the upper 16 bits and the
            # type in the lower 16 bits of one uint32, then 4 data bytes.
            return struct.pack(self.o + "I", (len(data) << 16) | typ) + data.ljust(4, b"\0")
        pad = b"\0" * (-len(data) % 8)
        return self.tag(typ, len(data)) + data + pad

    def matrix(self, name, cls, dims, typ, values, flags=0):
        """A miMATRIX element whose real part is stored as type typ."""
        body = self.elem(miUINT32, struct.pack(self.o + "II", cls | flags << 8, 0), small=False)
        body += self.elem(miINT32, struct.pack(self.o + "%di" % len(dims), *dims), small=False)
        body += self.elem(miINT8, name.encode("ascii"))
        arr = np.asarray(values, dtype=np.dtype(NP_OF_MI[typ]).newbyteorder(self.o))
        body += self.elem(typ, arr.tobytes(order="F"))
        return self.tag(miMATRIX, len(body)) + body

    def compressed(self, element):
        z = zlib.compress(element)
        # No padding after a compressed element: the next one follows at once.
        return self.tag(miCOMPRESSED, len(z)) + z

    def header(self, text):
        h = text.ljust(116).encode("ascii") + b"\0" * 8
        # Version 0x0100, then 'MI' written as a 16-bit integer, which reads
        # back as "IM" in a little-endian file and "MI" in a big-endian one.
        return h + struct.pack(self.o + "H", 0x0100) + struct.pack(self.o + "H", 0x4D49)


def matlab_vars():
    """(name, class, dims, stored type, values in column-major order, compress)."""
    rs = np.random.RandomState(604)
    X = rs.randint(0, 256, size=(32, 32, 3, 3)).astype(np.uint8)
    return [
        ("X", mxUINT8, [32, 32, 3, 3], miUINT8, X.flatten(order="F"), True),
        ("y", mxDOUBLE, [3, 1], miUINT8, [10, 1, 4], True),
        ("yplain", mxDOUBLE, [3, 1], miUINT8, [2, 9, 10], False),
        ("neg", mxDOUBLE, [2, 2], miINT8, [-128, -1, 0, 127], False),
        ("u16", mxDOUBLE, [1, 3], miUINT16, [0, 300, 65535], True),
        ("i16", mxDOUBLE, [3, 1], miINT16, [-32768, -2, 32767], False),
        ("i32", mxDOUBLE, [1, 2], miINT32, [-2**31, 2**31 - 1], False),
        ("u32", mxDOUBLE, [2, 1], miUINT32, [0, 2**32 - 1], True),
        ("sgl", mxDOUBLE, [1, 1], miSINGLE, [0.25], False),  # small element
        ("s1", mxDOUBLE, [1, 1], miUINT8, [7], True),  # small, compressed
    ]


def make_matlab(order, path):
    w = Writer(order)
    out = w.header("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: "
                   "Mon Jan  1 00:00:00 2024 (hand-made fixture)")
    golden = []
    for name, cls, dims, typ, values, comp in matlab_vars():
        m = w.matrix(name, cls, dims, typ, values)
        out += w.compressed(m) if comp else m
        v = np.asarray(values, dtype=np.float64)
        e = {"name": name, "cls": "uint8" if cls == mxUINT8 else "double", "dims": dims,
             "float64_sha256": hashlib.sha256(v.astype("<f8").tobytes()).hexdigest()}
        if cls == mxUINT8:
            e["uint8_sha256"] = hashlib.sha256(
                np.asarray(values, dtype=np.uint8).tobytes()).hexdigest()
        golden.append(e)
    with open(path, "wb") as f:
        f.write(out)
    return golden


def main():
    golden = {}
    text = "MATLAB 5.0 MAT-file Platform: posix, Created on: (fixed text for the matv5 tests)"
    for base, make in (("svhn", svhn_vars), ("types", types_vars)):
        for suffix, comp in (("", False), ("-z", True)):
            name = base + suffix + ".mat"
            path = os.path.join(OUT, name)
            d = make()
            scipy.io.savemat(path, d, format="5", do_compression=comp, oned_as="column")
            fixed_header(path, text)
            golden[name] = [describe(k, v) for k, v in d.items()]
            # scipy must read back what it wrote.
            back = scipy.io.loadmat(path)
            for k, v in d.items():
                if isinstance(v, np.ndarray) and v.dtype != object:
                    assert np.array_equal(back[k], v), k
    golden["matlab.mat"] = make_matlab("<", os.path.join(OUT, "matlab.mat"))
    golden["matlab-be.mat"] = make_matlab(">", os.path.join(OUT, "matlab-be.mat"))
    # Both hand-made files must read back in scipy as the intended doubles.
    for name in ("matlab.mat", "matlab-be.mat"):
        back = scipy.io.loadmat(os.path.join(OUT, name), mat_dtype=True)
        for vname, cls, dims, typ, values, comp in matlab_vars():
            got = back[vname]
            assert list(got.shape) == dims, (name, vname, got.shape)
            assert np.array_equal(got.flatten(order="F"), np.asarray(values)), (name, vname)
            assert got.dtype.str[1:] == ("u1" if cls == mxUINT8 else "f8"), (name, vname, got.dtype)
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    for name in sorted(golden):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
