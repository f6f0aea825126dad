#!/usr/bin/env bash
# The GPU checks of the CUDA backend, on a lent machine (one H100, nvcc 13,
# PyTorch 2.11 with CUDA 13 in /opt/torch/.venv, no Go), at most 5 minutes
# (every step has its own timeout; run it with a limit of about 360 s):
#   1. every kernel against its Go kernel, the products, the layers;
#   2. one D+G step on the GPU against the CPU step (losses and every
#      gradient, the penalty's included; in a fade and with labels);
#   3. BenchmarkStepCUDA beside bench/progan_step.py --device cuda (PyTorch,
#      FP32, TF32 off) at 128² minibatch 16 and 1024² minibatch 4, in one call;
#   4. a short real run: the 256 demo images packed, trained to 64² on the GPU,
#      its log (img/s per tick), SWD curve and sample grids copied to $OUT.
# Build first with bench/gpu/build.sh, then run with carry bench/gpu/out.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/gpu/out
OUT=${OUT:-/tmp/progan-gpu}
mkdir -p "$OUT"
py=/opt/torch/.venv/bin/python
cublas=$(ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia/cublas/lib 2>/dev/null | head -1)
export LD_LIBRARY_PATH="$cublas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
log() { echo; echo "== $*"; }

log "device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
echo "cuBLAS from $cublas"

log "1. kernels, products and layers against the Go kernels"
timeout 30 "$bin/nn.test" -test.run CUDA -test.v 2>&1 | tee "$OUT/nn-test.txt" | tail -40

log "2. one D+G step on the GPU against the CPU"
timeout 30 "$bin/trainer.test" -test.run CUDAStep -test.v 2>&1 | tee "$OUT/step-test.txt" | tail -12

log "3. one D+G step of the paper's networks: progan (Go, cuBLAS) and PyTorch on this GPU"
timeout 75 "$bin/trainer.test" -test.run '^$' -test.bench StepCUDA -test.benchtime 10x 2>&1 | tee "$OUT/bench-go.txt" | grep -E 'Benchmark|ok|FAIL|panic'
for cfg in "128 16" "1024 4"; do
  set -- $cfg
  timeout 40 "$py" bench/progan_step.py --device cuda --res "$1" --minibatch "$2" --steps 10 2>&1 | tee -a "$OUT/bench-torch.txt"
done

log "4. a short run on the demo images up to 64² on the GPU"
rm -rf /tmp/demo64 /tmp/run64
"$bin/progan" images --quiet -o /tmp/demo64 testdata/images
timeout 75 "$bin/progan" train --device cuda -o /tmp/run64 --fmap-max 256 --phase-kimg 30 --fade-kimg 30 \
  --total-kimg 300 --tick-kimg 20 --network-ticks 2 --swd-images 256 /tmp/demo64 2>&1 | tail -25
cp /tmp/run64/log.txt /tmp/run64/stats.jsonl /tmp/run64/swd.png "$OUT/" 2>/dev/null
cp $(ls /tmp/run64/fakes*.png | tail -1) "$OUT/" 2>/dev/null
ls -la "$OUT"
