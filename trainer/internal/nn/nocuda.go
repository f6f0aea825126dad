//go:build !cuda && !cudaemu

package nn

// CUDAAvailable reports whether this build has the CUDA backend.
const CUDAAvailable = false

// OpenCUDA returns ErrNoCUDA: this build has no CUDA backend.
func OpenCUDA() (*Device, error) { return nil, ErrNoCUDA }
