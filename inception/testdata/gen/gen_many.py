#!/usr/bin/python3
"""The end-to-end goldens on a few hundred images: inception/testdata/many/{fakes,reals}/0000..0249.png
(32x32 RGB, drawn by gen.py's make_image with their own seeds) and many.json, torch-fidelity's
calculate_metrics on them with the test weights of gen.py.

Run after gen.py (it needs the full weights file gen.py writes to its scratch folder), same
environment:

  /usr/bin/python3 inception/testdata/gen/gen_many.py
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402  (sets up torch-fidelity's import path)
from PIL import Image  # noqa: E402

N = 250
SIZE = 32


def main():
    weights = os.path.join(gen.SCRATCH, "progan-test-weights-v1.pth")
    if not os.path.exists(weights):
        sys.exit("run gen.py first: %s is missing" % weights)
    dirs = {}
    for folder, seed, real in (("fakes", 4321, False), ("reals", 8765, True)):
        d = os.path.join(gen.OUT, "many", folder)
        os.makedirs(d, exist_ok=True)
        rng = np.random.RandomState(seed)
        for i in range(N):
            Image.fromarray(gen.make_image(rng, SIZE, real), "RGB").save(
                os.path.join(d, "%04d.png" % i), format="PNG", optimize=False, compress_level=9)
        dirs[folder] = d
    common = dict(cuda=False, cache=False, verbose=False, feature_extractor_weights_path=weights,
                  samples_find_ext="png", batch_size=50)
    m = gen.torch_fidelity.calculate_metrics(input1=dirs["fakes"], input2=dirs["reals"], fid=True, kid=True,
                                             isc=True, kid_subsets=50, kid_subset_size=200, **common)
    out = {
        "call": "torch_fidelity.calculate_metrics(input1='many/fakes', input2='many/reals', fid=True, kid=True, "
                "isc=True, kid_subsets=50, kid_subset_size=200, cuda=False, cache=False, verbose=False, "
                "feature_extractor_weights_path=<full weights>, samples_find_ext='png', batch_size=50) "
                "(isc_splits default 10)",
        "images": N,
        "size": SIZE,
        "frechet_inception_distance": m["frechet_inception_distance"],
        "kernel_inception_distance_mean": m["kernel_inception_distance_mean"],
        "kernel_inception_distance_std": m["kernel_inception_distance_std"],
        "inception_score_mean": m["inception_score_mean"],
        "inception_score_std": m["inception_score_std"],
        "full_weights_sha256": gen.sha256_file(weights),
    }
    gen.write_json("many.json", out)
    print(out)


if __name__ == "__main__":
    main()
