#!/usr/bin/python3
"""Golden data for package ndfilter (see README.md for the exact command).

Runs the NumPy/scipy lines of the pad branch of create_celebahq
(tkarras/progressive_growing_of_gans dataset_tool.py, docs/celebahq.md)
on small deterministic inputs and records the inputs plus the md5 of every
intermediate array. Needs NumPy 1.24.2 and scipy 1.10.1 (Debian bookworm's
python3-numpy, python3-scipy).
"""
import hashlib
import json
import math
import os
import sys
from decimal import Decimal, localcontext

import numpy as np
import scipy
import scipy.ndimage
from scipy.ndimage._filters import _gaussian_kernel1d

assert np.__version__ == "1.24.2", np.__version__
assert scipy.__version__ == "1.10.1", scipy.__version__

HERE = os.path.dirname(os.path.abspath(__file__))


def md5(a, dtype=None):
    a = np.ascontiguousarray(a if dtype is None else a.astype(dtype))
    return hashlib.md5(a.tobytes()).hexdigest()


# ---------------------------------------------------------------------------
# np.pad 'reflect' of NumPy <= 1.16 (pure-Python arraypad.py): while a side
# exceeds safe_pad, pad by whole safe_pads, then the rest in one reflection.
# Each single reflection (pad <= len-1) is the same in every NumPy, so it is
# delegated to np.pad.


