#!/usr/bin/python3
"""Generate the golden data for the tests of package msssim.

Expected values come only from the numeric oracle /work/shared/oracle/msssimref.py
(numpy 1.24.2, scipy 1.10.1). To regenerate, run from the module root (/work/main):

    /usr/bin/python3 msssim/testdata/gen.py

Outputs (in this directory):

  images.bin   uint8 images, each stored planar CHW (the layout of planar.Image),
               one after the other; cases.json gives every image's offset.
  cases.json   {"images": [{"off", "channels", "size"}...],
                "pairs":  [{"name", "a", "b", "want", "want64"}...]  (image indices)
                "sets":   [{"name", "first", "count", "want", "want64", "pairs"}...]
                          (consecutive images)
                "pattern": [{"name", "size", "count", "k", "want", "want64", "pairs"}...]}
               "pattern" sets are not stored: they use the formula P of
               docs/swd.md (its test pattern), which the Go test regenerates.

Images come from numpy.random.RandomState(0): plain noise, smooth images (Gaussian-
blurred noise stretched to 0..255) with correlated partners, gradients, grayscale ones
(tiled to three channels for the oracle, as the original does) and identical pairs.
Sizes 16, 32, 48, 64, 80 and 128 (gray only; RGB 128 and 256 come from the pattern
sets). 80 = 16*5 is special: the oracle (like the original) downsamples once more after the fifth scale and that discarded 5x5 -> 2x2 step raises a
numpy broadcasting error, so its expected value is the oracle's msssim with that last,
unused downsampling made harmless (see down_tolerant below); every scale that is used is
still the oracle's own code.

Every expected value is given twice:

  want    the oracle exactly as it runs here (numpy 1.24.2, scipy 1.10.1);
  want64  the same oracle code with only the precision of its FFT convolution
          changed: the image-side input of signal.fftconvolve is promoted to float64
          (see F64Signal). Since scipy 1.4, scipy.fft keeps float32 inputs in single
          precision, so the oracle's rfftn of its float32 arrays runs in complex64 and
          adds round-off of order 1e-6 to the final score. The scipy of 2018 that the
          original evaluation ran on (<= 1.3) called np.fft.rfftn, which always works in
          double precision: want64 is what the original computed.
"""

import json
import os
import sys

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, "/work/shared/oracle")
import msssimref  # noqa: E402

rs = np.random.RandomState(0)
blob = bytearray()
images = []  # (off, channels, size)
hwc = []     # the oracle's (H, W, 3) view of each image


def add(chw):
    """Store a uint8 CHW image; return its index."""
    chw = np.ascontiguousarray(chw, dtype=np.uint8)
    c, h, w = chw.shape
    assert h == w and c in (1, 3)
    images.append({"off": len(blob), "channels": c, "size": h})
    blob.extend(chw.tobytes())
    t = chw.transpose(1, 2, 0)
    if c == 1:
        t = np.repeat(t, 3, axis=2)  # the original tiles grayscale to RGB
    hwc.append(t)
    return len(images) - 1


def noise(c, s):
    return rs.randint(0, 256, size=(c, s, s)).astype(np.uint8)


def stretch(x):
    x = x - x.min()
    return np.round(x * (255.0 / max(x.max(), 1e-9))).astype(np.uint8)


def smooth(c, s, sigma):
    x = rs.randn(c, s, s)
    x = ndimage.gaussian_filter(x, sigma=(0, sigma, sigma), mode="wrap")
    return stretch(x)


def partner(img, amount):
    """img plus some Gaussian noise, clipped: a correlated second image."""
    n = rs.randn(*img.shape) * amount
    return np.clip(np.round(img.astype(np.float64) + n), 0, 255).astype(np.uint8)


def gradient(c, s, angle, phase):
    y, x = np.mgrid[0:s, 0:s].astype(np.float64)
    out = []
    for ch in range(c):
        t = np.cos(angle + ch) * x + np.sin(angle + ch) * y
        v = 127.5 + 120 * np.sin(2 * np.pi * t / (1.7 * s) + phase + ch)
        out.append(v)
    return np.clip(np.round(np.array(out)), 0, 255).astype(np.uint8)


def oracle_pair(i, j):
    return msssimref.msssim(hwc[i][None], hwc[j][None])


def down_tolerant(x):
    # Only used for the discarded sixth downsampling of odd-sized fifth scales.
    h, w = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    return msssimref_down(x[:, :h, :w])


msssimref_down = msssimref.down
msssimref_signal = msssimref.signal


class F64Signal:
    """Stands in for scipy.signal inside the oracle: fftconvolve with a float64 input."""

    @staticmethod
    def fftconvolve(x, win, mode):
        return msssimref_signal.fftconvolve(x.astype(np.float64), win, mode=mode)


def both(fn, size):
    """fn() under the oracle as is and with float64 FFT input: (want, want64)."""
    if size // 16 % 2 == 1 and size > 48:
        msssimref.down = down_tolerant
    try:
        want = fn()
        msssimref.signal = F64Signal
        want64 = fn()
    finally:
        msssimref.signal = msssimref_signal
        msssimref.down = msssimref_down
    return want, want64


