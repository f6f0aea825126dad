//go:build amd64 && !purego

#include "textflag.h"

// The resampling kernels compute Resample.c's sums in float32: each output
// sample starts at 0.5 and adds, in increasing input order, the product of
// each input sample (converted exactly) and its weight, each product and
// sum its own instruction (VMULPS, VADDPS; never fused). The sum is then
// truncated to int32 (VCVTTPS2DQ) and saturated to [0, 255] by VPACKSSDW
// and VPACKUSWB, which is clip8.

DATA half32<>+0(SB)/4, $0.5
GLOBL half32<>(SB), RODATA|NOPTR, $4

// func resampleColsAVX2(out *uint8, in *uint8, rowLen int, w *float32, taps int, n int)
//
// Output sample i < n (n a multiple of 8) of one output row is the sum over
// taps j of in[j·rowLen + i]·w[j]; 32 samples at a time in Y0-Y3, then 8.
TEXT ·resampleColsAVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ rowLen+16(FP), DX
	MOVQ w+24(FP), R8
	MOVQ taps+32(FP), R9
	MOVQ n+40(FP), CX
	VBROADCASTSS half32<>(SB), Y15

	CMPQ CX, $32
	JB   c8

c32:
	VMOVAPS Y15, Y0
	VMOVAPS Y15, Y1
	VMOVAPS Y15, Y2
	VMOVAPS Y15, Y3
	MOVQ    SI, R11
	XORQ    BX, BX

c32tap:
	VBROADCASTSS (R8)(BX*4), Y14
	VPMOVZXBD    (R11), Y4
	VPMOVZXBD    8(R11), Y5
	VPMOVZXBD    16(R11), Y6
	VPMOVZXBD    24(R11), Y7
	VCVTDQ2PS    Y4, Y4
	VCVTDQ2PS    Y5, Y5
	VCVTDQ2PS    Y6, Y6
	VCVTDQ2PS    Y7, Y7
	VMULPS       Y14, Y4, Y4
	VMULPS       Y14, Y5, Y5
	VMULPS       Y14, Y6, Y6
	VMULPS       Y14, Y7, Y7
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	ADDQ         DX, R11
	INCQ         BX
	CMPQ         BX, R9
	JB           c32tap

	VCVTTPS2DQ    Y0, Y0
	VCVTTPS2DQ    Y1, Y1
	VCVTTPS2DQ    Y2, Y2
	VCVTTPS2DQ    Y3, Y3
	// With gN the samples 4N … 4N+3 (the packs work within 128-bit lanes):
	VPACKSSDW     Y1, Y0, Y0    // words g0 g2 | g1 g3
	VPACKSSDW     Y3, Y2, Y2    // words g4 g6 | g5 g7
	VPACKUSWB     Y2, Y0, Y0    // bytes g0 g2 g4 g6 | g1 g3 g5 g7
	VPERMQ        $0xd8, Y0, Y0 // g0 g2 g1 g3 | g4 g6 g5 g7
	VPSHUFD       $0xd8, Y0, Y0 // g0 g1 g2 g3 | g4 g5 g6 g7
	VMOVDQU       Y0, (DI)
	ADDQ          $32, SI
	ADDQ          $32, DI
	SUBQ          $32, CX
	CMPQ          CX, $32
	JAE           c32

c8:
	CMPQ CX, $8
	JB   cdone

c8loop:
	VMOVAPS Y15, Y0
	MOVQ    SI, R11
	XORQ    BX, BX

c8tap:
	VBROADCASTSS (R8)(BX*4), Y14
	VPMOVZXBD    (R11), Y4
	VCVTDQ2PS    Y4, Y4
	VMULPS       Y14, Y4, Y4
	VADDPS       Y4, Y0, Y0
	ADDQ         DX, R11
	INCQ         BX
	CMPQ         BX, R9
	JB           c8tap

	VCVTTPS2DQ     Y0, Y0
	VEXTRACTI128   $1, Y0, X1
	VPACKSSDW      X1, X0, X0
	VPACKUSWB      X0, X0, X0
	VMOVQ          X0, (DI)
	ADDQ           $8, SI
	ADDQ           $8, DI
	SUBQ           $8, CX
	CMPQ           CX, $8
	JAE            c8loop

cdone:
	VZEROUPPER
	RET

// func resampleRowsRGBAVX2(out *uint8, outRow int, in *uint8, inRow int, start *int, w *float32, taps int, m int)
//
// Resamples two RGB rows (in and in + inRow, to out and out + outRow):
// output pixel xx is the sum over taps i of the pixel start[xx] + i
// weighted by w[xx·taps + i], the three channels in lanes 0-2 of X0 (first
// row) and X1 (second row); the fourth lane reads the byte after each
// pixel and is discarded. The caller keeps that byte inside the slice.
TEXT ·resampleRowsRGBAVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ outRow+8(FP), R10
	MOVQ in+16(FP), SI
	MOVQ inRow+24(FP), DX
	MOVQ start+32(FP), R12
	MOVQ w+40(FP), R8
	MOVQ taps+48(FP), R9
	MOVQ m+56(FP), CX
	TESTQ CX, CX
	JZ    rdone
	VBROADCASTSS half32<>(SB), X15

rpix:
	MOVQ  (R12), R11
	LEAQ  (R11)(R11*2), R11
	ADDQ  SI, R11              // the first tap's first sample
	VMOVAPS X15, X0
	VMOVAPS X15, X1
	MOVQ  R9, BX

rtap:
	VBROADCASTSS (R8), X14
	VPMOVZXBD    (R11), X2
	VPMOVZXBD    (R11)(DX*1), X3
	VCVTDQ2PS    X2, X2
	VCVTDQ2PS    X3, X3
	VMULPS       X14, X2, X2
	VMULPS       X14, X3, X3
	VADDPS       X2, X0, X0
	VADDPS       X3, X1, X1
	ADDQ         $4, R8
	ADDQ         $3, R11
	DECQ         BX
	JNZ          rtap

	VCVTTPS2DQ X0, X0
	VCVTTPS2DQ X1, X1
	VPACKSSDW  X1, X0, X0      // words: row 0's r g b x, row 1's
	VPACKUSWB  X0, X0, X0      // bytes: r g b x r' g' b' x'
	VMOVQ      X0, AX
	MOVW       AX, (DI)
	SHRQ       $16, AX
	MOVB       AX, 2(DI)
	SHRQ       $16, AX
	MOVW       AX, (DI)(R10*1)
	SHRQ       $16, AX
	MOVB       AX, 2(DI)(R10*1)
	ADDQ       $3, DI
	ADDQ       $8, R12
	DECQ       CX
	JNZ        rpix

	VZEROUPPER

rdone:
	RET