def legacy_pad_axis(arr, axis, before, after):
    if (before > 0 or after > 0) and arr.shape[axis] == 1:
        w = [(0, 0)] * arr.ndim
        w[axis] = (before, after)
        return np.pad(arr, w, "edge")
    safe = arr.shape[axis] - 1

    def once(a, b, c):
        w = [(0, 0)] * a.ndim
        w[axis] = (b, c)
        return np.pad(a, w, "reflect")

    while before > safe or after > safe:
        b = min(safe, safe * (before // safe))
        a = min(safe, safe * (after // safe))
        arr = once(arr, b, a)
        before -= b
        after -= a
        safe += b + a
    return once(arr, before, after)


def legacy_pad(arr, width, mode):
    assert mode == "reflect"
    for axis, (b, a) in enumerate(width):
        arr = legacy_pad_axis(arr, axis, int(b), int(a))
    return arr


# ---------------------------------------------------------------------------
# Correctly rounded exp (what package ndfilter uses for the kernel).


def exp_cr(v):
    with localcontext() as ctx:
        ctx.prec = 60
        return float(Decimal(float(v)).exp())


def kernel_cr(sigma, radius):
    # scipy 1.10 _gaussian_kernel1d(sigma, 0, radius), exp correctly rounded
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    arg = -0.5 / sigma2 * x ** 2
    phi_x = np.array([exp_cr(v) for v in arg], dtype=np.float64)
    phi_x = phi_x / phi_x.sum()
    return phi_x


def gaussian_cr(img, sy, sx):
    # gaussian_filter(img, [sy, sx, 0]) with the correctly rounded kernel:
    # gaussian_filter1d is correlate1d(input, kernel[::-1]) per axis.
    out = np.empty_like(img)
    src = img
    done = False
    for axis, s in ((0, sy), (1, sx)):
        if s > 1e-15:
            r = int(4.0 * float(s) + 0.5)
            scipy.ndimage.correlate1d(src, kernel_cr(s, r)[::-1], axis, out, "reflect", 0.0, 0)
            src = out
            done = True
    if not done:
        out[...] = img
    return out


# ---------------------------------------------------------------------------
# The pad branch as the original writes it (lines copied from dataset_tool.py,
# split only to record intermediates; pad is the np.maximum int64 array).


def original_pad_branch(img, pad, blur, pad_fn, trace):
    img = pad_fn(np.float32(img), ((pad[1], pad[3]), (pad[0], pad[2]), (0, 0)), 'reflect')
    trace["padded"] = md5(img)
    h, w, _ = img.shape
    y, x, _ = np.mgrid[:h, :w, :1]
    mask = 1.0 - np.minimum(np.minimum(np.float32(x) / pad[0], np.float32(y) / pad[1]), np.minimum(np.float32(w-1-x) / pad[2], np.float32(h-1-y) / pad[3]))
    assert mask.dtype == np.float32 and mask.shape == (h, w, 1)
    trace["mask"] = md5(mask)
    g = scipy.ndimage.gaussian_filter(img, [blur, blur, 0])
    trace["gaussian"] = md5(g)
    gcr = gaussian_cr(img, blur, blur)
    trace["gaussian_cr_equal"] = bool((g.view(np.uint32) == gcr.view(np.uint32)).all())
    img += (g - img) * np.clip(mask * 3.0 + 1.0, 0.0, 1.0)
    assert img.dtype == np.float32
    trace["after_blur_blend"] = md5(img)
    med = np.median(img, axis=(0,1))
    assert med.dtype == np.float32
    trace["median"] = [float(v) for v in med]
    img += (np.median(img, axis=(0,1)) - img) * np.clip(mask, 0.0, 1.0)
    trace["after_median_blend"] = md5(img)
    img = np.uint8(np.clip(np.round(img), 0, 255))
    trace["output"] = md5(img)
    trace["shape"] = list(img.shape)
    return img


# ---------------------------------------------------------------------------
# The pad parameters as the original derives them.


def original_plan(quad, w, h, border, zoom):
    pad = (int(np.floor(min(quad[:,0]))), int(np.floor(min(quad[:,1]))), int(np.ceil(max(quad[:,0]))), int(np.ceil(max(quad[:,1]))))
    pad = (max(-pad[0] + border, 0), max(-pad[1] + border, 0), max(pad[2] - w + border, 0), max(pad[3] - h + border, 0))
    raw = list(pad)
    apply = bool(max(pad) > border - 4)
    pad = np.maximum(pad, int(np.round(1024 * 0.3 / zoom)))
    blur = 1024 * 0.02 / zoom
    return raw, apply, [int(v) for v in pad], blur


def structured(h, w, seed):
    rs = np.random.RandomState(seed)
    y, x = np.mgrid[:h, :w]
    r = (x * 255 // max(w - 1, 1))
    g = ((x // 3 + y // 3) % 2) * 200 + 20
    b = (y * 7 + rs.randint(0, 40, size=(h, w))) % 256
    return np.stack([r, g, b], axis=2).astype(np.uint8)


def main():
    rs = np.random.RandomState(20240601)
    golden = {"numpy": np.__version__, "scipy": scipy.__version__}

    # 1. reflect index maps: md5 of the int32 padded np.arange(n) for every
    #    (before, after) in 0..24², concatenated per n.
    refl = []
    for n in range(1, 10):
        h_new, h_old = hashlib.md5(), hashlib.md5()
        a = np.arange(n, dtype=np.int32)
        for b in range(25):
            for c in range(25):
                h_new.update(np.pad(a, (b, c), "reflect").tobytes())
                h_old.update(legacy_pad(a, ((b, c),), "reflect").tobytes())
        refl.append({"n": n, "max_pad": 24, "numpy117": h_new.hexdigest(), "legacy": h_old.hexdigest()})
    golden["reflect"] = refl
    golden["reflect_examples"] = [
        {"n": n, "before": b, "after": c,
         "numpy117": np.pad(np.arange(n), (b, c), "reflect").tolist(),
         "legacy": legacy_pad(np.arange(n), ((b, c),), "reflect").tolist()}
        for n, b, c in [(3, 1, 8), (4, 0, 13), (5, 17, 2), (1, 3, 2), (2, 5, 6)]]

    # 2. Gaussian kernels: md5 of the float64 weights (correctly rounded exp),
    #    and how many weights scipy's own kernel (this machine's libm exp)
    #    differs in.
    sigmas = [0.1, 0.124, 0.125, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 3.3, 5.0, 7.77, 10.0, 13.7, 20.0,
              22.43654052734375, 33.3, 42.712060546875, 60.0, 100.0]
    sigmas += [float(v) for v in rs.uniform(0.12, 80.0, size=80)]
    kernels = []
    for s in sigmas:
        r = int(4.0 * s + 0.5)
        k = kernel_cr(s, r)
        ks = _gaussian_kernel1d(s, 0, r)
        kernels.append({"sigma": s.hex(), "radius": r, "md5": md5(k, "<f8"),
                        "scipy_md5": md5(ks, "<f8"), "scipy_differs": int((k != ks).sum())})
    golden["kernels"] = kernels

    # 2b. exp: correctly rounded values for random kernel-range arguments,
    #     and the arguments among 40000 where this machine's libm differs.
    args = list(rs.uniform(-32.0, 0.0, size=300)) + list(-np.exp(rs.uniform(-30.0, 3.4, size=100)))
    for v in rs.uniform(-32.0, 0.0, size=40000):
        if math.exp(v) != exp_cr(v):
            args.append(v)
    golden["exp"] = [[float(v).hex(), exp_cr(v).hex(), math.exp(v) == exp_cr(v)] for v in args]

    # 3. Gaussian filter alone on float32 data (random normal * 100, so the
    #    float32 rounding of the double sums is exercised).
    gcases = []
    for i, (h, w, c, sy, sx) in enumerate([(23, 31, 3, 1.5, 1.5), (23, 31, 3, 0.7, 4.2), (23, 31, 3, 0.0, 2.0),
                                           (23, 31, 3, 3.0, 0.0), (23, 31, 3, 0.0, 0.0), (9, 6, 2, 5.0, 11.0),
                                           (1, 17, 3, 2.0, 2.0), (40, 1, 1, 7.5, 3.0), (64, 48, 3, 20.0, 20.0),
                                           (60, 64, 3, 2.0, 2.0), (50, 40, 3, 1.3, 2.6), (45, 50, 2, 3.0, 0.9)]):
        a = (rs.standard_normal((h, w, c)) * 100).astype(np.float32)
        if 6 <= i < 9:  # wide dynamic range
            a = (rs.standard_normal((h, w, c)) * 10.0 ** rs.randint(-12, 13, size=(h, w, c))).astype(np.float32)
        elif i >= 9:  # a checkerboard: the filter cancels it to rounding noise, so the
            # output depends on every bit of the weights and on the summation order
            y, x, _ = np.mgrid[:h, :w, :c]
            a = ((-1.0) ** (x + y) * np.float64([1000.0, 3.3, 77777.0])[:c]).astype(np.float32)
        name = "gauss%d.f32" % i
        a.astype("<f4").tofile(os.path.join(HERE, name))
        g = scipy.ndimage.gaussian_filter(a, [sy, sx, 0])
        gcr = gaussian_cr(a, sy, sx)
        gcases.append({"file": name, "h": h, "w": w, "c": c, "sigma_y": sy, "sigma_x": sx,
                       "md5": md5(gcr, "<f4"), "scipy_md5": md5(g, "<f4"),
                       "scipy_differs": int((g.view(np.uint32) != gcr.view(np.uint32)).sum())})
    # 3b. Order-sensitive lines: in each line one output is A·w0 plus a pair
    #     (hi, lo) that cancels it to ~2^-48·A, plus a small third term; its
    #     float32 value depends on the order scipy adds the terms in.
    for i, (n, lines, sigma, axis) in enumerate([(41, 60, 2.5, 1), (37, 45, 4.0, 0), (64, 30, 1.3, 1)]):
        r = int(4.0 * sigma + 0.5)
        wts = kernel_cr(sigma, r)[r:]
        a = np.zeros((lines, n), dtype=np.float32)
        for l in range(lines):
            k = 2 + l % (r - 1)
            j = 1 + (l // 3) % (k - 1)
            c = n // 2 - 3 + l % 7
            A = np.float32(rs.uniform(0.5, 2.0))
            p = -float(A) * wts[0] / wts[k]
            hi = np.float32(p)
            a[l, c] = A
            a[l, c - k] = hi
            a[l, c + k] = np.float32(p - float(hi))
            a[l, c - j] = np.float32(rs.uniform(-1, 1) * float(A) * 2.0 ** -46 / wts[j])
        img = a[:, :, None] if axis == 1 else a.T[:, :, None]
        img = np.ascontiguousarray(img)
        h, w, c = img.shape
        sy, sx = (0.0, sigma) if axis == 1 else (sigma, 0.0)
        name = "cancel%d.f32" % i
        img.astype("<f4").tofile(os.path.join(HERE, name))
        g = scipy.ndimage.gaussian_filter(img, [sy, sx, 0])
        gcr = gaussian_cr(img, sy, sx)
        # the same sum added innermost pair first, to show the order matters
        rev = np.zeros_like(a)
        ext = np.pad(a.astype(np.float64), ((0, 0), (r, r)), "symmetric")
        for l in range(lines):
            for x in range(n):
                acc = ext[l, x + r] * wts[0]
                for kk in range(1, r + 1):
                    acc += (ext[l, x + r - kk] + ext[l, x + r + kk]) * wts[kk]
                rev[l, x] = acc
        gcases.append({"file": name, "h": h, "w": w, "c": c, "sigma_y": sy, "sigma_x": sx,
                       "md5": md5(gcr, "<f4"), "scipy_md5": md5(g, "<f4"),
                       "scipy_differs": int((g.view(np.uint32) != gcr.view(np.uint32)).sum()),
                       "inner_first_differs": int((rev != (gcr[:, :, 0] if axis == 1 else gcr[:, :, 0].T)).sum())})
    golden["gaussian"] = gcases

    # 4. Median over axes (0, 1) of float32 arrays: odd and even counts, ties.
    mcases = []
    for i, (h, w, c, kind) in enumerate([(7, 9, 3, "normal"), (8, 9, 3, "normal"), (1, 1, 2, "normal"),
                                          (1, 2, 1, "normal"), (30, 31, 3, "ints"), (64, 64, 3, "ints"),
                                          (50, 41, 3, "normal")]):
        if kind == "ints":
            a = rs.randint(0, 6, size=(h, w, c)).astype(np.float32) * np.float32(0.1)
        else:
            a = (rs.standard_normal((h, w, c)) * 50).astype(np.float32)
        name = "median%d.f32" % i
        a.astype("<f4").tofile(os.path.join(HERE, name))
        med = np.median(a, axis=(0, 1))
        assert med.dtype == np.float32
        mcases.append({"file": name, "h": h, "w": w, "c": c, "median": [float(v) for v in med]})
    golden["median"] = mcases

    # 5. The whole pad branch (uint8 RGB in, uint8 RGB out), both np.pad
    #    flavours.
    pcases = []
    specs = [
        ("random", 37, 53, (5, 9, 3, 7), 2.5),
        ("random", 37, 53, (60, 41, 80, 100), 20.0),
        ("structured", 37, 53, (12, 12, 12, 12), 0.5),
        ("structured", 53, 37, (10, 3, 25, 1), 13.7),
        ("random", 5, 7, (2, 15, 23, 1), 1.25),
        ("structured", 21, 17, (2, 2, 2, 2), 0.9),
        ("random", 1, 1, (2, 3, 4, 5), 1.0),
        ("structured", 16, 12, (70, 5, 3, 44), 9.0),
        ("random", 40, 30, (33, 33, 33, 33), 40.0),
    ]
    for i, (kind, h, w, pad, blur) in enumerate(specs):
        img = rs.randint(0, 256, size=(h, w, 3)).astype(np.uint8) if kind == "random" else structured(h, w, i)
        name = "pad%d.u8" % i
        img.tofile(os.path.join(HERE, name))
        padarr = np.maximum(pad, 1)  # int64 array, as np.maximum gives the original
        case = {"file": name, "h": h, "w": w, "pad": list(pad), "blur": blur}
        for flavour, fn in (("numpy117", np.pad), ("legacy", legacy_pad)):
            trace = {}
            original_pad_branch(img, padarr, blur, fn, trace)
            case[flavour] = trace
        pcases.append(case)
    golden["pad_branch"] = pcases

    # 6. Parameter derivation from random quads.
    plans = []
    for i in range(60):
        if i % 2 == 0:  # anywhere: mostly padded
            w, h = int(rs.randint(50, 3000)), int(rs.randint(50, 3000))
            zoom = float(rs.uniform(0.25, 1.0))
            c = np.float32([rs.uniform(-0.3, 1.3) * w, rs.uniform(-0.3, 1.3) * h])
        else:  # a large image with the face near the centre: mostly not
            w, h = int(rs.randint(1500, 4000)), int(rs.randint(1500, 4000))
            zoom = float(rs.uniform(0.6, 1.0))
            c = np.float32([rs.uniform(0.4, 0.6) * w, rs.uniform(0.4, 0.6) * h])
        border = max(int(np.round(1024 * 0.1 / zoom)), 3)
        half = np.float32(1024 / zoom / 2)
        ang = rs.uniform(-0.6, 0.6)
        x = np.float32([math.cos(ang), math.sin(ang)]) * half
        y = np.flipud(x) * [-1, 1]
        quad = np.stack([c - x - y, c - x + y, c + x + y, c + x - y]).astype(np.float32)
        raw, apply, pad, blur = original_plan(quad, w, h, border, zoom)
        plans.append({"quad": [[float(v) for v in q] for q in quad], "w": w, "h": h, "border": border,
                      "zoom": zoom.hex(), "raw": raw, "apply": apply, "pad": pad, "blur": blur.hex()})
    golden["plans"] = plans

    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
