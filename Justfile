# progan tasks. Install just with `npm install -g rust-just` (or `cargo install just`).

# the static binary ./progan
build:
    CGO_ENABLED=0 go build -o progan ./cmd/progan

# ./progan with OpenBLAS for the trainer (cgo; apt-get install -y libopenblas-dev)
build-openblas:
    go build -tags openblas -o progan ./cmd/progan

# vet and build ./progan with the CUDA backend (needs a CUDA toolkit: nvcc, cuBLAS, libcuda; the binary needs a GPU driver to start)
build-cuda:
    go vet -tags cuda ./...
    go build -tags cuda -o progan ./cmd/progan

# the CUDA tests through the emulated driver (no GPU: kernels.cu on the CPU), as CI runs them
test-cudaemu:
    go test -tags cudaemu ./trainer/internal/nn ./trainer ./cmd/progan

# build the GPU check binaries into bench/gpu/out (CUDA toolkit, no GPU); then run bench/gpu/device.sh on a GPU machine
gpu-prep:
    bash bench/gpu/build.sh

# the GPU checks on a machine with an NVIDIA GPU, Go and a CUDA toolkit: kernels, the step against the CPU, the benchmark
test-cuda:
    go test -tags cuda -run CUDA -v ./trainer/internal/nn ./trainer
    go test -tags cuda -run '^$' -bench StepCUDA -benchtime 10x ./trainer

# run the test suite exactly as CI does (gofmt, vet, go test ./...)
test:
    bash .ci/run

# packing benchmarks beside the disk's dd write speed
bench:
    bash .ci/bench

# the end-to-end demo on testdata/
demo:
    go run ./cmd/progan demo

# formatting and vet only
lint:
    test -z "$(gofmt -l $(git ls-files '*.go'))"
    go vet ./...

# fuzz the outside-format parsers for a while each
fuzz seconds="30":
    go test ./pyramid/internal/tfrecord -run '^$' -fuzz FuzzReader -fuzztime {{seconds}}s
    go test ./pyramid/internal/tfrecord -run '^$' -fuzz FuzzParseExample -fuzztime {{seconds}}s
    go test ./internal/npy -run '^$' -fuzz FuzzRead -fuzztime {{seconds}}s
    go test ./internal/imagefile -run '^$' -fuzz FuzzDecode -fuzztime {{seconds}}s
    go test ./pyramid -run '^$' -fuzz FuzzReadIndex -fuzztime {{seconds}}s
    go test ./lsun/internal/lmdb -run '^$' -fuzz FuzzCursor -fuzztime {{seconds}}s -fuzzminimizetime 1s
    go test ./internal/pickle -run '^$' -fuzz FuzzDecode -fuzztime {{seconds}}s -fuzzminimizetime 1s
    go test ./fidelity -run '^$' -fuzz FuzzCache -fuzztime {{seconds}}s
    go test ./internal/pth -run '^$' -fuzz FuzzRead -fuzztime {{seconds}}s -fuzzminimizetime 1s
    go test ./cifar/internal/matv5 -run '^$' -fuzz FuzzReader -fuzztime {{seconds}}s
    go test ./mnist -run '^$' -fuzz FuzzRead -fuzztime {{seconds}}s
    go test ./internal/jpeg -run '^$' -fuzz FuzzDecode -fuzztime {{seconds}}s -fuzzminimizetime 5s
    go test ./celebahq -run '^$' -fuzz FuzzParseLists -fuzztime {{seconds}}s
    go test ./celebahq -run '^$' -fuzz FuzzDecodeToken -fuzztime {{seconds}}s
    go test ./celebahq -run '^$' -fuzz FuzzNewPlan -fuzztime {{seconds}}s
    go test ./cifar -run '^$' -fuzz FuzzReadTar -fuzztime {{seconds}}s
    go test ./internal/imagefile -run '^$' -fuzz FuzzRead -fuzztime {{seconds}}s
    go test ./pyramid -run '^$' -fuzz FuzzParseCheckpoint -fuzztime {{seconds}}s
    go test ./trainer -run '^$' -fuzz FuzzReadCheckpoint -fuzztime {{seconds}}s
    go test ./trainer/safetensors -run '^$' -fuzz FuzzRead -fuzztime {{seconds}}s

# SGEMM at the trainer's and Inception v3's shapes: internal/sgemm (each kernel, serial and parallel) beside gonum and OpenBLAS on one and two threads (apt-get install -y libopenblas-dev), one run
bench-sgemm:
    CGO_LDFLAGS=-lopenblas OPENBLAS_NUM_THREADS=1 go test -tags openblas ./internal/sgemm -run '^$' -bench Sgemm
    CGO_LDFLAGS=-lopenblas OPENBLAS_NUM_THREADS=2 go test -tags openblas ./internal/sgemm -run '^$' -bench 'Sgemm/./openblas/x1'

# the trainer's learning test: 30 kimg on the bundled images at 16×16 (under 2 minutes), SWD must halve
learn:
    PROGAN_LEARN=1 go test -count=1 -run Learn -v -timeout 30m ./trainer/

# Inception v3 images/s, progan beside torch-fidelity on the CPU (/usr/bin/python3 with torch; torch-fidelity installed or in $TORCH_FIDELITY_SRC)
bench-inception:
    bash bench/inception.sh

# one D+G step at 32² and 128² (fmap-max 512, minibatch 16), the default build (internal/sgemm) and with OpenBLAS (apt-get install -y libopenblas-dev),
# beside PyTorch (apt-get install -y python3-torch); about 30 minutes
bench-train:
    go test ./trainer -run '^$' -bench 'Step/' -benchtime 1x -timeout 60m
    go test -tags openblas ./trainer -run '^$' -bench 'Step/' -benchtime 1x -timeout 60m
    /usr/bin/python3 bench/progan_step.py --res 32 --fmap-max 512 --minibatch 16 --threads 2
    /usr/bin/python3 bench/progan_step.py --res 128 --fmap-max 512 --minibatch 16 --threads 2
