#!/usr/bin/python3
"""Generator of the Inception v3 / FID / KID / IS golden files in inception/testdata.

What it makes (all under inception/testdata/, see README.md there):
  fakes/0000..0063.png, reals/0000..0063.png   deterministic test images (mixed PNG modes)
  bn.pth            BatchNorm tensors + fc.bias of the "progan test weights v1"
  layout.txt        key / dtype / shape of every tensor of the full weights file
  formula.json      test vectors of the weight formula (FNV-1a seeds, splitmix64 stream)
  resize.json       interpolate_bilinear_2d_like_tensorflow1x goldens
  features.json + features_*.npy   FeatureExtractorInceptionV3 outputs for 8 images
  metrics.json      torch_fidelity.calculate_metrics FID / KID / ISC on fakes/ vs reals/
  synthetic.json    FID / KID / ISC of formula-generated features (no network)
  pytorch_fid.json  pytorch-fid's protocol on the same weights (optional part)

Run (from anywhere; Debian's python with torch 1.13 CPU, numpy 1.24, scipy 1.10, PIL 9.4):

  mkdir -p /work/scratch/tf && git -C /work/.mirror/toshas+torch-fidelity/repo archive HEAD torch_fidelity \
      | tar -x -C /work/scratch/tf
  mkdir -p /work/scratch/pfid && git -C /work/.mirror/mseitzer+pytorch-fid/repo archive HEAD src/pytorch_fid \
      | tar -x -C /work/scratch/pfid
  /usr/bin/python3 inception/testdata/gen/gen.py

Environment variables (defaults in brackets):
  TORCH_FIDELITY_SRC  folder that contains the torch_fidelity package [/work/scratch/tf]
  PYTORCH_FID_SRC     folder that contains the pytorch_fid package [/work/scratch/pfid/src]; "" skips that part
  PROGAN_SCRATCH      scratch folder for the ~95 MB full weights file [/work/scratch/inception-gen]

torch-fidelity commit: 5e211a950a7b45206bd4976813ffd6aed6cf4ccc (version 0.4.0-beta)
pytorch-fid commit:    b9c18118d082cbd263c1b8963fc4221dc1cbb659
"""

import hashlib
import json
import math
import os
import sys

import numpy as np

TF_SRC = os.environ.get("TORCH_FIDELITY_SRC", "/work/scratch/tf")
PFID_SRC = os.environ.get("PYTORCH_FID_SRC", "/work/scratch/pfid/src")
SCRATCH = os.environ.get("PROGAN_SCRATCH", "/work/scratch/inception-gen")
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # inception/testdata

sys.path.insert(0, TF_SRC)

import torch  # noqa: E402
import torchvision.transforms.functional as TVF  # noqa: E402
from PIL import Image  # noqa: E402

import torch_fidelity  # noqa: E402
from torch_fidelity import metric_fid, metric_isc, metric_kid  # noqa: E402
from torch_fidelity import feature_extractor_inceptionv3 as fe_mod  # noqa: E402
from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3, BasicConv2d  # noqa: E402
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)

WEIGHTS_NAME = "progan test weights v1"
# fc.weight = float32((v * sqrt(3/2048)) * FC_GAIN); a power of two, so the order of the products does not matter.
FC_GAIN = 16.0
BN_EPS = 0.001
N_IMAGES = 64
FAKE_SIZE = 48
REAL_SIZE = 64
CALIB = [("fakes", i) for i in range(16)] + [("reals", i) for i in range(16)]

M64 = (1 << 64) - 1


# ----------------------------------------------------------------------------------------------------------------------
# formula

def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & M64
    return h


