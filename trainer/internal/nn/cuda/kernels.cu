// CUDA kernels of package nn's cuda backend: one for each kernel of
// kernels.go that is not a matrix product (those go to cuBLAS), plus the
// gradient penalty's per-sample norm and scaling and the per-sample mix of
// x̂. Each says which Go function it mirrors. Compiled to PTX by
//
//	nvcc -ptx -arch=compute_80 -fmad=false -o kernels.ptx kernels.cu
//
// (go generate ./trainer/internal/nn). -fmad=false keeps every a·b + c two
// roundings, as Go computes it, so that element-wise kernels give the CPU
// backend's bits; sqrtf and '/' are IEEE-rounded by nvcc's defaults.
// Reductions accumulate in double, as the Go kernels do, in a different
// order.
//
// Parameters: pointers, then sizes as int (the Go side passes 64-bit
// values, whose low half is the int), then float scalars. Indices that can
// exceed 2^31 use long long.

#define GRID_STRIDE(i, n) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// im2col: col [n][k·k·c][h·w] from x [n][c][h·w], SAME zero padding.
extern "C" __global__ void im2col(float *col, const float *x, int n, int c, int h, int w, int k) {
	long long hw = (long long)h * w, kk = (long long)k * k * c, total = n * kk * hw;
	int p = k / 2;
	GRID_STRIDE(i, total) {
		long long s = i / (kk * hw), r = i % (kk * hw);
		long long row = r / hw, pix = r % hw;
		int ci = row % c, kx = (row / c) % k, ky = row / c / k;
		int oy = pix / w, ox = pix % w;
		int iy = oy + ky - p, ix = ox + kx - p;
		float v = 0;
		if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = x[(s * c + ci) * hw + (long long)iy * w + ix];
		col[i] = v;
	}
}

// im2colT: col [k·k·c][n][h·w], the batch inside each row, so that a
// convolution's weight gradient over the whole batch is one product,
// col·dyᵀ with dy transposed to [out][n][h·w] (batch_transpose).
extern "C" __global__ void im2col_t(float *col, const float *x, int n, int c, int h, int w, int k) {
	long long hw = (long long)h * w, nhw = n * hw, kk = (long long)k * k * c, total = kk * nhw;
	int p = k / 2;
	GRID_STRIDE(i, total) {
		long long row = i / nhw, r = i % nhw;
		long long s = r / hw, pix = r % hw;
		int ci = row % c, kx = (row / c) % k, ky = row / c / k;
		int oy = pix / w, ox = pix % w;
		int iy = oy + ky - p, ix = ox + kx - p;
		float v = 0;
		if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = x[(s * c + ci) * hw + (long long)iy * w + ix];
		col[i] = v;
	}
}

// batchTranspose: dst [c][n][hw] = src [n][c][hw].
extern "C" __global__ void batch_transpose(float *dst, const float *src, int n, int c, int hw) {
	long long nhw = (long long)n * hw, total = (long long)c * nhw;
	GRID_STRIDE(i, total) {
		long long ci = i / nhw, r = i % nhw;
		long long s = r / hw, pix = r % hw;
		dst[i] = src[(s * c + ci) * hw + pix];
	}
}

// col2im: x [n][c][h·w] = the adjoint of im2col applied to col, summed per
// pixel in (ky, kx) order from zero, as col2im in kernels.go adds.
extern "C" __global__ void col2im(float *x, const float *col, int n, int c, int h, int w, int k) {
	long long hw = (long long)h * w, kk = (long long)k * k * c, total = (long long)n * c * hw;
	int p = k / 2;
	GRID_STRIDE(i, total) {
		long long s = i / (c * hw), r = i % (c * hw);
		int ci = r / hw, pix = r % hw;
		int iy = pix / w, ix = pix % w;
		const float *cs = col + s * kk * hw;
		float acc = 0;
		for (int ky = 0; ky < k; ky++) {
			int oy = iy - ky + p;
			if (oy < 0 || oy >= h) continue;
			for (int kx = 0; kx < k; kx++) {
				int ox = ix - kx + p;
				if (ox < 0 || ox >= w) continue;
				acc += cs[((long long)(ky * k + kx) * c + ci) * hw + (long long)oy * w + ox];
			}
		}
		x[i] = acc;
	}
}

