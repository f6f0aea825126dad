#!/usr/bin/python3
"""Inputs of the pad branch for the two celebahq-mini fixture cases that take it.

Rebuilds, from the fixture's lossless decoded PNGs, the image that enters
step 10 of create_celebahq: idx 29999 (000151.jpg) is shrunk to 750x750,
idx 7000 (000058.jpg) is cropped to box (0, 59, 232, 407) and upsampled x4 to
928x1392, both with Pillow 3.1.1's ANTIALIAS resize, re-implemented here in
numpy with float32 rounding as in libImaging/Resample.c (docs/celebahq.md
section 2). Each result is checked against the fixture's stage md5 before it
is written as idxNNNNN_prepad.png. Needs /usr/bin/python3 with numpy and
Pillow (any version; Pillow is only used to read and write PNG files).

usage: make_fixture_inputs.py <celebahq-mini fixture dir>
"""
import hashlib
import math
import os
import sys

import numpy as np
from PIL import Image

f32 = np.float32


def sinc(x):
    if x == 0.0:
        return f32(1.0)
    x = f32(float(x) * math.pi)
    return f32(math.sin(float(x)) / float(x))


def lanczos(x):
    if -3.0 <= x < 3.0:
        return f32(sinc(x) * sinc(f32(x / f32(3))))
    return f32(0.0)


def coeffs(n_in, n_out):
    scale = f32(f32(n_in) / f32(n_out))
    fs = scale if scale >= 1.0 else f32(1.0)
    support = f32(f32(3.0) * fs)
    ss = f32(1.0 / float(fs))
    out = []
    for xx in range(n_out):
        center = f32((xx + 0.5) * float(scale))
        xmin = max(int(math.floor(f32(center - support))), 0)
        xmax = min(int(math.ceil(f32(center + support))), n_in)
        ws, ww = [], f32(0.0)
        for x in range(xmin, xmax):
            t = f32((float(f32(f32(x) - center)) + 0.5) * float(ss))
            w = f32(lanczos(t) * ss)
            ws.append(w)
            ww = f32(ww + w)
        if ww != 0.0:
            ws = [f32(w / ww) for w in ws]
        out.append((xmin, ws))
    return out


def horizontal(img, n_out):
    h, n_in, c = img.shape
    res = np.empty((h, n_out, c), np.uint8)
    src = img.astype(np.float32)
    for xx, (xmin, ws) in enumerate(coeffs(n_in, n_out)):
        acc = np.full((h, c), 0.5, np.float32)
        for t, w in enumerate(ws):
            acc = acc + src[:, xmin + t, :] * w
        res[:, xx, :] = np.clip(np.trunc(acc).astype(np.int64), 0, 255)
    return res


def resize(img, w, h):
    t = horizontal(img, w)
    t = horizontal(np.ascontiguousarray(t.transpose(1, 0, 2)), h)
    return np.ascontiguousarray(t.transpose(1, 0, 2))


def md5(a):
    return hashlib.md5(np.ascontiguousarray(a).tobytes()).hexdigest()


def main(fixture):
    here = os.path.dirname(os.path.abspath(__file__))
    png = os.path.join(fixture, "png")
    a = np.asarray(Image.open(os.path.join(png, "000151_decoded.png")).convert("RGB"))
    assert md5(a) == "b22b067e5b856acb79516c444eb68f9a"
    a = resize(a, 750, 750)
    assert md5(a) == "3f98eb67dadc8c4b1df5a70679f423c5", "shrink stage of idx 29999"
    Image.fromarray(a).save(os.path.join(here, "idx29999_prepad.png"), optimize=True)
    b = np.asarray(Image.open(os.path.join(png, "000058_decoded.png")).convert("RGB"))
    assert md5(b) == "66def84759810218b452100295fd679b"
    b = b[59:407, 0:232]
    assert md5(b) == "0290d00e8dc8b63d6ebdb44582f55a00", "crop stage of idx 7000"
    b = resize(b, 928, 1392)
    assert md5(b) == "f43753d153bffc1f951d20b7cd7e620f", "superres stage of idx 7000"
    Image.fromarray(b).save(os.path.join(here, "idx07000_prepad.png"), optimize=True)


if __name__ == "__main__":
    main(sys.argv[1])