def stream_r(seed, n):
    """splitmix64 outputs >> 40: integers in [0, 2^24), uint64 array of length n."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z >> np.uint64(40)


def stream_v(seed, n):
    r = stream_r(seed, n).astype(np.float64)
    return (2.0 * r + 1.0 - 16777216.0) / 16777216.0


def stream_r_ref(seed, n):
    """Pure-Python reference (used only to check the numpy version)."""
    out = []
    for i in range(n):
        z = (seed + (i + 1) * 0x9E3779B97F4A7C15) & M64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z = z ^ (z >> 31)
        out.append(z >> 40)
    return out


def formula_tensor(key, shape):
    n = int(np.prod(shape))
    v = stream_v(fnv1a64(key), n)
    if key.endswith(".conv.weight"):
        fan_in = shape[1] * shape[2] * shape[3]
        w = v * math.sqrt(3.0 / fan_in)
    elif key == "fc.weight":
        w = v * math.sqrt(3.0 / shape[1]) * FC_GAIN
    else:
        raise KeyError(key)
    return torch.from_numpy(w.astype(np.float32).reshape(shape))


def is_formula_key(key):
    return key.endswith(".conv.weight") or key == "fc.weight"


def is_bn_key(key):
    return key.endswith((".bn.weight", ".bn.bias", ".bn.running_mean", ".bn.running_var")) or key == "fc.bias"


# ----------------------------------------------------------------------------------------------------------------------
# helpers

def sha256_f32(t):
    a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
    return hashlib.sha256(a.tobytes()).hexdigest()


def sha256_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def flist(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel().tolist()]


def nested(a):
    return np.asarray(a, dtype=np.float64).tolist()


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")


def load_rgb_u8(path):
    """Exactly torch-fidelity's ImagesPathDataset + TransformPILtoRGBTensor: 3xHxW uint8."""
    img = Image.open(path).convert("RGB")
    return TVF.pil_to_tensor(img)


def img_path(folder, i):
    return os.path.join(OUT, folder, "%04d.png" % i)


# ----------------------------------------------------------------------------------------------------------------------
# images

