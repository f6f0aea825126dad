#!/usr/bin/python3
"""Generate golden.json, the reference data for package nprand's tests.

Every expected value comes from numpy's legacy numpy.random.RandomState
(numpy 1.24.2 when the file was made), except the "log" cases, which come
from Python's decimal module. Regenerate from the module root with

    /usr/bin/python3 internal/nprand/testdata/gen.py

which rewrites internal/nprand/testdata/golden.json next to this script.
"""

import decimal
import hashlib
import json
import math
import os
import random

import numpy as np

SEEDS = [0, 123, 4294967295]


def raw_uint32(rs, n):
    # For dtype uint32 the full range 2**32 takes numpy's "rng == 0xFFFFFFFF"
    # branch, which returns next_uint32 unmasked: the raw MT19937 output.
    return [int(v) for v in rs.randint(0, 2**32, size=n, dtype=np.uint32)]


def check_raw():
    # Known first output of MT19937 for the reference seed 5489.
    assert raw_uint32(np.random.RandomState(5489), 1) == [3499211612]
    # Cross-check against Python's own MT19937 loaded with numpy's state.
    for seed in SEEDS:
        rs = np.random.RandomState(seed)
        kind, key, pos, has_gauss, gauss = rs.get_state()
        assert kind == "MT19937" and pos == 624 and has_gauss == 0
        py = random.Random()
        py.setstate((3, tuple(int(k) for k in key) + (624,), None))
        want = [py.getrandbits(32) for _ in range(1000)]
        assert raw_uint32(rs, 1000) == want, seed


def randint_cases():
    cases = []
    specs = [
        (123, 0, 60000, 2000),
        (0, 0, 1, 20),
        (0, 0, 2, 200),
        (0, 0, 3, 200),
        (0, 0, 255, 200),
        (0, 0, 256, 200),
        (0, 0, 2**31, 200),
        (0, 0, 2**31 + 1, 200),
        (0, 0, 2**32, 200),
        (0, 0, 2**32 + 1, 200),
        (0, 0, 2**40, 200),
        (7, -5, 5, 200),
        (7, 10, 11, 20),
        (7, -2**31, 2**31, 200),
        (7, -2**63, 2**63 - 1, 200),
        (7, 2**62, 2**63 - 1, 200),
    ]
    for seed, low, high, n in specs:
        rs = np.random.RandomState(seed)
        arr = [int(v) for v in rs.randint(low, high, size=n)]
        after = raw_uint32(rs, 1)[0]
        # The array path of the default int64 dtype must equal n scalar calls.
        rs = np.random.RandomState(seed)
        assert [int(rs.randint(low, high)) for _ in range(n)] == arr
        assert raw_uint32(rs, 1)[0] == after
        cases.append(dict(seed=seed, low=low, high=high, values=arr,
                          next_uint32=after))
    return cases


def randn_cases():
    cases = []
    # An odd count leaves a cached gaussian; next_uint32 shows how many raw
    # draws were used, and next_randn that the cache survives other calls.
    for seed, n in [(123, 1001), (0, 1000), (4294967295, 7)]:
        rs = np.random.RandomState(seed)
        vals = rs.randn(n).tolist()
        after = raw_uint32(rs, 1)[0]
        nxt = float(rs.randn())
        rs = np.random.RandomState(seed)
        assert [rs.randn() for _ in range(n)] == vals
        cases.append(dict(seed=seed, values=vals, next_uint32=after,
                          next_randn=nxt))
    # randn(a, b) fills in C order from the same stream as scalar calls.
    rs = np.random.RandomState(5)
    mat = rs.randn(3, 5)
    rs = np.random.RandomState(5)
    assert [rs.randn() for _ in range(15)] == mat.ravel(order="C").tolist()
    return cases


def interleaved():
    # A pseudo-random mix of scalar calls on one RandomState.
    pick = random.Random(42)
    rs = np.random.RandomState(2024)
    ops = []
    for _ in range(600):
        op = pick.choice("nnfui")
        if op == "n":
            ops.append(["n", float(rs.randn())])
        elif op == "f":
            ops.append(["f", float(rs.random_sample())])
        elif op == "u":
            ops.append(["u", raw_uint32(rs, 1)[0]])
        else:
            ops.append(["i", int(rs.randint(0, 1000))])
    return ops


def permutations():
    small = []
    for seed in [123, 0]:
        for n in [0, 1, 2, 3, 10, 1000]:
            p = np.random.RandomState(seed).permutation(n)
            small.append(dict(seed=seed, n=n, order=[int(v) for v in p]))
    big = []
    for n in [30000, 50000, 60000, 73257, 202599]:
        rs = np.random.RandomState(123)
        a = np.arange(n)
        rs.shuffle(a)
        assert (np.random.RandomState(123).permutation(n) == a).all()
        digest = hashlib.sha256(a.astype("<u4").tobytes()).hexdigest()
        big.append(dict(seed=123, n=n, first=[int(v) for v in a[:10]],
                        last=[int(v) for v in a[-3:]], sha256_le_uint32=digest,
                        next_uint32=raw_uint32(rs, 1)[0]))
    return small, big


def log_cases():
    decimal.getcontext().prec = 60

    def crlog(x):
        return float(decimal.Decimal(x).ln())  # correctly rounded

    rs = np.random.RandomState(99)
    xs = [1.0, 0.5, 0.25, 2.0**-104, 2.0**-1022, 5e-324,
          math.nextafter(1.0, 0.0), math.nextafter(1.0, 2.0),
          math.sqrt(0.5), math.nextafter(math.sqrt(0.5), 0.0), 3.0, 1e300]
    xs += rs.random_sample(300).tolist()
    xs += (1 + (rs.random_sample(100) - 0.5) / 8).tolist()
    u = rs.random_sample((400, 2)) * 2 - 1
    xs += [r for r in (u * u).sum(axis=1).tolist() if 0 < r < 1]
    # Inputs on which the C library's log is not correctly rounded.
    hard = []
    while len(hard) < 100:
        x = float(rs.random_sample())
        if crlog(x) != math.log(x):
            hard.append(x)
    return [[x, crlog(x)] for x in xs + hard]


def main():
    check_raw()
    small, big = permutations()
    out = dict(
        numpy_version=np.__version__,
        uint32=[dict(seed=s, values=raw_uint32(np.random.RandomState(s), 1000))
                for s in SEEDS],
        float64=[dict(seed=s,
                      values=np.random.RandomState(s).random_sample(300).tolist())
                 for s in SEEDS],
        randint=randint_cases(),
        randn=randn_cases(),
        interleaved=interleaved(),
        permutations=small,
        big_permutations=big,
        log=log_cases(),
    )
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
