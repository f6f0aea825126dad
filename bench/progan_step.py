#!/usr/bin/env python3
"""Time one D+G training step of the Progressive GAN in PyTorch, on the CPU or a GPU.

The comparison point for the Go trainer's BenchmarkStep (trainer/bench_test.go):
the same G_paper / D_paper (docs/trainer.md) at their final,
stable level of detail, with the equalized learning rate, nearest upsampling
followed by a 3x3 convolution in G, 3x3 convolution followed by 2x2 average
pooling in D, pixel norm, minibatch stddev (group 4); one WGAN-GP D step
(reals, fakes, gradient penalty by double backpropagation, drift) and Adam
update, then one G step and Adam update, float32.

    python3 bench/progan_step.py --res 32 --threads 2
    python3 bench/progan_step.py --res 128 --fmap-max 512 --minibatch 16 --steps 2
    python bench/progan_step.py --device cuda --res 1024 --minibatch 4 --steps 10

On a GPU the comparison point is BenchmarkStepCUDA (trainer/cuda_test.go): float32
with TF32 off for both cuBLAS and cuDNN, as the Go trainer computes; the peak GPU
memory PyTorch allocated is printed too.

Needs PyTorch (Debian: apt-get install python3-torch; run with /usr/bin/python3).
"""

import argparse
import math
import time

import torch
import torch.nn.functional as F


def nf(stage, fmap_base, fmap_max):
    return min(fmap_base // (2 ** stage), fmap_max)


class EqConv(torch.nn.Module):
    """Conv with weights N(0,1) scaled at run time by gain/sqrt(fan_in), plus bias."""

    def __init__(self, cin, cout, k, gain=math.sqrt(2)):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(cout, cin, k, k))
        self.b = torch.nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin * k * k)
        self.pad = k // 2

    def forward(self, x):
        return F.conv2d(x, self.w * self.scale, self.b, padding=self.pad)


class EqDense(torch.nn.Module):
    def __init__(self, cin, cout, gain=math.sqrt(2), bias=True):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(cout, cin))
        self.b = torch.nn.Parameter(torch.zeros(cout)) if bias else None
        self.scale = gain / math.sqrt(cin)

    def forward(self, x):
        return F.linear(x, self.w * self.scale, self.b)


def pixel_norm(x, eps=1e-8):
    return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + eps)


def lrelu(x):
    return F.leaky_relu(x, 0.2)


class G(torch.nn.Module):
    def __init__(self, res, latent, fmap_base, fmap_max, channels=3):
        super().__init__()
        self.log2r = int(math.log2(res))
        n = lambda s: nf(s, fmap_base, fmap_max)
        self.n1 = n(1)
        self.dense = EqDense(latent, n(1) * 16, gain=math.sqrt(2) / 4, bias=False)
        self.bias4 = torch.nn.Parameter(torch.zeros(n(1)))
        self.conv4 = EqConv(n(1), n(1), 3)
        self.blocks = torch.nn.ModuleList()
        for r in range(3, self.log2r + 1):
            self.blocks.append(torch.nn.ModuleList([EqConv(n(r - 2), n(r - 1), 3), EqConv(n(r - 1), n(r - 1), 3)]))
        self.to_rgb = EqConv(n(self.log2r - 1), channels, 1, gain=1)

    def forward(self, z):
        x = pixel_norm(z)
        x = self.dense(x).view(-1, self.n1, 4, 4) + self.bias4.view(1, -1, 1, 1)
        x = pixel_norm(lrelu(x))
        x = pixel_norm(lrelu(self.conv4(x)))
        for c0, c1 in self.blocks:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = pixel_norm(lrelu(c0(x)))
            x = pixel_norm(lrelu(c1(x)))
        return self.to_rgb(x)