// col2imT: col2im from the [k·k·c][n][h·w] layout of im2col_t, in the
// same order of terms.
extern "C" __global__ void col2im_t(float *x, const float *col, int n, int c, int h, int w, int k) {
	long long hw = (long long)h * w, nhw = n * hw, total = (long long)n * c * hw;
	int p = k / 2;
	GRID_STRIDE(i, total) {
		long long s = i / (c * hw), r = i % (c * hw);
		int ci = r / hw, pix = r % hw;
		int iy = pix / w, ix = pix % w;
		const float *cs = col + s * hw;
		float acc = 0;
		for (int ky = 0; ky < k; ky++) {
			int oy = iy - ky + p;
			if (oy < 0 || oy >= h) continue;
			for (int kx = 0; kx < k; kx++) {
				int ox = ix - kx + p;
				if (ox < 0 || ox >= w) continue;
				acc += cs[((long long)(ky * k + kx) * c + ci) * nhw + (long long)oy * w + ox];
			}
		}
		x[i] = acc;
	}
}

// leakyMul: dst = src·f'(x).
extern "C" __global__ void leaky_mul(float *dst, const float *src, const float *x, int n, float slope) {
	GRID_STRIDE(i, n) dst[i] = x[i] > 0 ? src[i] : slope * src[i];
}

// addBias: dst = src + b over the channel axis of [n][c][hw].
extern "C" __global__ void add_bias(float *dst, const float *src, const float *b, int n, int c, int hw) {
	long long total = (long long)n * c * hw;
	GRID_STRIDE(i, total) dst[i] = src[i] + b[(i / hw) % c];
}

// Block-wide sum of a double; blockDim.x is a power of two ≤ 1024.
__device__ double block_sum(double v) {
	__shared__ double s[1024];
	s[threadIdx.x] = v;
	__syncthreads();
	for (int h = blockDim.x / 2; h > 0; h /= 2) {
		if (threadIdx.x < h) s[threadIdx.x] += s[threadIdx.x + h];
		__syncthreads();
	}
	double r = s[0];
	__syncthreads();
	return r;
}

// sumBias, in two launches so that a layer with few channels still
// fills the GPU: part[ci·p + j] = the sum of chunk j of the n·hw values of
// channel ci (blocks c·p), then db[ci] += Σ_j part[ci·p + j] in order.
extern "C" __global__ void sum_bias_partial(double *part, const float *dy, int n, int c, int hw, int p) {
	int ci = blockIdx.x / p, j = blockIdx.x % p;
	int total = n * hw, chunk = (total + p - 1) / p;
	int lo = j * chunk, hi = min(total, lo + chunk);
	double acc = 0;
	for (int e = lo + threadIdx.x; e < hi; e += blockDim.x) {
		int ni = e / hw, q = e - ni * hw;
		acc += dy[((long long)ni * c + ci) * hw + q];
	}
	acc = block_sum(acc);
	if (threadIdx.x == 0) part[blockIdx.x] = acc;
}

extern "C" __global__ void sum_bias_final(float *db, const double *part, int c, int p) {
	GRID_STRIDE(ci, c) {
		double s = 0;
		for (int j = 0; j < p; j++) s += part[ci * p + j];
		db[ci] += (float)s;
	}
}

// upscale: dst [nc][h·f][w·f] = alpha·src [nc][h][w] repeated f×f.
extern "C" __global__ void upscale(float *dst, const float *src, int nc, int h, int w, int f, float alpha) {
	long long wf = (long long)w * f, total = (long long)nc * h * f * wf;
	GRID_STRIDE(i, total) {
		long long plane = i / (h * f * wf), r = i % (h * f * wf);
		long long y = r / wf / f, x = (r % wf) / f;
		dst[i] = alpha * src[(plane * h + y) * w + x];
	}
}

// downscale: dst [nc][h/f][w/f] = alpha·Σ of each f×f block, rows first.
extern "C" __global__ void downscale(float *dst, const float *src, int nc, int h, int w, int f, float alpha) {
	int ho = h / f, wo = w / f;
	long long total = (long long)nc * ho * wo;
	GRID_STRIDE(i, total) {
		long long plane = i / ((long long)ho * wo), r = i % ((long long)ho * wo);
		int yo = r / wo, xo = r % wo;
		const float *s = src + plane * h * w;
		float acc = 0;
		for (int y = yo * f; y < yo * f + f; y++)
			for (int x = xo * f; x < xo * f + f; x++) acc += s[(long long)y * w + x];
		dst[i] = acc * alpha;
	}
}

