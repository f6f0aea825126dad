//go:build amd64 && !purego

#include "textflag.h"

// func correlateAVX2(dst *float32, dstStep int, ctr *float64, ctrStep int, stride int, w *float64, r int, blocks int)
//
// Computes blocks blocks of 16 outputs. Block b is centred on the float64
// samples c = ctr + b·ctrStep (bytes) and writes 16 float32 at
// dst + b·dstStep: with s = stride/8 samples, for i < 16,
//
//	acc = c[i]·w[0]; for k = r … 1: acc += (c[i−k·s] + c[i+k·s])·w[k]
//
// the sums of a block held in Y0-Y3, four outputs to a register. Each pair
// sum, product and accumulation is its own instruction, rounded on its own
// as scipy's C loop rounds it (VADDPD, VMULPD, VADDPD; never fused). The
// sums are rounded to float32 by VCVTPD2PS (to nearest even) and stored.
TEXT ·correlateAVX2(SB), NOSPLIT, $0-64
	MOVQ  dst+0(FP), DI
	MOVQ  dstStep+8(FP), BX
	MOVQ  ctr+16(FP), SI
	MOVQ  ctrStep+24(FP), R9
	MOVQ  stride+32(FP), DX
	MOVQ  w+40(FP), R8
	MOVQ  r+48(FP), R10
	MOVQ  blocks+56(FP), CX
	TESTQ CX, CX
	JZ    done

	VBROADCASTSD (R8), Y15        // w[0]
	LEAQ         (R8)(R10*8), AX  // &w[r]
	IMULQ        DX, R10          // r·stride: the offset of the outermost pair

block:
	VMULPD (SI), Y15, Y0
	VMULPD 32(SI), Y15, Y1
	VMULPD 64(SI), Y15, Y2
	VMULPD 96(SI), Y15, Y3
	CMPQ   AX, R8
	JEQ    store                 // r = 0
	MOVQ   SI, R11
	SUBQ   R10, R11              // lo = c − r·stride
	LEAQ   (SI)(R10*1), R12      // hi = c + r·stride
	MOVQ   AX, R13               // &w[k], k = r … 1

pairs:
	VBROADCASTSD (R13), Y14
	VMOVUPD      (R11), Y4
	VMOVUPD      32(R11), Y5
	VMOVUPD      64(R11), Y6
	VMOVUPD      96(R11), Y7
	VADDPD       (R12), Y4, Y4
	VADDPD       32(R12), Y5, Y5
	VADDPD       64(R12), Y6, Y6
	VADDPD       96(R12), Y7, Y7
	VMULPD       Y14, Y4, Y4
	VMULPD       Y14, Y5, Y5
	VMULPD       Y14, Y6, Y6
	VMULPD       Y14, Y7, Y7
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VADDPD       Y6, Y2, Y2
	VADDPD       Y7, Y3, Y3
	ADDQ         DX, R11
	SUBQ         DX, R12
	SUBQ         $8, R13
	CMPQ         R13, R8
	JNE          pairs

store:
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VCVTPD2PSY Y2, X2
	VCVTPD2PSY Y3, X3
	VMOVUPS    X0, (DI)
	VMOVUPS    X1, 16(DI)
	VMOVUPS    X2, 32(DI)
	VMOVUPS    X3, 48(DI)
	ADDQ       R9, SI
	ADDQ       BX, DI
	DECQ       CX
	JNZ        block

	VZEROUPPER

done:
	RET

