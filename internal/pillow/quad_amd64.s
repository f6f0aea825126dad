//go:build amd64 && !purego

#include "textflag.h"

// PIXEL warps output pixel i of the group from the top-left tap at src +
// off (off in register o) with the fractions dx = lane i of Y6 and dy =
// lane i of Y7 (sel broadcasts lane i). The taps P, Q (the next column),
// R (the next row) and S are loaded as four bytes each (the three samples
// and one more, ignored) and converted to float64, one channel to a lane;
// then, as Geometry.c's BILINEAR on each channel,
//
//	T = P + (Q − P)·dx, B = R + (S − R)·dx, O = T + (B − T)·dy
//
// each subtraction, product and sum its own instruction (never fused),
// and O is truncated to an integer and stored as three bytes.
#define PIXEL(i, o, sel) \
	VPMOVZXBD    (SI)(o*1), X0; \
	VPMOVZXBD    3(SI)(o*1), X1; \
	ADDQ         DX, o; \
	VPMOVZXBD    (SI)(o*1), X2; \
	VPMOVZXBD    3(SI)(o*1), X3; \
	VCVTDQ2PD    X0, Y0; \
	VCVTDQ2PD    X1, Y1; \
	VCVTDQ2PD    X2, Y2; \
	VCVTDQ2PD    X3, Y3; \
	VPERMPD      $sel, Y6, Y4; \
	VPERMPD      $sel, Y7, Y5; \
	VSUBPD       Y0, Y1, Y1; \
	VSUBPD       Y2, Y3, Y3; \
	VMULPD       Y4, Y1, Y1; \
	VMULPD       Y4, Y3, Y3; \
	VADDPD       Y1, Y0, Y0; \
	VADDPD       Y3, Y2, Y2; \
	VSUBPD       Y0, Y2, Y2; \
	VMULPD       Y5, Y2, Y2; \
	VADDPD       Y2, Y0, Y0; \
	VCVTTPD2DQY  Y0, X0; \
	VPACKSSDW    X0, X0, X0; \
	VPACKUSWB    X0, X0, X0; \
	VMOVD        X0, o; \
	MOVW         o, (3*i)(DI); \
	SHRL         $16, o; \
	MOVB         o, (3*i+2)(DI)

// func warpRGBAVX2(out *uint8, src *uint8, rowLen int, bx, cx, by, cy *float64, k *warpConsts, n int) int
TEXT ·warpRGBAVX2(SB), NOSPLIT, $0-80
	MOVQ out+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rowLen+16(FP), DX
	MOVQ bx+24(FP), R8
	MOVQ cx+32(FP), R9
	MOVQ by+40(FP), R10
	MOVQ cy+48(FP), R11
	MOVQ k+56(FP), R12
	MOVQ n+64(FP), CX

	VBROADCASTSD 0(R12), Y15  // dxy
	VBROADCASTSD 8(R12), Y14  // dyy
	VBROADCASTSD 16(R12), Y13 // fy
	VBROADCASTSD 24(R12), Y11 // W − 1
	VBROADCASTSD 32(R12), Y10 // H − 2
	VBROADCASTSD 40(R12), Y12 // 0.5
	VXORPD       Y9, Y9, Y9   // 0
	MOVQ         DX, X8
	VPBROADCASTD X8, X8       // rowLen as four int32
	XORQ         AX, AX       // pixels done

loop:
	CMPQ AX, CX
	JAE  done

	// xin = (bx + a2·y) + cx·y, yin = (by + a6·y) + cy·y, then −0.5.
	VMOVUPD (R8)(AX*8), Y0
	VADDPD  Y15, Y0, Y0
	VMULPD  (R9)(AX*8), Y13, Y1
	VADDPD  Y1, Y0, Y0
	VSUBPD  Y12, Y0, Y0         // u
	VMOVUPD (R10)(AX*8), Y2
	VADDPD  Y14, Y2, Y2
	VMULPD  (R11)(AX*8), Y13, Y3
	VADDPD  Y3, Y2, Y2
	VSUBPD  Y12, Y2, Y2         // v

	// Interior: 0 ≤ u < W−1 and 0 ≤ v < H−2 (false for NaN).
	VCMPPD    $0x1d, Y9, Y0, Y4  // u ≥ 0
	VCMPPD    $0x11, Y11, Y0, Y5 // u < W−1
	VANDPD    Y5, Y4, Y4
	VCMPPD    $0x1d, Y9, Y2, Y5  // v ≥ 0
	VANDPD    Y5, Y4, Y4
	VCMPPD    $0x11, Y10, Y2, Y5 // v < H−2
	VANDPD    Y5, Y4, Y4
	VMOVMSKPD Y4, BX
	CMPQ      BX, $15
	JNE       done

	// Truncation is the floor here (u, v ≥ 0).
	VCVTTPD2DQY Y0, X4
	VCVTTPD2DQY Y2, X5
	VCVTDQ2PD   X4, Y6
	VCVTDQ2PD   X5, Y7
	VSUBPD      Y6, Y0, Y6 // dx
	VSUBPD      Y7, Y2, Y7 // dy
	VPMULLD     X8, X5, X5 // yi·rowLen
	VPADDD      X4, X5, X5
	VPADDD      X4, X5, X5
	VPADDD      X4, X5, X5 // + 3·xi: the offsets of the top-left taps
	VMOVQ       X5, BX     // pixels 0 and 1
	VPEXTRQ     $1, X5, R12 // pixels 2 and 3
	MOVL        BX, R13
	SHRQ        $32, BX

	PIXEL(0, R13, 0x00)
	PIXEL(1, BX, 0x55)
	MOVL        R12, R13
	SHRQ        $32, R12
	PIXEL(2, R13, 0xaa)
	PIXEL(3, R12, 0xff)

	ADDQ $12, DI
	ADDQ $4, AX
	JMP  loop

done:
	VZEROUPPER
	MOVQ AX, ret+72(FP)
	RET
