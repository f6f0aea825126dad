// Row-major products through a column-major BLAS: cuBLAS in the cuda
// build, the emulator's reference in the cudaemu build. The includer
// defines HANDLE_T, OP_N, OP_T, SGEMM and SGEMM_STRIDED with cuBLAS's
// signatures (cublasSgemm, cublasSgemmStridedBatched).
//
// Row-major C (m×n) = alpha·op(A)·op(B) + beta·C is column-major
// Cᵀ = alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ: swap the operands and the sizes.
static int progan_sgemm(HANDLE_T h, int tA, int tB, int m, int n, int k, float alpha,
		unsigned long long a, int lda, long long sa, unsigned long long b, int ldb, long long sb,
		float beta, unsigned long long c, int ldc, long long sc, int batch) {
	int opA = tA ? OP_T : OP_N, opB = tB ? OP_T : OP_N;
	if (batch == 1)
		return SGEMM(h, opB, opA, n, m, k, &alpha, (const float *)b, ldb, (const float *)a, lda,
			&beta, (float *)c, ldc);
	return SGEMM_STRIDED(h, opB, opA, n, m, k, &alpha, (const float *)b, ldb, sb,
		(const float *)a, lda, sa, &beta, (float *)c, ldc, sc, batch);
}