// PAIRSTEP is one k of correlatePairsAVX2 on 8 columns of the output rows
// A (accumulators Y0, Y1) and B (Y2, Y3): with P = A's low row c − k·S
// and Q = B's high row c + (k+1)·S (both loaded by the step before), it
// loads N = B's low row c − (k−1)·S (R11) and M = A's high row c + k·S
// (R12), then A += (P + M)·w[k] and B += (Q + N)·w[k], each operation
// rounded on its own. N and M are P and Q of the next step.
#define PAIRSTEP(P0, P1, Q0, Q1, N0, N1, M0, M1) \
	VBROADCASTSD (R13), Y12; \
	VMOVUPD      (R11), N0; \
	VMOVUPD      32(R11), N1; \
	VMOVUPD      (R12), M0; \
	VMOVUPD      32(R12), M1; \
	VADDPD       M0, P0, P0; \
	VADDPD       M1, P1, P1; \
	VADDPD       N0, Q0, Q0; \
	VADDPD       N1, Q1, Q1; \
	VMULPD       Y12, P0, P0; \
	VMULPD       Y12, P1, P1; \
	VMULPD       Y12, Q0, Q0; \
	VMULPD       Y12, Q1, Q1; \
	VADDPD       P0, Y0, Y0; \
	VADDPD       P1, Y1, Y1; \
	VADDPD       Q0, Y2, Y2; \
	VADDPD       Q1, Y3, Y3; \
	ADDQ         DX, R11; \
	SUBQ         DX, R12; \
	SUBQ         $8, R13

// func correlatePairsAVX2(dst *float32, dstStep int, ctr *float64, S int, w *float64, r int, pairs int)
//
// correlateAVX2 for a panel of 16 columns whose rows lie S bytes apart,
// two output rows at a time: output row A centred on c = ctr + 2p·S and
// row B on c + S, written at dst + 2p·dstStep and dst + (2p+1)·dstStep
// (bytes), in two halves of 8 columns. At each k, B's low row is A's low
// row of the next k and A's high row is B's high row of the k before, so
// the two rows share their loads. The arithmetic of each output and its
// order are correlateAVX2's.
TEXT ·correlatePairsAVX2(SB), NOSPLIT, $0-56
	MOVQ  dst+0(FP), DI
	MOVQ  dstStep+8(FP), BX
	MOVQ  ctr+16(FP), SI
	MOVQ  S+24(FP), DX
	MOVQ  w+32(FP), R8
	MOVQ  r+40(FP), R9
	MOVQ  pairs+48(FP), CX
	TESTQ CX, CX
	JZ    pdone
	SHLQ  $1, CX                 // halves left

	VBROADCASTSD (R8), Y13       // w[0]
	LEAQ         (R8)(R9*8), AX  // &w[r]
	MOVQ         R9, R10
	IMULQ        DX, R10         // r·S

