"""Times the oracle, swdref.swd, on the images TestMeasure uses.

From the module root:

    /usr/bin/python3 swd/testdata/time_oracle.py 1024 128 5 [nf]

(n images of res², seed; "nf" scores gen.smooth(n, res, 1) against
gen.smooth(n, res, 11) instead of the perturbed fakes). Prints one JSON line.
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "oracle"))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import swdref  # noqa: E402

n, res, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
real = gen.smooth(n, res, 1)
fake = gen.smooth(n, res, 11) if sys.argv[4:] == ["nf"] else gen.perturb(gen.smooth(n, res, 2), 3)
t = time.time()
r = swdref.swd(real, fake, seed=seed)
print(json.dumps({"n": n, "res": res, "seed": seed, "seconds": time.time() - t, "swd": r[1], "avg": r[2]}))
