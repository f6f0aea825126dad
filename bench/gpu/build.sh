#!/usr/bin/env bash
# Builds, on a machine with a CUDA toolkit and no GPU, what bench/gpu/device.sh
# runs on a lent GPU machine: the CUDA test binaries of trainer/internal/nn and
# trainer, and a CUDA progan, into bench/gpu/out (git-ignored).
#
# The device has cuBLAS 13 (pip's nvidia-cublas in /opt/torch/.venv) and no Go.
# A binary linked against Debian's CUDA 11.8 libcublas.so.11 would not load
# there (versioned symbols), so the binaries are linked against a stub with the
# device's soname, libcublas.so.13, defining the cuBLAS functions progan calls
# without symbol versions; at run time the real library takes its place.
#
#   bash bench/gpu/build.sh        # here (apt-get install nvidia-cuda-toolkit)
#   then on the device, with carry bench/gpu/out:  bash bench/gpu/device.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/gpu/out
rm -rf "$out" && mkdir -p "$out/stub"

# The cuBLAS functions progan's cuda build calls, from a build against the toolkit.
go test -c -tags cuda -o "$out/probe.test" ./trainer/internal/nn
syms=$(nm -D --undefined-only "$out/probe.test" | awk '{print $2}' | grep '^cublas' | sed 's/@.*//' | sort -u)
rm "$out/probe.test"
echo "cuBLAS functions used: $(echo $syms)"
for s in $syms; do echo "void $s(void) {}"; done > "$out/stub/stub.c"
gcc -shared -fPIC -Wl,-soname,libcublas.so.13 -o "$out/stub/libcublas.so.13" "$out/stub/stub.c"
ln -sf libcublas.so.13 "$out/stub/libcublas.so"

export CGO_LDFLAGS="-L$PWD/$out/stub"
go test -c -tags cuda -o "$out/nn.test" ./trainer/internal/nn
go test -c -tags cuda -o "$out/trainer.test" ./trainer
go build -tags cuda -o "$out/progan" ./cmd/progan
rm -rf "$out/stub/stub.c"
for b in nn.test trainer.test progan; do
  echo "$b: $(readelf -d "$out/$b" | grep NEEDED | sed 's/.*\[\(.*\)\]/\1/' | tr '\n' ' ')"
done
du -sh "$out"
