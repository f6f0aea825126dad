#!/usr/bin/env python3
"""Time torch-fidelity's Inception v3 on the CPU: the comparison point for `progan is`
and inception.BenchmarkForward (bench/inception.sh runs both in one go).

Two figures, with --threads PyTorch threads:
  end to end  torch_fidelity.calculate_metrics(input1=DIR, isc=True, cuda=False, ...):
              its own folder reading (PIL, a DataLoader with its default worker
              processes), resize, the network and the Inception Score;
  forward     FeatureExtractorInceptionV3 alone on a batch of already decoded images.

    /usr/bin/python3 bench/inception_torch.py --images DIR --weights W.pth --threads 2

W.pth is any state_dict in torch-fidelity's layout; --make-weights W.pth writes one with
random values from inception/testdata/layout.txt (speed does not depend on the values).
torch-fidelity is imported from $TORCH_FIDELITY_SRC (a folder holding the torch_fidelity
package, e.g. `git -C <clone> archive HEAD torch_fidelity | tar -x -C DIR`) or from the
installed package. Needs PyTorch (Debian: python3-torch, run with /usr/bin/python3).
"""

import argparse
import glob
import json
import os
import sys
import time

import numpy as np
import torch


def make_weights(path, layout):
    g = torch.Generator().manual_seed(1)
    sd = {}
    for line in open(layout):
        name, _, shape = line.split()
        shape = [int(s) for s in shape.split(",")]
        t = torch.randn(shape, generator=g) * 0.05
        if name.endswith("running_var"):
            t = t.abs() + 1
        sd[name] = t
    torch.save(sd, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images")
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--make-weights", action="store_true")
    ap.add_argument("--layout", default=os.path.join(os.path.dirname(__file__), "..", "inception", "testdata", "layout.txt"))
    a = ap.parse_args()
    if a.make_weights:
        make_weights(a.weights, a.layout)
        return
    src = os.environ.get("TORCH_FIDELITY_SRC")
    if src:
        sys.path.insert(0, src)
    import torch_fidelity
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from PIL import Image

    torch.set_num_threads(a.threads)
    files = sorted(glob.glob(os.path.join(a.images, "*.png")))
    n = len(files)

    t0 = time.perf_counter()
    m = torch_fidelity.calculate_metrics(input1=a.images, isc=True, cuda=False, cache=False, verbose=False,
                                         feature_extractor_weights_path=a.weights, batch_size=a.batch,
                                         samples_find_ext="png")
    t_e2e = time.perf_counter() - t0

    fe = FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased"], feature_extractor_weights_path=a.weights)
    x = torch.from_numpy(np.stack([np.array(Image.open(f).convert("RGB")) for f in files[: a.batch]])).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        fe(x[:2])  # warm-up
        t0 = time.perf_counter()
        fe(x)
        t_fwd = time.perf_counter() - t0
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "images": n,
        "end_to_end_images_per_s": n / t_e2e, "end_to_end_s": t_e2e,
        "forward_images_per_s": len(x) / t_fwd, "inception_score": m["inception_score_mean"],
    }))


if __name__ == "__main__":
    main()
