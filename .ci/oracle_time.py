"""Times the numpy oracles of ../shared/oracle on image folders, for `just bench`.

    python3 .ci/oracle_time.py msssim DIR N
    python3 .ci/oracle_time.py swd REALS FAKES N SEED

Prints the seconds of the metric alone, the seconds including decoding the folders with
Pillow (what a user of the oracle waits for), then the result.
"""
import os
import sys
import time

import numpy as np
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
for cand in (os.path.join(here, "..", "..", "shared", "oracle"), os.path.join(here, "..", "shared", "oracle")):
    if os.path.isdir(cand):
        sys.path.insert(0, cand)
import msssimref  # noqa: E402
import swdref  # noqa: E402


def load(folder, n):
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))[:n]
    imgs = []
    for f in names:
        a = np.asarray(Image.open(os.path.join(folder, f)).convert("RGB"))
        imgs.append(a)
    return np.stack(imgs)  # N, H, W, 3


def main():
    kind = sys.argv[1]
    t0 = time.time()
    if kind == "msssim":
        x = load(sys.argv[2], int(sys.argv[3]))
        t = time.time()
        v = msssimref.msssim_set(x)
        end = time.time()
        print("%.3f %.3f" % (end - t, end - t0), v)
    elif kind == "swd":
        n = int(sys.argv[4])
        a = load(sys.argv[2], n).transpose(0, 3, 1, 2)
        b = load(sys.argv[3], n).transpose(0, 3, 1, 2)
        t = time.time()
        res, swd, avg = swdref.swd(a, b, int(sys.argv[5]))
        end = time.time()
        print("%.3f %.3f" % (end - t, end - t0), " ".join("%.4f" % s for s in swd), "%.4f" % avg)
    else:
        sys.exit("unknown metric " + kind)


if __name__ == "__main__":
    main()