def minibatch_stddev(x, group=4):
    g = min(group, x.shape[0])
    s = x.shape
    y = x.view(g, -1, s[1], s[2], s[3])
    y = y - y.mean(dim=0, keepdim=True)
    y = torch.sqrt((y * y).mean(dim=0) + 1e-8)
    y = y.mean(dim=[1, 2, 3]).view(-1, 1, 1, 1)
    y = y.repeat(g, 1, s[2], s[3])
    return torch.cat([x, y], dim=1)


class D(torch.nn.Module):
    def __init__(self, res, fmap_base, fmap_max, channels=3):
        super().__init__()
        self.log2r = int(math.log2(res))
        n = lambda s: nf(s, fmap_base, fmap_max)
        self.from_rgb = EqConv(channels, n(self.log2r - 1), 1)
        self.blocks = torch.nn.ModuleList()
        for r in range(self.log2r, 2, -1):
            self.blocks.append(torch.nn.ModuleList([EqConv(n(r - 1), n(r - 1), 3), EqConv(n(r - 1), n(r - 2), 3)]))
        self.conv4 = EqConv(n(1) + 1, n(1), 3)
        self.dense0 = EqDense(n(1) * 16, n(0))
        self.dense1 = EqDense(n(0), 1, gain=1)

    def forward(self, x):
        x = lrelu(self.from_rgb(x))
        for c0, c1 in self.blocks:
            x = lrelu(c0(x))
            # 3x3 conv then 2x2 average pool; the bias commutes with the pooling.
            x = lrelu(F.avg_pool2d(c1(x), 2))
        x = minibatch_stddev(x)
        x = lrelu(self.conv4(x))
        x = lrelu(self.dense0(x.flatten(1)))
        return self.dense1(x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--res", type=int, default=32)
    p.add_argument("--fmap-base", type=int, default=8192)
    p.add_argument("--fmap-max", type=int, default=512)
    p.add_argument("--minibatch", type=int, default=16)
    p.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_default_device(dev)
    torch.manual_seed(0)
    latent = nf(0, a.fmap_base, a.fmap_max)
    g, d = G(a.res, latent, a.fmap_base, a.fmap_max), D(a.res, a.fmap_base, a.fmap_max)
    gopt = torch.optim.Adam(g.parameters(), lr=0.001, betas=(0.0, 0.99), eps=1e-8)
    dopt = torch.optim.Adam(d.parameters(), lr=0.001, betas=(0.0, 0.99), eps=1e-8)
    n = a.minibatch
    reals = torch.rand(n, 3, a.res, a.res) * 2 - 1
    where = f"{a.threads} threads" if dev.type == "cpu" else torch.cuda.get_device_name(dev)
    print(f"G {sum(p.numel() for p in g.parameters())} D {sum(p.numel() for p in d.parameters())} parameters, "
          f"{a.res}x{a.res}, minibatch {n}, {where}, torch {torch.__version__}")

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)

    def step():
        # D: WGAN-GP with drift; fakes detached from G.
        with torch.no_grad():
            fakes = g(torch.randn(n, latent))
        dopt.zero_grad(set_to_none=True)
        sr, sf = d(reals), d(fakes)
        u = torch.rand(n, 1, 1, 1)
        xhat = (reals + (fakes - reals) * u).requires_grad_(True)
        grad, = torch.autograd.grad(d(xhat).sum(), xhat, create_graph=True)
        norm = grad.flatten(1).norm(dim=1)
        loss = (sf - sr).mean() + 10 * ((norm - 1) ** 2).mean() + 0.001 * (sr ** 2).mean()
        loss.backward()
        dopt.step()
        # G.
        gopt.zero_grad(set_to_none=True)
        (-d(g(torch.randn(n, latent)))).mean().backward()
        gopt.step()

    step()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    dt = (time.perf_counter() - t0) / a.steps
    print(f"{dt:.4f} s per D+G step, {n / dt:.2f} images/s")
    if dev.type == "cuda":
        print(f"peak GPU memory allocated {torch.cuda.max_memory_allocated(dev) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
