//go:build cudaemu && !cuda

// The CUDA emulator of the cudaemu build: cuda/kernels.cu compiled as
// C++ for the CPU, each launch run block by block with one thread a block
// (every kernel is written with grid-stride loops and block reductions
// that are correct for any block size), and a column-major reference
// SGEMM with cuBLAS's signatures behind the same row-major shim
// (cuda/sgemm.h) as the cuda build. Test-only: it checks the kernels'
// indexing and arithmetic, the argument packing and the operand swaps of
// the products without a GPU.

// No FMA contraction: x86-64 without -mfma has no fused multiply-add, as
// -fmad=false on the GPU.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

struct emu_dim3 {
	unsigned x, y, z;
};
static emu_dim3 blockIdx, threadIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __shared__ static
#define __syncthreads()
using std::min;
using std::sqrt;

#include "cuda/kernels.cu"

#define HANDLE_T int
#define OP_N 0
#define OP_T 1

// cublasSgemm: column-major C (m×n) = alpha·op(A)·op(B) + beta·C.
static int emu_sgemm(int, int opA, int opB, int m, int n, int k, const float *alpha, const float *A, int lda,
		const float *B, int ldb, const float *beta, float *C, int ldc) {
	for (int j = 0; j < n; j++)
		for (int i = 0; i < m; i++) {
			double s = 0;
			for (int l = 0; l < k; l++) {
				float a = opA ? A[l + (long long)i * lda] : A[i + (long long)l * lda];
				float b = opB ? B[j + (long long)l * ldb] : B[l + (long long)j * ldb];
				s += (double)a * b;
			}
			float *c = &C[i + (long long)j * ldc];
			*c = *alpha * (float)s + (*beta == 0 ? 0 : *beta * *c);
		}
	return 0;
}

static int emu_sgemm_strided(int h, int opA, int opB, int m, int n, int k, const float *alpha, const float *A, int lda,
		long long sA, const float *B, int ldb, long long sB, const float *beta, float *C, int ldc, long long sC,
		int batch) {
	for (int i = 0; i < batch; i++) emu_sgemm(h, opA, opB, m, n, k, alpha, A + i * sA, lda, B + i * sB, ldb, beta, C + i * sC, ldc);
	return 0;
}

#define SGEMM emu_sgemm
#define SGEMM_STRIDED emu_sgemm_strided
#include "cuda/sgemm.h"

static float F(unsigned long long v) {
	unsigned u = (unsigned)v;
	float f;
	memcpy(&f, &u, 4);
	return f;
}
static int I(unsigned long long v) { return (int)(unsigned)v; }
#define P(i) ((float *)a[i])

extern "C" int emu_launch(const char *name, int blocks, const unsigned long long *a) {
	std::string k(name);
	gridDim.x = blocks;
	blockDim.x = 1;
	threadIdx.x = 0;
	// The kernel is chosen once, then run block by block.
	std::function<void()> run;
	if (k == "im2col") run = [&] { im2col(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "im2col_t") run = [&] { im2col_t(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "batch_transpose") run = [&] { batch_transpose(P(0), P(1), I(a[2]), I(a[3]), I(a[4])); };
	else if (k == "col2im_t") run = [&] { col2im_t(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "col2im") run = [&] { col2im(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "leaky_mul") run = [&] { leaky_mul(P(0), P(1), P(2), I(a[3]), F(a[4])); };
	else if (k == "add_bias") run = [&] { add_bias(P(0), P(1), P(2), I(a[3]), I(a[4]), I(a[5])); };
	else if (k == "sum_bias_partial") run = [&] { sum_bias_partial((double *)a[0], P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5])); };
	else if (k == "sum_bias_final") run = [&] { sum_bias_final(P(0), (const double *)a[1], I(a[2]), I(a[3])); };
	else if (k == "upscale") run = [&] { upscale(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), F(a[6])); };
	else if (k == "downscale") run = [&] { downscale(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5]), F(a[6])); };
	else if (k == "lerp") run = [&] { lerp(P(0), P(1), P(2), I(a[3]), F(a[4])); };
	else if (k == "scale") run = [&] { scale(P(0), P(1), I(a[2]), F(a[3])); };
	else if (k == "add") run = [&] { add(P(0), P(1), I(a[2])); };
	else if (k == "pixel_norm") run = [&] { pixel_norm(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), F(a[5])); };
	else if (k == "pixel_norm_backward") run = [&] { pixel_norm_backward(P(0), P(1), P(2), I(a[3]), I(a[4]), I(a[5]), F(a[6])); };
	else if (k == "mbstd") run = [&] { mbstd(P(0), P(1), P(2), P(3), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "mbstd_backward") run = [&] { mbstd_backward(P(0), P(1), P(2), P(3), P(4), P(5), I(a[6]), I(a[7]), I(a[8])); };
	else if (k == "append_channel") run = [&] { append_channel(P(0), P(1), P(2), I(a[3]), I(a[4]), I(a[5]), I(a[6])); };
	else if (k == "split_channel") run = [&] { split_channel(P(0), P(1), I(a[2]), I(a[3]), I(a[4])); };
	else if (k == "split_stat") run = [&] { split_stat(P(0), P(1), I(a[2]), I(a[3]), I(a[4]), I(a[5])); };
	else if (k == "adam_update") run = [&] { adam_update(P(0), P(1), P(2), P(3), I(a[4]), F(a[5]), F(a[6]), F(a[7]), F(a[8])); };
	else if (k == "all_finite") run = [&] { all_finite((int *)a[0], P(1), I(a[2])); };
	else if (k == "row_sq_norm") run = [&] { row_sq_norm((double *)a[0], P(1), I(a[2]), I(a[3])); };
	else if (k == "scale_rows") run = [&] { scale_rows(P(0), P(1), P(2), I(a[3]), I(a[4])); };
	else if (k == "mix_rows") run = [&] { mix_rows(P(0), P(1), P(2), P(3), I(a[4]), I(a[5])); };
	else return -1;
	for (int b = 0; b < blocks; b++) {
		blockIdx.x = b;
		run();
	}
	return 0;
}

extern "C" int emu_sgemm_rowmajor(int tA, int tB, int m, int n, int k, float alpha, unsigned long long a, int lda,
		long long sa, unsigned long long b, int ldb, long long sb, float beta, unsigned long long c, int ldc,
		long long sc, int batch) {
	return progan_sgemm(0, tA, tB, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch);
}

// New memory is filled with NaNs, as stale as a GPU's: a kernel that
// leaves part of its output unwritten shows in the tests. (Not in the dry
// mode, which allocates without touching.)
extern "C" unsigned long long emu_malloc(long long bytes, int poison) {
	void *p = malloc(bytes);
	if (p && poison) memset(p, 0xff, bytes);
	return (unsigned long long)p;
}
extern "C" void emu_free(unsigned long long p) { free((void *)p); }
extern "C" void emu_htod(unsigned long long dst, const void *src, long long n) { memcpy((void *)dst, src, n); }
extern "C" void emu_dtoh(void *dst, unsigned long long src, long long n) { memcpy(dst, (const void *)src, n); }
extern "C" void emu_dtod(unsigned long long dst, unsigned long long src, long long n) { memcpy((void *)dst, (const void *)src, n); }
extern "C" void emu_zero(unsigned long long p, long long n) { memset((void *)p, 0, n); }