def make_image(rng, size, real):
    h = w = size
    yy, xx = np.meshgrid(np.linspace(0.0, 1.0, h), np.linspace(0.0, 1.0, w), indexing="ij")
    kind = rng.randint(4)
    # smooth gradient background
    a = rng.uniform(-1, 1, size=(3, 3))
    base = np.stack([a[c, 0] * xx + a[c, 1] * yy + a[c, 2] * xx * yy for c in range(3)], axis=-1)
    base = 127.5 + 80.0 * base
    if kind == 0:  # gradient + two soft blobs
        img = base
        for _ in range(2):
            cy, cx, r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.08, 0.3)
            col = rng.uniform(-120, 120, size=3)
            g = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
            img = img + g[..., None] * col
    elif kind == 1:  # many blobs
        img = base * 0.5 + 60.0
        for _ in range(rng.randint(3, 8)):
            cy, cx, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.03, 0.15)
            col = rng.uniform(-150, 150, size=3)
            g = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
            img = img + g[..., None] * col
    elif kind == 2:  # stripes
        f = rng.uniform(1.5, 8.0 if real else 6.0, size=2) * rng.choice([-1, 1], size=2)
        ph = rng.uniform(0, 2 * np.pi, size=3)
        amp = rng.uniform(40, 120, size=3)
        s = np.stack([np.sin(2 * np.pi * (f[0] * xx + f[1] * yy) + ph[c]) for c in range(3)], axis=-1)
        img = base * 0.6 + 50.0 + amp * s
    else:  # noise on gradient (the block-sparse noise keeps the PNGs small)
        sigma = rng.uniform(8, 40)
        noise = rng.normal(0, sigma, size=(h // 4, w // 4, 3))
        noise = np.repeat(np.repeat(noise, 4, axis=0), 4, axis=1)
        img = base + noise
        if real:
            img = img + rng.normal(0, 6.0, size=(h, w, 3))
    if real:
        img = (img - 127.5) * 1.2 + 127.5 + rng.uniform(-20, 20, size=3)
    else:
        img = (img - 127.5) * 0.8 + 110.0
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def write_images():
    info = {}
    for folder, size, seed, real in (("fakes", FAKE_SIZE, 1234, False), ("reals", REAL_SIZE, 5678, True)):
        os.makedirs(os.path.join(OUT, folder), exist_ok=True)
        rng = np.random.RandomState(seed)
        modes = []
        for i in range(N_IMAGES):
            arr = make_image(rng, size, real)
            sel = i % 8
            if sel == 3:  # 8-bit grayscale
                g = (arr[..., 0].astype(np.uint32) * 299 + arr[..., 1].astype(np.uint32) * 587
                     + arr[..., 2].astype(np.uint32) * 114 + 500) // 1000
                im = Image.fromarray(g.astype(np.uint8), "L")
            elif sel == 5:  # RGBA with a non-trivial alpha (gradient, some fully transparent pixels)
                yy, xx = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
                alpha = np.clip((xx * 3 + yy * 2) * 255 // (5 * (size - 1)) + rng.randint(-40, 40), 0, 255)
                rgba = np.concatenate([arr, alpha[..., None].astype(np.uint8)], axis=-1)
                im = Image.fromarray(rgba, "RGBA")
            elif sel == 6:  # palette: 6x6x6 colour cube, nearest level per channel, no transparency
                idx = np.rint(arr.astype(np.float64) / 51.0).astype(np.int64)
                ind = (idx[..., 0] * 36 + idx[..., 1] * 6 + idx[..., 2]).astype(np.uint8)
                im = Image.fromarray(ind, "P")
                pal = []
                for r in range(6):
                    for g in range(6):
                        for b in range(6):
                            pal += [r * 51, g * 51, b * 51]
                im.putpalette(pal)
            else:
                im = Image.fromarray(arr, "RGB")
            im.save(img_path(folder, i), format="PNG", optimize=False, compress_level=9)
            modes.append(im.mode)
        info[folder] = {"size": size, "rng_seed": seed, "modes": "".join({"RGB": "C", "L": "L", "RGBA": "A", "P": "P"}[m] for m in modes)}
    return info


# ----------------------------------------------------------------------------------------------------------------------
# weights

def skeleton(dtype=torch.float32):
    """FeatureExtractorInceptionV3 with torch-fidelity's architecture; its weights are overwritten later."""
    orig = FeatureExtractorInceptionV3.load_state_dict
    FeatureExtractorInceptionV3.load_state_dict = lambda self, sd, strict=True: None
    try:
        empty = os.path.join(SCRATCH, "empty.pth")
        torch.save({}, empty)
        m = FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased", "logits"],
                                        feature_extractor_weights_path=empty)
    finally:
        FeatureExtractorInceptionV3.load_state_dict = orig
    return m


def build_weights(calib_x299):
    """Returns (full_state_dict, bn_dict). calib_x299: float64 Nx3x299x299 resized calibration images (0..255)."""
    m = skeleton()
    sd_keys = [(k, tuple(v.shape), v.dtype) for k, v in m.state_dict().items()]
    full = {}
    for k, shape, dt in sd_keys:
        if is_formula_key(k):
            full[k] = formula_tensor(k, shape)
        elif k.endswith(".bn.weight"):
            full[k] = torch.from_numpy((1.0 + 0.25 * stream_v(fnv1a64(k), shape[0])).astype(np.float32))
        elif k.endswith(".bn.bias"):
            full[k] = torch.from_numpy((0.25 * stream_v(fnv1a64(k), shape[0])).astype(np.float32))
        elif k.endswith(".bn.running_mean"):
            full[k] = torch.zeros(shape, dtype=torch.float32)
        elif k.endswith(".bn.running_var"):
            full[k] = torch.ones(shape, dtype=torch.float32)
        elif k == "fc.bias":
            full[k] = torch.from_numpy((0.5 * stream_v(fnv1a64(k), shape[0])).astype(np.float32))
        elif k.endswith("num_batches_tracked"):
            pass  # not stored, like torch-fidelity's converted weights file; BatchNorm fills it on load
        else:
            raise KeyError(k)
    m.load_state_dict(full, strict=True)
    m = m.to(torch.float64)

    # Calibration: one float64 forward pass over the calibration batch; every BasicConv2d sets its running_mean /
    # running_var to the per-channel (N, H, W) mean / biased variance of its conv output, rounded to float32, before
    # its BatchNorm is applied, so later layers see the final (rounded) statistics.
    def calib_forward(self, x):
        y = self.conv(x)
        mean = y.mean(dim=(0, 2, 3))
        var = ((y - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
        self.bn.running_mean.copy_(mean.to(torch.float32).to(torch.float64))
        self.bn.running_var.copy_(var.to(torch.float32).to(torch.float64))
        y = self.bn(y)
        return torch.relu(y)

    orig_fwd = BasicConv2d.forward
    orig_interp = fe_mod.interpolate_bilinear_2d_like_tensorflow1x
    BasicConv2d.forward = calib_forward
    fe_mod.interpolate_bilinear_2d_like_tensorflow1x = lambda x, size, align_corners: calib_x299
    try:
        dummy = torch.zeros((calib_x299.shape[0], 3, 299, 299), dtype=torch.uint8)
        with torch.no_grad():
            m(dummy)
    finally:
        BasicConv2d.forward = orig_fwd
        fe_mod.interpolate_bilinear_2d_like_tensorflow1x = orig_interp

    for k, v in m.state_dict().items():
        if k.endswith((".bn.running_mean", ".bn.running_var")):
            full[k] = v.to(torch.float32).clone()
    bn = {k: full[k].clone().contiguous() for k, _, _ in sd_keys if k in full and is_bn_key(k)}
    return full, bn, sd_keys


# ----------------------------------------------------------------------------------------------------------------------
# main parts

def part_formula():
    keys = ["Conv2d_1a_3x3.conv.weight", "fc.weight", "resize", "features1", "features2", "logits"]
    out = {"weights": WEIGHTS_NAME, "FC_GAIN": FC_GAIN, "vectors": []}
    for k in keys:
        s = fnv1a64(k)
        r = stream_r(s, 8)
        assert [int(x) for x in r] == stream_r_ref(s, 8)
        v = stream_v(s, 8)
        e = {"key": k, "seed": "0x%016x" % s, "r": [int(x) for x in r], "v": flist(v)}
        if k == "Conv2d_1a_3x3.conv.weight":
            w = formula_tensor(k, (32, 3, 3, 3)).numpy().ravel()[:8]
            e["w_float32_bits"] = ["0x%08x" % x for x in w.view(np.uint32).tolist()]
            e["w"] = flist(w)
        if k == "fc.weight":
            w = formula_tensor(k, (1008, 2048)).numpy().ravel()[:8]
            e["w_float32_bits"] = ["0x%08x" % x for x in w.view(np.uint32).tolist()]
            e["w"] = flist(w)
        out["vectors"].append(e)
    out["fnv1a64_empty"] = "0x%016x" % fnv1a64("")
    write_json("formula.json", out)


def resize_synthetic_input():
    r = stream_r(fnv1a64("resize"), 3 * 17 * 23)
    return torch.from_numpy((r & np.uint64(255)).astype(np.uint8).reshape(1, 3, 17, 23))


def part_resize():
    inputs = [
        ("reals/0000.png", load_rgb_u8(img_path("reals", 0)).unsqueeze(0)),
        ("fakes/0000.png", load_rgb_u8(img_path("fakes", 0)).unsqueeze(0)),
        ("synthetic 3x17x23: uint8(r mod 256), r = stream_r(fnv1a64('resize')), C order", resize_synthetic_input()),
    ]
    out = {"function": "torch_fidelity.interpolate_compat_tensorflow.interpolate_bilinear_2d_like_tensorflow1x("
                       "x.float(), size=(299, 299), align_corners=False)",
           "hash": "sha256 of the 1x3x299x299 float32 output, little-endian, C order",
           "cases": []}
    for name, x in inputs:
        y = interpolate_bilinear_2d_like_tensorflow1x(x.float(), size=(299, 299), align_corners=False)
        assert y.dtype == torch.float32 and tuple(y.shape) == (1, 3, 299, 299)
        yn = (y - 128) / 128
        out["cases"].append({
            "input": name,
            "input_shape": list(x.shape),
            "input_sha256_uint8": hashlib.sha256(x.numpy().tobytes()).hexdigest(),
            "sha256": sha256_f32(y),
            "sha256_normalized": sha256_f32(yn),
            "crop_0_6": nested(y[0, :, 0:6, 0:6].numpy()),
            "crop_140_146": nested(y[0, :, 140:146, 140:146].numpy()),
            "normalized_crop_140_146": nested(yn[0, :, 140:146, 140:146].numpy()),
            "sum_float64": float(y.double().sum()),
        })
    write_json("resize.json", out)


def stats(a):
    a = np.asarray(a, dtype=np.float64)
    return {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()), "std": float(a.std()),
            "std_across_images_mean": float(a.std(axis=0).mean())}


def part_features(model):
    rows, names = [], []
    for folder in ("fakes", "reals"):
        x = torch.stack([load_rgb_u8(img_path(folder, i)) for i in range(4)])
        with torch.no_grad():
            f2048, lu, lg = model(x)
        rows.append((f2048, lu, lg))
        names += ["%s/%04d.png" % (folder, i) for i in range(4)]
    f2048 = torch.cat([r[0] for r in rows]).numpy().astype("<f4")
    lu = torch.cat([r[1] for r in rows]).numpy().astype("<f4")
    lg = torch.cat([r[2] for r in rows]).numpy().astype("<f4")
    np.save(os.path.join(OUT, "features_2048.npy"), f2048)
    np.save(os.path.join(OUT, "features_logits_unbiased.npy"), lu)
    np.save(os.path.join(OUT, "features_logits.npy"), lg)
    out = {
        "model": "FeatureExtractorInceptionV3('inception-v3-compat', ['2048', 'logits_unbiased', 'logits'], "
                 "feature_extractor_weights_path=<full weights>), float32, eval; one batch of 4 per folder",
        "rows": names,
        "files": {"2048": "features_2048.npy", "logits_unbiased": "features_logits_unbiased.npy",
                  "logits": "features_logits.npy"},
        "sha256_float32_le": {"2048": sha256_f32(torch.from_numpy(f2048)),
                              "logits_unbiased": sha256_f32(torch.from_numpy(lu)),
                              "logits": sha256_f32(torch.from_numpy(lg))},
        "stats": {"2048": stats(f2048), "logits_unbiased": stats(lu), "logits": stats(lg)},
        "first8": {"2048": [flist(r[:8]) for r in f2048], "logits_unbiased": [flist(r[:8]) for r in lu],
                   "logits": [flist(r[:8]) for r in lg]},
    }
    write_json("features.json", out)
    return out


def part_metrics(weights_path):
    common = dict(cuda=False, cache=False, verbose=False, feature_extractor_weights_path=weights_path,
                  samples_find_ext="png", batch_size=16)
    fakes, reals = os.path.join(OUT, "fakes"), os.path.join(OUT, "reals")
    m = torch_fidelity.calculate_metrics(input1=fakes, input2=reals, fid=True, kid=True, isc=True,
                                         kid_subsets=10, kid_subset_size=32, isc_splits=4, **common)
    m10 = torch_fidelity.calculate_metrics(input1=fakes, isc=True, **common)
    mr = torch_fidelity.calculate_metrics(input1=reals, isc=True, isc_splits=4, **common)
    out = {
        "call": "torch_fidelity.calculate_metrics(input1='fakes', input2='reals', fid=True, kid=True, isc=True, "
                "cuda=False, cache=False, verbose=False, feature_extractor_weights_path=<full weights>, "
                "kid_subsets=10, kid_subset_size=32, isc_splits=4, samples_find_ext='png', batch_size=16)",
        "frechet_inception_distance": m["frechet_inception_distance"],
        "kernel_inception_distance_mean": m["kernel_inception_distance_mean"],
        "kernel_inception_distance_std": m["kernel_inception_distance_std"],
        "inception_score_mean_splits4": m["inception_score_mean"],
        "inception_score_std_splits4": m["inception_score_std"],
        "call_isc10": "torch_fidelity.calculate_metrics(input1='fakes', isc=True, <same common kwargs>) "
                      "(isc_splits default 10)",
        "inception_score_mean_splits10": m10["inception_score_mean"],
        "inception_score_std_splits10": m10["inception_score_std"],
        "call_reals_isc4": "torch_fidelity.calculate_metrics(input1='reals', isc=True, isc_splits=4, <same>)",
        "reals_inception_score_mean_splits4": mr["inception_score_mean"],
        "reals_inception_score_std_splits4": mr["inception_score_std"],
        "rng_seed": 2020,
    }
    write_json("metrics.json", out)
    return out


def synthetic_arrays():
    f1 = ((stream_v(fnv1a64("features1"), 300 * 2048) + 1.0) ** 2).astype(np.float32).reshape(300, 2048)
    f2 = (((stream_v(fnv1a64("features2"), 400 * 2048) + 1.0) ** 2) * 1.25 + 0.1).astype(np.float32).reshape(400, 2048)
    lg = (stream_v(fnv1a64("logits"), 300 * 1008) * 4.0).astype(np.float32).reshape(300, 1008)
    return f1, f2, lg


def part_synthetic():
    import scipy
    import scipy.linalg
    f1, f2, lg = synthetic_arrays()
    s1 = metric_fid.fid_features_to_statistics(torch.from_numpy(f1))
    s2 = metric_fid.fid_features_to_statistics(torch.from_numpy(f2))
    fid = metric_fid.fid_statistics_to_metric(s1, s2, False)["frechet_inception_distance"]
    mu1, sg1, mu2, sg2 = s1["mu"], s1["sigma"], s2["mu"], s2["sigma"]
    diff = mu1 - mu2
    tr_covmean = np.sum(np.sqrt(np.linalg.eigvals(sg1.dot(sg2)).astype("complex128")).real)
    kid_kwargs = dict(kid_subsets=20, kid_subset_size=200, kid_kernel="poly", kid_kernel_poly_degree=3,
                      kid_kernel_poly_gamma=None, kid_kernel_poly_coef0=1, rng_seed=2020, verbose=False)
    kid = metric_kid.kid_features_to_metric(torch.from_numpy(f1), torch.from_numpy(f2), **kid_kwargs)
    # the same KID, subset by subset (same RandomState call sequence as kid_features_to_metric)
    rng = np.random.RandomState(2020)
    subsets = []
    for _ in range(20):
        i1 = rng.choice(300, 200, replace=False)
        i2 = rng.choice(400, 200, replace=False)
        subsets.append({"idx1_first5": [int(x) for x in i1[:5]], "idx2_first5": [int(x) for x in i2[:5]],
                        "mmd2": float(metric_kid.kernel_mmd(f1[i1], f2[i2], **kid_kwargs))})
    assert abs(np.mean([s["mmd2"] for s in subsets]) - kid["kernel_inception_distance_mean"]) < 1e-12
    isc10 = metric_isc.isc_features_to_metric(torch.from_numpy(lg), splits=10, shuffle=True, rng_seed=2020)
    isc3 = metric_isc.isc_features_to_metric(torch.from_numpy(lg), splits=3, shuffle=True, rng_seed=2020)

    # float64 reference (NOT torch-fidelity's computation)
    d1, d2 = f1.astype(np.float64), f2.astype(np.float64)
    m1, m2 = d1.mean(0), d2.mean(0)
    c1, c2 = np.cov(d1, rowvar=False), np.cov(d2, rowvar=False)
    covmean = scipy.linalg.sqrtm(c1.dot(c2))
    dd = m1 - m2
    tr64 = float(np.trace(covmean).real)
    fid64 = float(dd.dot(dd) + np.trace(c1) + np.trace(c2) - 2 * tr64)

    out = {
        "inputs": {
            "features1": "float32 300x2048 (C order), element i = float32((v_i + 1)**2), v = stream_v(fnv1a64('features1'))",
            "features2": "float32 400x2048, element i = float32(((v_i + 1)**2) * 1.25 + 0.1), v = stream_v(fnv1a64('features2'))",
            "logits": "float32 300x1008, element i = float32(v_i * 4.0), v = stream_v(fnv1a64('logits'))",
            "sha256_features1": sha256_f32(torch.from_numpy(f1)),
            "sha256_features2": sha256_f32(torch.from_numpy(f2)),
            "sha256_logits": sha256_f32(torch.from_numpy(lg)),
        },
        "fid": {
            "call": "metric_fid.fid_statistics_to_metric(fid_features_to_statistics(torch.from_numpy(f1)), "
                    "fid_features_to_statistics(torch.from_numpy(f2)), False)",
            "frechet_inception_distance": fid,
            "mu_dtype": str(mu1.dtype), "sigma_dtype": str(sg1.dtype),
            "mu1_0_4": flist(mu1[:4]), "mu2_0_4": flist(mu2[:4]),
            "sigma1_00_01_11": [float(sg1[0, 0]), float(sg1[0, 1]), float(sg1[1, 1])],
            "sigma1_trace": float(np.trace(sg1)), "sigma2_trace": float(np.trace(sg2)),
            "tr_covmean": float(tr_covmean), "diff_dot_diff": float(diff.dot(diff)),
        },
        "fid_float64_scipy_sqrtm_NOT_torch_fidelity": {
            "how": "float64 features, np.mean, np.cov(rowvar=False), scipy.linalg.sqrtm(sigma1 @ sigma2), trace real",
            "frechet_inception_distance": fid64, "tr_covmean": tr64, "diff_dot_diff": float(dd.dot(dd)),
            "mu1_0_4": flist(m1[:4]),
        },
        "kid": {
            "call": "metric_kid.kid_features_to_metric(t1, t2, kid_subsets=20, kid_subset_size=200, kid_kernel='poly', "
                    "kid_kernel_poly_degree=3, kid_kernel_poly_gamma=None, kid_kernel_poly_coef0=1, rng_seed=2020, "
                    "verbose=False)",
            "kernel_inception_distance_mean": kid["kernel_inception_distance_mean"],
            "kernel_inception_distance_std": kid["kernel_inception_distance_std"],
            "subsets": subsets,
        },
        "isc": {
            "call": "metric_isc.isc_features_to_metric(torch.from_numpy(logits), splits=S, shuffle=True, rng_seed=2020)",
            "permutation_first10": [int(x) for x in np.random.RandomState(2020).permutation(300)[:10]],
            "splits10": isc10, "splits3": isc3,
        },
    }
    write_json("synthetic.json", out)
    return out


def part_pytorch_fid(weights_path):
    sys.path.insert(0, PFID_SRC)
    import torch.nn.functional as F
    from pytorch_fid import inception as pfi
    from pytorch_fid.fid_score import calculate_frechet_distance

    # FIDInceptionA/C/E_1/E_2 + torchvision Inception3, as built by pytorch_fid.inception.fid_inception_v3(), but
    # with our weights instead of the downloaded FID weights (same key names as torch-fidelity's file).
    orig = pfi.load_state_dict_from_url
    pfi.load_state_dict_from_url = lambda *a, **k: torch.load(weights_path)
    try:
        net = pfi.InceptionV3([pfi.InceptionV3.BLOCK_INDEX_BY_DIM[2048]], resize_input=True, normalize_input=True,
                              requires_grad=False, use_fid_inception=True)
    finally:
        pfi.load_state_dict_from_url = orig
    net.eval()

    def feats(folder, idx):
        x = torch.stack([load_rgb_u8(img_path(folder, i)) for i in idx]).float() / 255.0  # like ToTensor()
        with torch.no_grad():
            return net(x)[0].squeeze(3).squeeze(2).numpy()

    ff = np.concatenate([feats("fakes", range(i, i + 16)) for i in range(0, 64, 16)])
    fr = np.concatenate([feats("reals", range(i, i + 16)) for i in range(0, 64, 16)])
    np.save(os.path.join(OUT, "pytorch_fid_features_2048.npy"), ff[:4].astype("<f4"))
    mu1, s1 = np.mean(ff, axis=0), np.cov(ff, rowvar=False)
    mu2, s2 = np.mean(fr, axis=0), np.cov(fr, rowvar=False)
    fid = float(calculate_frechet_distance(mu1, s1, mu2, s2))
    out = {
        "pytorch_fid_commit": "b9c18118d082cbd263c1b8963fc4221dc1cbb659",
        "model": "pytorch_fid.inception.InceptionV3([3], resize_input=True, normalize_input=True, "
                 "use_fid_inception=True) with the full progan test weights v1 (load_state_dict_from_url patched to "
                 "torch.load(<full weights>)); input: PIL convert('RGB') -> float32 in [0,1] (x/255), batches of 16",
        "features_file": "pytorch_fid_features_2048.npy (fakes/0000..0003, float32 4x2048)",
        "features_sha256_float32_le": sha256_f32(torch.from_numpy(ff[:4].astype(np.float32))),
        "features_first8": [flist(r[:8]) for r in ff[:4]],
        "fid_fakes_vs_reals_calculate_frechet_distance": fid,
        "mu1_0_4": flist(mu1[:4]),
    }
    write_json("pytorch_fid.json", out)
    return out


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    img_info = write_images()
    part_formula()

    # calibration batch, resized like the model does, in float64
    cal = []
    for folder, i in CALIB:
        x = load_rgb_u8(img_path(folder, i)).unsqueeze(0).to(torch.float64)
        cal.append(interpolate_bilinear_2d_like_tensorflow1x(x, size=(299, 299), align_corners=False))
    cal = torch.cat(cal)
    full, bn, sd_keys = build_weights(cal)
    weights_path = os.path.join(SCRATCH, "progan-test-weights-v1.pth")
    torch.save(full, weights_path)
    torch.save(bn, os.path.join(OUT, "bn.pth"))
    with open(os.path.join(OUT, "layout.txt"), "w") as f:
        for k, shape, dt in sd_keys:
            if k in full:
                f.write("%s %s %s\n" % (k, str(full[k].dtype).replace("torch.", ""), ",".join(str(s) for s in shape)))

    model = FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased", "logits"],
                                        feature_extractor_weights_path=weights_path)
    part_resize()
    feats = part_features(model)
    met = part_metrics(weights_path)
    syn = part_synthetic()
    pf = part_pytorch_fid(weights_path) if PFID_SRC else None
    summary = {"images": img_info, "features_stats": feats["stats"], "metrics": met,
               "synthetic": {"fid": syn["fid"]["frechet_inception_distance"], "kid": syn["kid"]["kernel_inception_distance_mean"],
                             "isc10": syn["isc"]["splits10"], "isc3": syn["isc"]["splits3"],
                             "fid64": syn["fid_float64_scipy_sqrtm_NOT_torch_fidelity"]["frechet_inception_distance"]},
               "pytorch_fid": pf and pf["fid_fakes_vs_reals_calculate_frechet_distance"],
               "full_weights_sha256": sha256_file(weights_path)}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