// lerp: dst = a + (b − a)·t.
extern "C" __global__ void lerp(float *dst, const float *a, const float *b, int n, float t) {
	GRID_STRIDE(i, n) dst[i] = a[i] + (b[i] - a[i]) * t;
}

// scale: dst = alpha·src.
extern "C" __global__ void scale(float *dst, const float *src, int n, float alpha) {
	GRID_STRIDE(i, n) dst[i] = alpha * src[i];
}

// add: dst += src.
extern "C" __global__ void add(float *dst, const float *src, int n) {
	GRID_STRIDE(i, n) dst[i] += src[i];
}

__device__ float pixel_rsqrt(const float *x, int c, long long hw, float eps) {
	float s = 0;
	for (int ci = 0; ci < c; ci++) {
		float v = x[ci * hw];
		s += v * v;
	}
	return (float)(1.0 / sqrt((double)(s / (float)c + eps)));
}

// pixelNorm: one thread per pixel of [n][c][hw].
extern "C" __global__ void pixel_norm(float *y, const float *x, int n, int c, int hw, float eps) {
	long long total = (long long)n * hw;
	GRID_STRIDE(i, total) {
		long long ni = i / hw, q = i % hw, base = ni * c * hw + q;
		float r = pixel_rsqrt(x + base, c, hw, eps);
		for (int ci = 0; ci < c; ci++) y[base + ci * hw] = x[base + ci * hw] * r;
	}
}

// pixelNormBackward: dx = r·dy − x·r³·mean_c(x·dy), one thread per pixel.
extern "C" __global__ void pixel_norm_backward(float *dx, const float *dy, const float *x, int n, int c, int hw, float eps) {
	long long total = (long long)n * hw;
	GRID_STRIDE(i, total) {
		long long ni = i / hw, q = i % hw, base = ni * c * hw + q;
		float r = pixel_rsqrt(x + base, c, hw, eps);
		float dot = 0;
		for (int ci = 0; ci < c; ci++) dot += x[base + ci * hw] * dy[base + ci * hw];
		dot *= r * r * r / (float)c;
		for (int ci = 0; ci < c; ci++) {
			long long j = base + ci * hw;
			dx[j] = r * dy[j] - x[j] * dot;
		}
	}
}

#define MBSTD_EPS 1e-8

// mbstd: per group mi (one block each) the mean over features of
// √(var + eps), and with tx its derivative in direction tx. Groups as
// kernels.go: sample i is in group i mod m, m = n/g, k features a sample.
extern "C" __global__ void mbstd(float *stat, float *tstat, const float *x, const float *tx, int n, int g, int k) {
	int m = n / g, mi = blockIdx.x;
	double s = 0, ts = 0;
	for (int j = threadIdx.x; j < k; j += blockDim.x) {
		double mu = 0, v = 0, dt = 0;
		for (int gi = 0; gi < g; gi++) mu += x[(long long)(gi * m + mi) * k + j];
		mu /= g;
		for (int gi = 0; gi < g; gi++) {
			long long i = (long long)(gi * m + mi) * k + j;
			double d = x[i] - mu;
			v += d * d;
			if (tx) dt += d * tx[i];
		}
		double sj = sqrt(v / g + MBSTD_EPS);
		s += sj;
		if (tx) ts += dt / sj;
	}
	s = block_sum(s);
	ts = block_sum(ts);
	if (threadIdx.x == 0) {
		stat[mi] = (float)(s / k);
		if (tx) tstat[mi] = (float)(ts / ((double)k * g));
	}
}

