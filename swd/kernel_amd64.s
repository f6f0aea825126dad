#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func halfsF16C(dst *uint16, src *float32, n int)
//
// Converts n float32 values (n a multiple of 8) to half floats, rounding
// to nearest even.
TEXT ·halfsF16C(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   hdone

hloop:
	VMOVUPS   (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	DECQ      CX
	JNZ       hloop

hdone:
	VZEROUPPER
	RET

// The projection kernels. For each of npanel panels of 16 descriptors
// (147 x 16 values, value-major) and each tile of 6 directions (dirs:
// 147 x 6 float32 per tile, tiles back to back, the last one zero-padded),
// they accumulate the 6 x 16 dot products in Y0-Y11, turn them into sort
// keys (see radix.go) and store the first min(6, rows left) rows of 16 at
// dst + row*ldc; dst moves 16 floats right per panel. panelsHalf reads
// half floats, panelsFixed int16, panelsFloat float32; they differ only in
// the loads of one value of the 16 descriptors into two vectors of 8
// float32 (Y12, Y13).

// func panelsHalf(dst *float32, ldc int, src *uint16, npanel int, dirs *float32, ndirs int)
TEXT ·panelsHalf(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldc+8(FP), R10
	SHLQ $2, R10
	MOVQ src+16(FP), SI
	MOVQ npanel+24(FP), R11
	MOVQ dirs+32(FP), R13

hpanel:
	TESTQ R11, R11
	JZ    hdone
	MOVQ  R13, R12         // dirs of the current tile
	MOVQ  DI, R8           // first output row of the current tile
	MOVQ  ndirs+40(FP), R9 // rows left

htile:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   SI, AX
	MOVQ   R12, DX
	MOVQ   $147, CX

hk:
	VCVTPH2PS    (AX), Y12
	VCVTPH2PS    16(AX), Y13
	VBROADCASTSS (DX), Y14
	VFMADD231PS  Y14, Y12, Y0
	VFMADD231PS  Y14, Y13, Y1
	VBROADCASTSS 4(DX), Y15
	VFMADD231PS  Y15, Y12, Y2
	VFMADD231PS  Y15, Y13, Y3
	VBROADCASTSS 8(DX), Y14
	VFMADD231PS  Y14, Y12, Y4
	VFMADD231PS  Y14, Y13, Y5
	VBROADCASTSS 12(DX), Y15
	VFMADD231PS  Y15, Y12, Y6
	VFMADD231PS  Y15, Y13, Y7
	VBROADCASTSS 16(DX), Y14
	VFMADD231PS  Y14, Y12, Y8
	VFMADD231PS  Y14, Y13, Y9
	VBROADCASTSS 20(DX), Y15
	VFMADD231PS  Y15, Y12, Y10
	VFMADD231PS  Y15, Y13, Y11
	ADDQ         $32, AX
	ADDQ         $24, DX
	DECQ         CX
	JNZ          hk

	MOVQ DX, R12

	// Turn the floats into keys whose unsigned order is the float order:
	// flip every bit of negatives, only the sign bit of the rest.
	VPCMPEQD     Y15, Y15, Y15
	VPSLLD       $31, Y15, Y15
	VPSRAD       $31, Y0, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y0, Y0
	VPSRAD       $31, Y1, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y1, Y1
	VPSRAD       $31, Y2, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y2, Y2
	VPSRAD       $31, Y3, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y3, Y3
	VPSRAD       $31, Y4, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y4, Y4
	VPSRAD       $31, Y5, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y5, Y5
	VPSRAD       $31, Y6, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y6, Y6
	VPSRAD       $31, Y7, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y7, Y7
	VPSRAD       $31, Y8, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y8, Y8
	VPSRAD       $31, Y9, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y9, Y9
	VPSRAD       $31, Y10, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y10, Y10
	VPSRAD       $31, Y11, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y11, Y11
	MOVQ R8, AX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	VMOVUPS Y8, (AX)
	VMOVUPS Y9, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	VMOVUPS Y10, (AX)
	VMOVUPS Y11, 32(AX)
	DECQ    R9
	JZ      hnext
	ADDQ    R10, AX
	MOVQ    AX, R8
	JMP     htile

hnext:
	ADDQ $64, DI
	ADDQ $4704, SI
	DECQ R11
	JMP  hpanel

hdone:
	VZEROUPPER
	RET

// func panelsFixed(dst *float32, ldc int, src *uint16, npanel int, dirs *float32, ndirs int)
TEXT ·panelsFixed(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldc+8(FP), R10
	SHLQ $2, R10
	MOVQ src+16(FP), SI
	MOVQ npanel+24(FP), R11
	MOVQ dirs+32(FP), R13

xpanel:
	TESTQ R11, R11
	JZ    xdone
	MOVQ  R13, R12         // dirs of the current tile
	MOVQ  DI, R8           // first output row of the current tile
	MOVQ  ndirs+40(FP), R9 // rows left

xtile:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   SI, AX
	MOVQ   R12, DX
	MOVQ   $147, CX

xk:
	VPMOVSXWD    (AX), Y12
	VPMOVSXWD    16(AX), Y13
	VCVTDQ2PS    Y12, Y12
	VCVTDQ2PS    Y13, Y13
	VBROADCASTSS (DX), Y14
	VFMADD231PS  Y14, Y12, Y0
	VFMADD231PS  Y14, Y13, Y1
	VBROADCASTSS 4(DX), Y15
	VFMADD231PS  Y15, Y12, Y2
	VFMADD231PS  Y15, Y13, Y3
	VBROADCASTSS 8(DX), Y14
	VFMADD231PS  Y14, Y12, Y4
	VFMADD231PS  Y14, Y13, Y5
	VBROADCASTSS 12(DX), Y15
	VFMADD231PS  Y15, Y12, Y6
	VFMADD231PS  Y15, Y13, Y7
	VBROADCASTSS 16(DX), Y14
	VFMADD231PS  Y14, Y12, Y8
	VFMADD231PS  Y14, Y13, Y9
	VBROADCASTSS 20(DX), Y15
	VFMADD231PS  Y15, Y12, Y10
	VFMADD231PS  Y15, Y13, Y11
	ADDQ         $32, AX
	ADDQ         $24, DX
	DECQ         CX
	JNZ          xk

	MOVQ DX, R12

	// Turn the floats into keys whose unsigned order is the float order:
	// flip every bit of negatives, only the sign bit of the rest.
	VPCMPEQD     Y15, Y15, Y15
	VPSLLD       $31, Y15, Y15
	VPSRAD       $31, Y0, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y0, Y0
	VPSRAD       $31, Y1, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y1, Y1
	VPSRAD       $31, Y2, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y2, Y2
	VPSRAD       $31, Y3, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y3, Y3
	VPSRAD       $31, Y4, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y4, Y4
	VPSRAD       $31, Y5, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y5, Y5
	VPSRAD       $31, Y6, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y6, Y6
	VPSRAD       $31, Y7, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y7, Y7
	VPSRAD       $31, Y8, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y8, Y8
	VPSRAD       $31, Y9, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y9, Y9
	VPSRAD       $31, Y10, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y10, Y10
	VPSRAD       $31, Y11, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y11, Y11
	MOVQ R8, AX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	VMOVUPS Y8, (AX)
	VMOVUPS Y9, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	VMOVUPS Y10, (AX)
	VMOVUPS Y11, 32(AX)
	DECQ    R9
	JZ      xnext
	ADDQ    R10, AX
	MOVQ    AX, R8
	JMP     xtile

xnext:
	ADDQ $64, DI
	ADDQ $4704, SI
	DECQ R11
	JMP  xpanel

xdone:
	VZEROUPPER
	RET

// func panelsFloat(dst *float32, ldc int, src *float32, npanel int, dirs *float32, ndirs int)
TEXT ·panelsFloat(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldc+8(FP), R10
	SHLQ $2, R10
	MOVQ src+16(FP), SI
	MOVQ npanel+24(FP), R11
	MOVQ dirs+32(FP), R13

fpanel:
	TESTQ R11, R11
	JZ    fdone
	MOVQ  R13, R12         // dirs of the current tile
	MOVQ  DI, R8           // first output row of the current tile
	MOVQ  ndirs+40(FP), R9 // rows left

ftile:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   SI, AX
	MOVQ   R12, DX
	MOVQ   $147, CX

fk:
	VMOVUPS      (AX), Y12
	VMOVUPS      32(AX), Y13
	VBROADCASTSS (DX), Y14
	VFMADD231PS  Y14, Y12, Y0
	VFMADD231PS  Y14, Y13, Y1
	VBROADCASTSS 4(DX), Y15
	VFMADD231PS  Y15, Y12, Y2
	VFMADD231PS  Y15, Y13, Y3
	VBROADCASTSS 8(DX), Y14
	VFMADD231PS  Y14, Y12, Y4
	VFMADD231PS  Y14, Y13, Y5
	VBROADCASTSS 12(DX), Y15
	VFMADD231PS  Y15, Y12, Y6
	VFMADD231PS  Y15, Y13, Y7
	VBROADCASTSS 16(DX), Y14
	VFMADD231PS  Y14, Y12, Y8
	VFMADD231PS  Y14, Y13, Y9
	VBROADCASTSS 20(DX), Y15
	VFMADD231PS  Y15, Y12, Y10
	VFMADD231PS  Y15, Y13, Y11
	ADDQ         $64, AX
	ADDQ         $24, DX
	DECQ         CX
	JNZ          fk

	MOVQ DX, R12

	// Turn the floats into keys whose unsigned order is the float order:
	// flip every bit of negatives, only the sign bit of the rest.
	VPCMPEQD     Y15, Y15, Y15
	VPSLLD       $31, Y15, Y15
	VPSRAD       $31, Y0, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y0, Y0
	VPSRAD       $31, Y1, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y1, Y1
	VPSRAD       $31, Y2, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y2, Y2
	VPSRAD       $31, Y3, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y3, Y3
	VPSRAD       $31, Y4, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y4, Y4
	VPSRAD       $31, Y5, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y5, Y5
	VPSRAD       $31, Y6, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y6, Y6
	VPSRAD       $31, Y7, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y7, Y7
	VPSRAD       $31, Y8, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y8, Y8
	VPSRAD       $31, Y9, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y9, Y9
	VPSRAD       $31, Y10, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y10, Y10
	VPSRAD       $31, Y11, Y14
	VPOR         Y15, Y14, Y14
	VPXOR        Y14, Y11, Y11
	MOVQ R8, AX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	VMOVUPS Y8, (AX)
	VMOVUPS Y9, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	VMOVUPS Y10, (AX)
	VMOVUPS Y11, 32(AX)
	DECQ    R9
	JZ      fnext
	ADDQ    R10, AX
	MOVQ    AX, R8
	JMP     ftile

fnext:
	ADDQ $64, DI
	ADDQ $9408, SI
	DECQ R11
	JMP  fpanel

fdone:
	VZEROUPPER
	RET

// func vert5u8(dst *uint16, r0, r1, r2, r3, r4 *byte, n int)
//
// dst[x] = r0[x] + 4 r1[x] + 6 r2[x] + 4 r3[x] + r4[x] (at most 4080) for
// x < n, n a multiple of 16.
TEXT ·vert5u8(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ r0+8(FP), R8
	MOVQ r1+16(FP), R9
	MOVQ r2+24(FP), R10
	MOVQ r3+32(FP), R11
	MOVQ r4+40(FP), R12
	MOVQ n+48(FP), CX
	XORQ AX, AX
	SHRQ $4, CX
	JZ   vdone

vloop:
	VPMOVZXBW (R8)(AX*1), Y0
	VPMOVZXBW (R9)(AX*1), Y1
	VPMOVZXBW (R10)(AX*1), Y2
	VPMOVZXBW (R11)(AX*1), Y3
	VPMOVZXBW (R12)(AX*1), Y4
	VPADDW    Y4, Y0, Y0
	VPADDW    Y3, Y1, Y1
	VPSLLW    $2, Y1, Y1
	VPSLLW    $1, Y2, Y5
	VPSLLW    $2, Y2, Y2
	VPADDW    Y1, Y0, Y0
	VPADDW    Y5, Y2, Y2
	VPADDW    Y2, Y0, Y0
	VMOVDQU   Y0, (DI)(AX*2)
	ADDQ      $16, AX
	DECQ      CX
	JNZ       vloop

vdone:
	VZEROUPPER
	RET

// func horiz5u16(dst *float32, src *uint16, blocks int)
//
// For b < blocks, x = 16b + 2i (i < 8): dst[8b + i] = (src[x-2] + 4 src[x-1] +
// 6 src[x] + 4 src[x+1] + src[x+2]) / 256, reading src[-2] to
// src[16 blocks + 1]. The sums of the 16 positions of a block are formed
// modulo 2^16 (exact: they are at most 65280), the even ones kept.
TEXT ·horiz5u16(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	TESTQ CX, CX
	JZ    hdone2
	VPCMPEQD Y7, Y7, Y7
	VPSRLD   $16, Y7, Y7      // 0x0000ffff in each dword
	MOVL     $0x3b800000, AX  // 1/256
	MOVL     AX, X6
	VBROADCASTSS X6, Y6

hloop2:
	VMOVDQU -4(SI), Y0
	VMOVDQU -2(SI), Y1
	VMOVDQU (SI), Y2
	VMOVDQU 2(SI), Y3
	VMOVDQU 4(SI), Y4
	VPADDW  Y4, Y0, Y0
	VPADDW  Y3, Y1, Y1
	VPSLLW  $2, Y1, Y1
	VPSLLW  $1, Y2, Y5
	VPSLLW  $2, Y2, Y2
	VPADDW  Y1, Y0, Y0
	VPADDW  Y5, Y2, Y2
	VPADDW  Y2, Y0, Y0
	VPAND   Y7, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS  Y6, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     hloop2

hdone2:
	VZEROUPPER
	RET