phalf:
	VMULPD (SI), Y13, Y0
	VMULPD 32(SI), Y13, Y1
	VMULPD (SI)(DX*1), Y13, Y2
	VMULPD 32(SI)(DX*1), Y13, Y3
	TESTQ  R9, R9
	JZ     pstore
	MOVQ   SI, R11
	SUBQ   R10, R11              // c − r·S: A's low row at k = r
	VMOVUPD (R11), Y4
	VMOVUPD 32(R11), Y5
	ADDQ   DX, R11               // c − (r−1)·S: B's low row at k = r
	LEAQ   (SI)(R10*1), R12      // c + r·S: A's high row at k = r
	VMOVUPD (R12)(DX*1), Y6      // c + (r+1)·S: B's high row at k = r
	VMOVUPD 32(R12)(DX*1), Y7
	MOVQ   AX, R13               // &w[k]
	TESTQ  $1, R9
	JZ     ploop
	PAIRSTEP(Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	VMOVAPD Y8, Y4
	VMOVAPD Y9, Y5
	VMOVAPD Y10, Y6
	VMOVAPD Y11, Y7
	CMPQ   R13, R8
	JEQ    pstore

ploop:
	PAIRSTEP(Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	PAIRSTEP(Y8, Y9, Y10, Y11, Y4, Y5, Y6, Y7)
	CMPQ R13, R8
	JNE  ploop

pstore:
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VCVTPD2PSY Y2, X2
	VCVTPD2PSY Y3, X3
	VMOVUPS    X0, (DI)
	VMOVUPS    X1, 16(DI)
	VMOVUPS    X2, (DI)(BX*1)
	VMOVUPS    X3, 16(DI)(BX*1)
	TESTQ      $1, CX
	JNZ        pnext
	ADDQ       $64, SI           // to the second half
	ADDQ       $32, DI
	DECQ       CX
	JMP        phalf

pnext:
	SUBQ $64, SI                 // to the next pair of rows
	SUBQ $32, DI
	LEAQ (SI)(DX*2), SI
	LEAQ (DI)(BX*2), DI
	DECQ CX
	JNZ  phalf

	VZEROUPPER

pdone:
	RET

// PAIRSTEP512 is PAIRSTEP on the whole 16-column panel: rows A (Z0, Z1)
// and B (Z2, Z3), eight float64 to a register.
#define PAIRSTEP512(P0, P1, Q0, Q1, N0, N1, M0, M1) \
	VBROADCASTSD (R13), Z12; \
	VMOVUPD      (R11), N0; \
	VMOVUPD      64(R11), N1; \
	VMOVUPD      (R12), M0; \
	VMOVUPD      64(R12), M1; \
	VADDPD       M0, P0, P0; \
	VADDPD       M1, P1, P1; \
	VADDPD       N0, Q0, Q0; \
	VADDPD       N1, Q1, Q1; \
	VMULPD       Z12, P0, P0; \
	VMULPD       Z12, P1, P1; \
	VMULPD       Z12, Q0, Q0; \
	VMULPD       Z12, Q1, Q1; \
	VADDPD       P0, Z0, Z0; \
	VADDPD       P1, Z1, Z1; \
	VADDPD       Q0, Z2, Z2; \
	VADDPD       Q1, Z3, Z3; \
	ADDQ         DX, R11; \
	SUBQ         DX, R12; \
	SUBQ         $8, R13

// func correlatePairs512(dst *float32, dstStep int, ctr *float64, S int, w *float64, r int, pairs int)
//
// correlatePairsAVX2 with AVX-512: the same loads, shared between the two
// rows, and the same per-output arithmetic, eight outputs to a register.
TEXT ·correlatePairs512(SB), NOSPLIT, $0-56
	MOVQ  dst+0(FP), DI
	MOVQ  dstStep+8(FP), BX
	MOVQ  ctr+16(FP), SI
	MOVQ  S+24(FP), DX
	MOVQ  w+32(FP), R8
	MOVQ  r+40(FP), R9
	MOVQ  pairs+48(FP), CX
	TESTQ CX, CX
	JZ    zdone

	VBROADCASTSD (R8), Z13       // w[0]
	LEAQ         (R8)(R9*8), AX  // &w[r]
	MOVQ         R9, R10
	IMULQ        DX, R10         // r·S

zpair:
	VMULPD (SI), Z13, Z0
	VMULPD 64(SI), Z13, Z1
	VMULPD (SI)(DX*1), Z13, Z2
	VMULPD 64(SI)(DX*1), Z13, Z3
	TESTQ  R9, R9
	JZ     zstore
	MOVQ   SI, R11
	SUBQ   R10, R11              // c − r·S: A's low row at k = r
	VMOVUPD (R11), Z4
	VMOVUPD 64(R11), Z5
	ADDQ   DX, R11               // c − (r−1)·S: B's low row at k = r
	LEAQ   (SI)(R10*1), R12      // c + r·S: A's high row at k = r
	VMOVUPD (R12)(DX*1), Z6      // c + (r+1)·S: B's high row at k = r
	VMOVUPD 64(R12)(DX*1), Z7
	MOVQ   AX, R13               // &w[k]
	TESTQ  $1, R9
	JZ     zloop
	PAIRSTEP512(Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	VMOVAPD Z8, Z4
	VMOVAPD Z9, Z5
	VMOVAPD Z10, Z6
	VMOVAPD Z11, Z7
	CMPQ   R13, R8
	JEQ    zstore

zloop:
	PAIRSTEP512(Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	PAIRSTEP512(Z8, Z9, Z10, Z11, Z4, Z5, Z6, Z7)
	CMPQ R13, R8
	JNE  zloop

zstore:
	VCVTPD2PS Z0, Y0
	VCVTPD2PS Z1, Y1
	VCVTPD2PS Z2, Y2
	VCVTPD2PS Z3, Y3
	VMOVUPS   Y0, (DI)
	VMOVUPS   Y1, 32(DI)
	VMOVUPS   Y2, (DI)(BX*1)
	VMOVUPS   Y3, 32(DI)(BX*1)
	LEAQ      (SI)(DX*2), SI
	LEAQ      (DI)(BX*2), DI
	DECQ      CX
	JNZ       zpair

	VZEROUPPER

zdone:
	RET