pairs = []


def pair(name, i, j):
    want, want64 = both(lambda: oracle_pair(i, j), images[i]["size"])
    pairs.append({"name": name, "a": i, "b": j, "want": want, "want64": want64})


# --- pairs -----------------------------------------------------------------------
for s in (16, 32, 48, 64, 80, 128):
    if s < 128:  # 128 is covered in RGB by the pattern sets; keep the data small
        a = smooth(3, s, s / 8.0)
        b = partner(a, 20)
        ia, ib = add(a), add(b)
        pair(f"smooth{s}_rgb_noisy_partner", ia, ib)
    if s <= 64:
        pair(f"smooth{s}_rgb_identical", ia, ia)
    if s in (16, 32, 64):
        c = smooth(3, s, s / 6.0)
        pair(f"smooth{s}_rgb_vs_other_smooth", ia, add(c))
        n1, n2 = add(noise(3, s)), add(noise(3, s))
        pair(f"noise{s}_rgb", n1, n2)
        pair(f"noise{s}_vs_smooth{s}", n1, ia)
    if s in (16, 32):
        g1, g2 = add(gradient(3, s, 0.3, 0.0)), add(gradient(3, s, 0.5, 0.4))
        pair(f"gradient{s}_rgb", g1, g2)
    if s in (16, 32, 64, 128):
        ga = smooth(1, s, s / 10.0)
        gb = partner(ga, 12)
        i1, i2 = add(ga), add(gb)
        pair(f"gray{s}_noisy_partner", i1, i2)
        if s <= 64:
            pair(f"gray{s}_identical", i1, i1)
            pair(f"gray{s}_vs_rgb", i1, ia)  # unrelated: clipped to 0
            pair(f"gray{s}_vs_rgb_partner", i1, add(partner(np.repeat(ga, 3, axis=0), 25)))

# a weakly correlated pair
s = 32
a = smooth(3, s, 3.0)
pair("smooth32_rgb_very_noisy_partner", add(a), add(partner(a, 70)))
# a pair whose fine scales are anti-correlated (clipping of negative cs to 0 matters)
s = 32
a = smooth(3, s, 3.0)
i1, i2 = add(a), add((255 - a).astype(np.uint8))
pair("smooth32_inverted", i1, i2)
# constant images
i1, i2 = add(np.full((3, 32, 32), 7, np.uint8)), add(np.full((3, 32, 32), 200, np.uint8))
pair("constant32_7_vs_200", i1, i2)
pair("constant32_identical", i1, i1)

# --- sets (consecutive pairs, trailing odd image dropped) ---------------------------
sets = []


def add_set(name, imgs):
    first = len(images)
    for im in imgs:
        add(im)
    arr = np.stack(hwc[first:first + len(imgs)])
    want, want64 = both(lambda: msssimref.msssim_set(arr), arr.shape[1])
    sets.append({"name": name, "first": first, "count": len(imgs),
                 "want": want, "want64": want64, "pairs": len(imgs) // 2})


imgs = []
for k in range(11):  # odd: the last one is dropped
    x = smooth(3, 16, 2.0 + 0.3 * k)
    imgs.append(x if k % 3 else partner(x, 30))
add_set("set16_odd11", imgs)
imgs = []
for k in range(6):
    x = smooth(3, 32, 4.0)
    imgs.append(x)
    imgs.append(partner(x, 10 + 10 * k))
add_set("set32_even12", imgs)


# --- pattern P of section 4.4 (regenerated in Go) -----------------------------------
def P(n, c, s, k):
    nn, cc, yy, xx = np.meshgrid(np.arange(n), np.arange(c), np.arange(s), np.arange(s),
                                 indexing="ij")
    v = (7 * xx + 13 * yy + 50 * cc + (xx * yy) % 17 + 31 * nn + 11 * k
         + ((xx + k) * (yy + nn)) % 29) % 256
    return v.astype(np.uint8)


pattern = []
for s, n, k in ((32, 4, 0), (64, 4, 0), (256, 4, 0), (16, 4, 0), (48, 6, 1), (96, 4, 2),
                (128, 4, 3), (16, 517, 5)):
    x = P(n, 3, s, k).transpose(0, 2, 3, 1)
    want, want64 = both(lambda: msssimref.msssim_set(x), s)
    pattern.append({"name": f"P{s}_n{n}_k{k}", "size": s, "count": n, "k": k,
                    "want": want, "want64": want64, "pairs": n // 2})
    print(f"pattern {s:4d} n={n:3d} k={k}: {want!r} {want64!r}")

with open(os.path.join(HERE, "images.bin"), "wb") as f:
    f.write(bytes(blob))
with open(os.path.join(HERE, "cases.json"), "w") as f:
    json.dump({"images": images, "pairs": pairs, "sets": sets, "pattern": pattern}, f,
              indent=1)
    f.write("\n")
for p in pairs:
    print(f"{p['name']:32s} {p['want']!r} {p['want64']!r}")
for p in sets:
    print(f"{p['name']:32s} {p['want']!r} {p['want64']!r} ({p['pairs']} pairs)")
print(len(blob), "bytes of images")
