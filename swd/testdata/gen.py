"""Expected values for the swd package's tests, from the numeric oracle.

Regenerate (from the module root, about a minute):

    /usr/bin/python3 swd/testdata/gen.py

Every input is computed, never stored: either the deterministic pattern of
docs/swd.md, or images built with integer arithmetic
from numpy.random.RandomState.randint draws (which internal/nprand
reproduces bit for bit). The Go tests rebuild them and check the checksums
written here before comparing.

Outputs:
  expected.json         pyramid sums, patch cases and SWD values
  patches_<name>.npy    float32 (count, 147): the exact neighbourhoods
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "oracle"))
import swdref  # noqa: E402


def pattern(n, c, h, w, k):
    """P(n, c, y, x; k) of docs/swd.md, uint8 NCHW (h = w)."""
    nn, cc, yy, xx = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    v = (7 * xx + 13 * yy + 50 * cc + (xx * yy) % 17 + 31 * nn + 11 * k + ((xx + k) * (yy + nn)) % 29) % 256
    return v.astype(np.uint8)


def smooth(n, res, seed, grid=8):
    """Smooth random images: a (grid+1)² lattice of random values per image and
    channel, bilinearly interpolated with integer arithmetic, plus noise in
    [-4, 4]. Draws: the lattice (n·3·(grid+1)² randint(0, 256)), then the
    noise (n·3·res² randint(-4, 5))."""
    r = np.random.RandomState(seed)
    g = r.randint(0, 256, size=(n, 3, grid + 1, grid + 1)).astype(np.int64)
    noise = r.randint(-4, 5, size=(n, 3, res, res)).astype(np.int64)
    pos = np.arange(res) * grid
    i0, f = pos // res, pos % res
    iy, fy = i0[:, None], f[:, None]
    ix, fx = i0[None, :], f[None, :]
    v = (g[:, :, iy, ix] * (res - fy) * (res - fx) + g[:, :, iy + 1, ix] * fy * (res - fx)
         + g[:, :, iy, ix + 1] * (res - fy) * fx + g[:, :, iy + 1, ix + 1] * fy * fx) // (res * res)
    return np.clip(v + noise, 0, 255).astype(np.uint8)


def perturb(x, seed):
    """More contrast, a shift and more noise: clip(x·5//4 - 32 + randint(-8, 9))."""
    r = np.random.RandomState(seed)
    noise = r.randint(-8, 9, size=x.shape).astype(np.int64)
    return np.clip(x.astype(np.int64) * 5 // 4 - 32 + noise, 0, 255).astype(np.uint8)


def checksum(x):
    """Σ v and Σ v·(i mod 65521) over the flat C-order array, as Python ints."""
    f = x.reshape(-1).astype(np.int64)
    return [int(f.sum()), int((f * (np.arange(f.size) % 65521)).sum())]


def main():
    out = {}

    # Pyramid sums (and the first values) per level.
    pyr = []
    for name, imgs in [("P(2,3,64,64;3)", pattern(2, 3, 64, 64, 3)),
                       ("P(1,3,100,100;4)", pattern(1, 3, 100, 100, 4)),
                       ("P(1,3,256,256;1)", pattern(1, 3, 256, 256, 1))]:
        levels = swdref.pyramid(imgs, len(swdref.levels_for(imgs.shape[2])))
        pyr.append({
            "name": name,
            "levels": [{
                "shape": list(l.shape),
                "sum": float(l.astype(np.float64).sum()),
                "abs": float(np.abs(l.astype(np.float64)).sum()),
                "first": [float(v) for v in l[0, 0, 0, :4]],
                "checksum": float((l.astype(np.float64) * (np.arange(l.size) % 1009).reshape(l.shape)).sum()),
            } for l in levels],
        })
    out["pyramid"] = pyr

    # Exact neighbourhoods: 16 per image per level, RandomState(seed), drawn
    # level by level (column centres, then row centres) as swdref.patches does.
    pcases = []
    for name, imgs, seed in [("p64", pattern(2, 3, 64, 64, 5), 11),
                             ("p50", pattern(2, 3, 50, 50, 2), 12),
                             ("p256", pattern(1, 3, 256, 256, 1), 13)]:
        rng = np.random.RandomState(seed)
        levels = swdref.pyramid(imgs, len(swdref.levels_for(imgs.shape[2])))
        rows = [swdref.patches(l, 16, 7, rng).reshape(-1, 147) for l in levels]
        np.save(os.path.join(HERE, "patches_%s.npy" % name), np.concatenate(rows).astype(np.float32))
        pcases.append({"name": name, "image": list(imgs.shape), "seed": seed, "per_image": 16,
                       "pattern_k": {"p64": 5, "p50": 2, "p256": 1}[name],
                       "rows": [len(r) for r in rows]})
    out["patches"] = pcases

    # SWD in numpy mode.
    cases = []
    for name, n, res, seed, gray, mb in [("smooth64", 64, 64, 1000, False, None),
                                         ("smooth32x300", 300, 32, 7, False, None),
                                         ("gray128", 20, 128, 3, True, None)]:
        real = smooth(n, res, seed + 1)
        fake = perturb(smooth(n, res, seed + 2), seed + 3)
        if gray:
            real, fake = real[:, :1], fake[:, :1]
        cs = [checksum(real), checksum(fake)]
        if gray:
            real, fake = np.repeat(real, 3, axis=1), np.repeat(fake, 3, axis=1)
        res_, dist, avg = swdref.swd(real, fake, seed=seed, minibatch=mb)
        cases.append({"name": name, "images": n, "size": res, "seed": seed, "gray": gray,
                      "real_seed": seed + 1, "fake_seed": seed + 2, "perturb_seed": seed + 3,
                      "checksums": cs, "resolutions": res_, "swd": dist, "avg": avg})
        print(name, dist, avg)
    # Reference §4.4: reals P(16,3,64,64;k) k=0..3, fakes k=10..13, minibatches of 16, seed 1000.
    real = np.concatenate([pattern(16, 3, 64, 64, k) for k in range(4)])
    fake = np.concatenate([pattern(16, 3, 64, 64, k) for k in range(10, 14)])
    res_, dist, avg = swdref.swd(real, fake, seed=1000, minibatch=16)
    cases.append({"name": "reference4.4", "pattern": True, "images": 64, "size": 64, "seed": 1000,
                  "minibatch": 16, "resolutions": res_, "swd": dist, "avg": avg,
                  "published": [20.9449, 14.9308, 17.8784, 17.9181]})
    print("reference4.4", dist, avg)
    out["swd"] = cases

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