// mbstdBackward: one thread per (group, feature); dstat and dtstat may be
// null for zero, and dtx, tx are used only with dtstat.
extern "C" __global__ void mbstd_backward(float *dx, float *dtx, const float *x, const float *tx, const float *dstat,
                                          const float *dtstat, int n, int g, int k) {
	int m = n / g;
	double kg = (double)k * g;
	long long total = (long long)m * k;
	GRID_STRIDE(idx, total) {
		int mi = idx / k, j = idx % k;
		double ds = dstat ? dstat[mi] : 0, dts = dtstat ? dtstat[mi] : 0;
		double mu = 0, v = 0, a = 0;
		for (int gi = 0; gi < g; gi++) mu += x[(long long)(gi * m + mi) * k + j];
		mu /= g;
		for (int gi = 0; gi < g; gi++) {
			long long i = (long long)(gi * m + mi) * k + j;
			double d = x[i] - mu;
			v += d * d;
			if (tx) a += d * tx[i];
		}
		v /= g;
		double s = sqrt(v + MBSTD_EPS);
		double tmu = 0;
		if (dtstat) {
			for (int gi = 0; gi < g; gi++) tmu += tx[(long long)(gi * m + mi) * k + j];
			tmu /= g;
		}
		for (int gi = 0; gi < g; gi++) {
			long long i = (long long)(gi * m + mi) * k + j;
			double d = x[i] - mu;
			double gx = ds * d / (kg * s);
			if (dtstat) {
				double td = tx[i] - tmu;
				gx += dts / kg * (td / s - a * d / ((double)g * s * s * s));
				dtx[i] += (float)(dts * d / (kg * s));
			}
			dx[i] += (float)gx;
		}
	}
}

// appendChannel: dst [n][c+1][hw] = src [n][c][hw] and a channel of
// stat[sample mod m].
extern "C" __global__ void append_channel(float *dst, const float *src, const float *stat, int n, int c, int hw, int m) {
	long long per = (long long)(c + 1) * hw, total = n * per;
	GRID_STRIDE(i, total) {
		long long ni = i / per, r = i % per;
		dst[i] = r < (long long)c * hw ? src[ni * c * hw + r] : stat[ni % m];
	}
}

// splitChannel, first half: dst [n][c][hw] = the first c channels of src.
extern "C" __global__ void split_channel(float *dst, const float *src, int n, int c, int hw) {
	long long per = (long long)c * hw, total = n * per;
	GRID_STRIDE(i, total) {
		long long ni = i / per, r = i % per;
		dst[i] = src[ni * (per + hw) + r];
	}
}

// splitChannel, second half: stat[mi] = Σ over the samples of group mi, in
// sample order, of the (double) sum of their last channel; one block a
// group.
extern "C" __global__ void split_stat(float *stat, const float *src, int n, int c, int hw, int m) {
	int mi = blockIdx.x;
	float acc = 0;
	for (int ni = mi; ni < n; ni += m) {
		const float *s = src + (long long)ni * (c + 1) * hw + (long long)c * hw;
		double sum = 0;
		for (int j = threadIdx.x; j < hw; j += blockDim.x) sum += s[j];
		sum = block_sum(sum);
		acc += (float)sum;
	}
	if (threadIdx.x == 0) stat[mi] = acc;
}

// adamUpdate: TensorFlow's ApplyAdam, as kernels.go.
extern "C" __global__ void adam_update(float *theta, float *m, float *v, const float *g, int n, float alpha, float c1, float c2,
                                       float eps) {
	GRID_STRIDE(i, n) {
		float gi = g[i];
		m[i] += (gi - m[i]) * c1;
		v[i] += (gi * gi - v[i]) * c2;
		theta[i] -= m[i] * alpha / (sqrtf(v[i]) + eps);
	}
}

// allFinite: sets *flag to 1 if any value is NaN or infinite.
extern "C" __global__ void all_finite(int *flag, const float *x, int n) {
	GRID_STRIDE(i, n) {
		float v = x[i];
		if (v - v != 0) *flag = 1;
	}
}

// Penalty: out[b] = Σ x[b, :]² in double, one block a row.
extern "C" __global__ void row_sq_norm(double *out, const float *x, int n, int k) {
	int b = blockIdx.x;
	const float *r = x + (long long)b * k;
	double acc = 0;
	for (int j = threadIdx.x; j < k; j += blockDim.x) acc += (double)r[j] * r[j];
	acc = block_sum(acc);
	if (threadIdx.x == 0) out[b] = acc;
}

// Penalty: dst[b, :] = s[b]·src[b, :].
extern "C" __global__ void scale_rows(float *dst, const float *src, const float *s, int n, int k) {
	long long total = (long long)n * k;
	GRID_STRIDE(i, total) dst[i] = s[i / k] * src[i];
}

// The x̂ of the penalty: dst[b, :] = a + (b − a)·u[b].
extern "C" __global__ void mix_rows(float *dst, const float *a, const float *b, const float *u, int n, int k) {
	long long total = (long long)n * k;
	GRID_STRIDE(i, total) dst[i] = a[i] + (b[i] - a[i]) * u[i / k];
}
