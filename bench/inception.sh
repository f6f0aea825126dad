#!/usr/bin/env bash
# Inception v3 features per second, progan beside torch-fidelity on the CPU, same
# machine, same run, same weights and images: N (default 512) 64×64 PNGs (the
# 64 of inception/testdata/reals, repeated), random weights in torch-fidelity's
# layout. progan: `progan is` end to end (read, decode, resize, network, IS) and
# inception.BenchmarkForward (the network alone, one image per goroutine).
# torch-fidelity: bench/inception_torch.py with 2 threads.
# Needs /usr/bin/python3 with torch, and torch-fidelity ($TORCH_FIDELITY_SRC or installed).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-512}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/imgs"
i=0
while [ "$i" -lt "$n" ]; do
  for f in inception/testdata/reals/*.png; do
    [ "$i" -lt "$n" ] || break
    cp "$f" "$tmp/imgs/$(printf %06d "$i").png"
    i=$((i + 1))
  done
done
/usr/bin/python3 bench/inception_torch.py --make-weights --weights "$tmp/w.pth"
go build -o "$tmp/progan" ./cmd/progan
start=$(date +%s.%N)
"$tmp/progan" is --quiet --json --no-cache --weights "$tmp/w.pth" "$tmp/imgs" > "$tmp/is.json"
end=$(date +%s.%N)
echo "progan is: $n images in $(echo "$end - $start" | bc) s: $(echo "$n / ($end - $start)" | bc -l | cut -c1-6) images/s (IS $(grep '"is"' "$tmp/is.json" | tr -d ' ,'))"
go test ./inception -run '^$' -bench 'Forward' -benchtime "${BENCHTIME:-20x}" | grep '^Benchmark'
/usr/bin/python3 bench/inception_torch.py --images "$tmp/imgs" --weights "$tmp/w.pth" --threads 2
