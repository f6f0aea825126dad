#!/usr/bin/python3
"""Generate the golden .npy files used by the tests of package npy.

The files were produced with numpy 1.24.2. To regenerate them, run from the
repository root:

    /usr/bin/python3 internal/npy/testdata/gen.py

Outputs (all in this directory):

  *.npy          arrays written by np.save (or numpy.lib.format.write_array),
                 plus one numpy<=1.13-style file made by hand (v1_align16_2x3.npy);
  values.json    for every readable file: its shape as the Go package reads it
                 (rows, cols) and the values as float32 bit patterns, in
                 row-major order, computed by numpy's own astype(float32);
  headers.json   the exact header bytes (hex) numpy 1.24 writes for C-ordered
                 '<f4' arrays of various 2-D shapes, without the data.
"""

import io
import json
import os
import struct

import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))

# Arrays with simple formulas, so the tests can also state them directly.
def grid(rows, cols, dtype, off=0.5):
    a = np.empty((rows, cols), dtype=dtype)
    for i in range(rows):
        for j in range(cols):
            a[i, j] = i * 10 + j + off
    return a


def onehot(classes, n):
    a = np.zeros((len(classes), n), dtype=np.float32)
    a[np.arange(len(classes)), classes] = 1
    return a


arrays = {
    # float32, written byte-identically by npy.Write.
    "f4_3x4.npy": grid(3, 4, np.float32),
    "f4_0x10.npy": np.zeros((0, 10), dtype=np.float32),
    "onehot_5x10.npy": onehot([3, 0, 9, 1, 5], 10),
    # Other dtypes, converted to float32 by npy.Read.
    "f8_2x3.npy": np.array([[0.25, 0.1, 1 / 3],
                            [1e-40, -1e39, 16777217.0]], dtype=np.float64),
    "f2_2x4.npy": np.array([[0, 1, -2, 0.5],
                            [65504, 2**-24, np.inf, np.nan]], dtype=np.float16),
    "i8_5.npy": np.array([-2, -1, 0, 2**40, 2**62 + 2**38 + 1], dtype=np.int64),
    "i1_2x3.npy": np.array([[-128, -1, 0], [1, 2, 127]], dtype=np.int8),
    "i2_2x3.npy": np.array([[-32768, -1, 0], [1, 300, 32767]], dtype=">i2"),
    "i4_2x3.npy": np.array([[-2**31, -1, 0], [1, 2**24 + 1, 2**31 - 1]], dtype=np.int32),
    "u1_2x3.npy": np.array([[0, 1, 2], [127, 128, 255]], dtype=np.uint8),
    "u2_2x3.npy": np.array([[0, 1, 2], [256, 4097, 65535]], dtype=np.uint16),
    "u4_2x3.npy": np.array([[0, 1, 2], [2**24 + 1, 2**31, 2**32 - 1]], dtype=np.uint32),
    "u8_2x3.npy": np.array([[0, 1, 2], [2**53 + 1, 2**63 + 2**39 + 1, 2**64 - 1]], dtype=np.uint64),
    "b1_2x2.npy": np.array([[True, False], [False, True]], dtype=np.bool_),
    # Layout and byte order.
    "f4_fortran_3x2.npy": np.asfortranarray(grid(3, 2, np.float32)),
    "f4_be_2x3.npy": grid(2, 3, ">f4"),
    "f8_be_2x2.npy": grid(2, 2, ">f8", off=0.125),
}

for name, a in arrays.items():
    np.save(os.path.join(OUT, name), a)

# Version 2.0 file (4-byte header length).
a = grid(2, 3, np.float32)
arrays["f4_v2_2x3.npy"] = a
with open(os.path.join(OUT, "f4_v2_2x3.npy"), "wb") as f:
    np.lib.format.write_array(f, a, version=(2, 0))

# Version 3.0 file (utf-8 header); same layout as 2.0.
arrays["f4_v3_2x3.npy"] = a
with open(os.path.join(OUT, "f4_v3_2x3.npy"), "wb") as f:
    np.lib.format.write_array(f, a, version=(3, 0))

# numpy <= 1.13 style: no growth-axis spaces, header padded to 16 bytes.
# This is what the original Progressive GAN tool produced (the README's
# CIFAR-10 labels file of 2 000 080 bytes has an 80-byte header).
def old_style(a):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (a.dtype.str, a.shape)
    total = 6 + 2 + 2 + len(d) + 1
    d += " " * (16 - total % 16) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode("latin1") + a.tobytes()


arrays["v1_align16_2x3.npy"] = a
with open(os.path.join(OUT, "v1_align16_2x3.npy"), "wb") as f:
    f.write(old_style(a))
hdr = old_style(np.zeros((50000, 10), np.float32))[:-50000 * 10 * 4]
assert len(hdr) == 80, len(hdr)

# Files numpy writes but package npy rejects.
np.save(os.path.join(OUT, "bad_object.npy"), np.array([1, "a", None], dtype=object))
np.save(os.path.join(OUT, "bad_3d.npy"), np.zeros((2, 2, 2), dtype=np.float32))
np.save(os.path.join(OUT, "bad_struct.npy"), np.zeros((2,), dtype=[("a", "<f4"), ("b", "<i2")]))
np.save(os.path.join(OUT, "bad_complex.npy"), np.zeros((2, 2), dtype=np.complex64))
np.save(os.path.join(OUT, "bad_scalar.npy"), np.float32(3))

# Expected values, checked by reading every file back with numpy.
values = {}
for name in sorted(arrays):
    b = np.load(os.path.join(OUT, name))
    want = arrays[name]
    assert b.dtype == want.dtype and b.shape == want.shape, name
    assert np.array_equal(b, want, equal_nan=(b.dtype.kind == "f")), name
    if b.ndim == 1:
        b = b.reshape(-1, 1)
    with np.errstate(over="ignore"):
        f = np.ascontiguousarray(b.astype("<f4"))
    values[name] = {
        "rows": b.shape[0],
        "cols": b.shape[1],
        "bits": f.view("<u4").ravel().tolist(),
    }
with open(os.path.join(OUT, "values.json"), "w") as f:
    json.dump(values, f, indent=1, sort_keys=True)
    f.write("\n")

# Exact headers numpy writes for C-ordered float32 matrices.
shapes = [(0, 0), (0, 10), (1, 1), (3, 4), (5, 10), (50000, 10), (60000, 1000),
          (1234567890, 7), (10**18, 3), (9223372036854775807, 1),
          (1, 10**18), (10**18, 10**18), (9223372036854775807, 9223372036854775807)]
headers = []
for s in shapes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": s})
    headers.append({"rows": s[0], "cols": s[1], "hex": buf.getvalue().hex()})
# Cross-check against np.save for the shapes that can be materialized.
for h in headers:
    if h["rows"] * h["cols"] <= 10**6:
        buf = io.BytesIO()
        np.save(buf, np.zeros((h["rows"], h["cols"]), np.float32))
        assert buf.getvalue().startswith(bytes.fromhex(h["hex"])), h
with open(os.path.join(OUT, "headers.json"), "w") as f:
    json.dump(headers, f, indent=1)
    f.write("\n")
