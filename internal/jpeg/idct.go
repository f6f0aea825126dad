package jpeg

// Integer inverse DCTs of jidctint.c: jpeg_idct_islow (8x8) and the scaled
// jpeg_idct_16x16, jpeg_idct_16x8 (16 wide, 8 tall) and jpeg_idct_8x16 (8
// wide, 16 tall). The 16-point kernels take the 8x8 coefficients as the low
// frequencies of a 16-point transform whose other inputs are zero.
//
// libjpeg's INT32 is a C long (64 bits on the platforms the reference ran
// on) and its workspace is int (32 bits); the Go types follow that so that
// even the overflows of corrupt data give the same bits.

const (
	constBits = 13
	pass1Bits = 2

	// FIX(x) = round(x * 2^13), the constants of jidctint.c.
	fix_0_298631336 = 2446
	fix_0_390180644 = 3196
	fix_0_541196100 = 4433
	fix_0_765366865 = 6270
	fix_0_899976223 = 7373
	fix_1_175875602 = 9633
	fix_1_501321110 = 12299
	fix_1_847759065 = 15137
	fix_1_961570560 = 16069
	fix_2_053119869 = 16819
	fix_2_562915447 = 20995
	fix_3_072711026 = 25172

	fix_0_071888074 = 589
	fix_0_138617169 = 1136
	fix_0_275899379 = 2260
	fix_0_410524528 = 3363
	fix_0_509795579 = 4176
	fix_0_601344887 = 4926
	fix_0_666655658 = 5461
	fix_0_766367282 = 6278
	fix_0_897167586 = 7350
	fix_1_065388962 = 8728
	fix_1_093201867 = 8956
	fix_1_125726048 = 9222
	fix_1_247225013 = 10217
	fix_1_306562965 = 10703
	fix_1_353318001 = 11086
	fix_1_387039845 = 11363
	fix_1_407403738 = 11529
	fix_1_835730603 = 15038
	fix_1_971951411 = 16154
	fix_2_286341144 = 18730
	fix_3_141271809 = 25733
)

// idctLimit is libjpeg's post-IDCT range-limit table (IDCT_range_limit with
// RANGE_MASK 1023): a descaled IDCT output x maps to idctLimit[x&1023], which
// is x+128 clamped to 0..255 for -512 <= x < 512 and wraps outside.
var idctLimit = func() (t [1024]uint8) {
	for i := range t {
		switch {
		case i < 128:
			t[i] = uint8(i + 128)
		case i < 512:
			t[i] = 255
		case i < 896:
			t[i] = 0
		default:
			t[i] = uint8(i - 896)
		}
	}
	return t
}()

// dequant is libjpeg's DEQUANTIZE: an int (32-bit) product.
func dequant(c int16, q uint16) int64 {
	return int64(int32(c) * int32(q))
}

// colPass8 is the column pass of jpeg_idct_islow (also pass 1 of
// jpeg_idct_16x8): 8 coefficient columns to 8 workspace rows.
func colPass8(b *[64]int16, q *[64]uint16, ws *[64]int32) {
	for c := 0; c < 8; c++ {
		if b[8+c] == 0 && b[16+c] == 0 && b[24+c] == 0 && b[32+c] == 0 &&
			b[40+c] == 0 && b[48+c] == 0 && b[56+c] == 0 {
			dc := int32(b[c]) * int32(q[c]) << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		// Even part.
		z2 := dequant(b[16+c], q[16+c])
		z3 := dequant(b[48+c], q[48+c])
		z1 := (z2 + z3) * fix_0_541196100
		tmp2 := z1 + z2*fix_0_765366865
		tmp3 := z1 - z3*fix_1_847759065

		z2 = dequant(b[c], q[c]) << constBits
		z3 = dequant(b[32+c], q[32+c]) << constBits
		z2 += 1 << (constBits - pass1Bits - 1)
		tmp0 := z2 + z3
		tmp1 := z2 - z3

		tmp10 := tmp0 + tmp2
		tmp13 := tmp0 - tmp2
		tmp11 := tmp1 + tmp3
		tmp12 := tmp1 - tmp3

		// Odd part.
		t0 := dequant(b[56+c], q[56+c])
		t1 := dequant(b[40+c], q[40+c])
		t2 := dequant(b[24+c], q[24+c])
		t3 := dequant(b[8+c], q[8+c])
		z2 = t0 + t2
		z3 = t1 + t3
		z1 = (z2 + z3) * fix_1_175875602
		z2 = z2 * -fix_1_961570560
		z3 = z3 * -fix_0_390180644
		z2 += z1
		z3 += z1
		z1 = (t0 + t3) * -fix_0_899976223
		t0 = t0 * fix_0_298631336
		t3 = t3 * fix_1_501321110
		t0 += z1 + z2
		t3 += z1 + z3
		z1 = (t1 + t2) * -fix_2_562915447
		t1 = t1 * fix_2_053119869
		t2 = t2 * fix_3_072711026
		t1 += z1 + z3
		t2 += z1 + z2

		const sh = constBits - pass1Bits
		ws[c] = int32((tmp10 + t3) >> sh)
		ws[56+c] = int32((tmp10 - t3) >> sh)
		ws[8+c] = int32((tmp11 + t2) >> sh)
		ws[48+c] = int32((tmp11 - t2) >> sh)
		ws[16+c] = int32((tmp12 + t1) >> sh)
		ws[40+c] = int32((tmp12 - t1) >> sh)
		ws[24+c] = int32((tmp13 + t0) >> sh)
		ws[32+c] = int32((tmp13 - t0) >> sh)
	}
}

// rowPass8 is the row pass of jpeg_idct_islow (also pass 2 of
// jpeg_idct_8x16): each workspace row of 8 values gives 8 samples.
func rowPass8(ws []int32, rows int, dst []byte, stride int) {
	const sh = constBits + pass1Bits + 3
	for r := 0; r < rows; r++ {
		w := (*[8]int32)(ws[8*r : 8*r+8])
		out := (*[8]byte)(dst[r*stride : r*stride+8])
		if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
			v := idctLimit[((int64(w[0])+(1<<(pass1Bits+2)))>>(pass1Bits+3))&1023]
			*out = [8]byte{v, v, v, v, v, v, v, v}
			continue
		}
		// Even part.
		z2 := int64(w[2])
		z3 := int64(w[6])
		z1 := (z2 + z3) * fix_0_541196100
		tmp2 := z1 + z2*fix_0_765366865
		tmp3 := z1 - z3*fix_1_847759065

		z2 = int64(w[0]) + 1<<(pass1Bits+2)
		z3 = int64(w[4])
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits

		tmp10 := tmp0 + tmp2
		tmp13 := tmp0 - tmp2
		tmp11 := tmp1 + tmp3
		tmp12 := tmp1 - tmp3

		// Odd part.
		t0 := int64(w[7])
		t1 := int64(w[5])
		t2 := int64(w[3])
		t3 := int64(w[1])
		z2 = t0 + t2
		z3 = t1 + t3
		z1 = (z2 + z3) * fix_1_175875602
		z2 = z2 * -fix_1_961570560
		z3 = z3 * -fix_0_390180644
		z2 += z1
		z3 += z1
		z1 = (t0 + t3) * -fix_0_899976223
		t0 = t0 * fix_0_298631336
		t3 = t3 * fix_1_501321110
		t0 += z1 + z2
		t3 += z1 + z3
		z1 = (t1 + t2) * -fix_2_562915447
		t1 = t1 * fix_2_053119869
		t2 = t2 * fix_3_072711026
		t1 += z1 + z3
		t2 += z1 + z2

		out[0] = idctLimit[((tmp10+t3)>>sh)&1023]
		out[7] = idctLimit[((tmp10-t3)>>sh)&1023]
		out[1] = idctLimit[((tmp11+t2)>>sh)&1023]
		out[6] = idctLimit[((tmp11-t2)>>sh)&1023]
		out[2] = idctLimit[((tmp12+t1)>>sh)&1023]
		out[5] = idctLimit[((tmp12-t1)>>sh)&1023]
		out[3] = idctLimit[((tmp13+t0)>>sh)&1023]
		out[4] = idctLimit[((tmp13-t0)>>sh)&1023]
	}
}

// kernel16 is the 16-point 1-D IDCT of jpeg_idct_16x16 on 8 inputs. t0 is
// the already scaled and rounded DC term; x1..x7 are the AC inputs.
func kernel16(t0, x1, x2, x3, x4, x5, x6, x7 int64, o *[16]int64) {
	// Even part.
	tmp1 := x4 * fix_1_306562965
	tmp2 := x4 * fix_0_541196100
	tmp10 := t0 + tmp1
	tmp11 := t0 - tmp1
	tmp12 := t0 + tmp2
	tmp13 := t0 - tmp2

	z3 := x2 - x6
	z4 := z3 * fix_0_275899379
	z3 = z3 * fix_1_387039845
	tmp0 := z3 + x6*fix_2_562915447
	tmp1 = z4 + x2*fix_0_899976223
	tmp2 = z3 - x2*fix_0_601344887
	tmp3 := z4 - x6*fix_0_509795579

	tmp20 := tmp10 + tmp0
	tmp27 := tmp10 - tmp0
	tmp21 := tmp12 + tmp1
	tmp26 := tmp12 - tmp1
	tmp22 := tmp13 + tmp2
	tmp25 := tmp13 - tmp2
	tmp23 := tmp11 + tmp3
	tmp24 := tmp11 - tmp3

	// Odd part.
	z1, z2, z3, z4 := x1, x3, x5, x7
	tmp11 = z1 + z3
	tmp1 = (z1 + z2) * fix_1_353318001
	tmp2 = tmp11 * fix_1_247225013
	tmp3 = (z1 + z4) * fix_1_093201867
	tmp10 = (z1 - z4) * fix_0_897167586
	tmp11 = tmp11 * fix_0_666655658
	tmp12 = (z1 - z2) * fix_0_410524528
	tmp0 = tmp1 + tmp2 + tmp3 - z1*fix_2_286341144
	tmp13 = tmp10 + tmp11 + tmp12 - z1*fix_1_835730603
	z1 = (z2 + z3) * fix_0_138617169
	tmp1 += z1 + z2*fix_0_071888074
	tmp2 += z1 - z3*fix_1_125726048
	z1 = (z3 - z2) * fix_1_407403738
	tmp11 += z1 - z3*fix_0_766367282
	tmp12 += z1 + z2*fix_1_971951411
	z2 += z4
	z1 = z2 * -fix_0_666655658
	tmp1 += z1
	tmp3 += z1 + z4*fix_1_065388962
	z2 = z2 * -fix_1_247225013
	tmp10 += z2 + z4*fix_3_141271809
	tmp12 += z2
	z2 = (z3 + z4) * -fix_1_353318001
	tmp2 += z2
	tmp3 += z2
	z2 = (z4 - z3) * fix_0_410524528
	tmp10 += z2
	tmp11 += z2

	o[0] = tmp20 + tmp0
	o[15] = tmp20 - tmp0
	o[1] = tmp21 + tmp1
	o[14] = tmp21 - tmp1
	o[2] = tmp22 + tmp2
	o[13] = tmp22 - tmp2
	o[3] = tmp23 + tmp3
	o[12] = tmp23 - tmp3
	o[4] = tmp24 + tmp10
	o[11] = tmp24 - tmp10
	o[5] = tmp25 + tmp11
	o[10] = tmp25 - tmp11
	o[6] = tmp26 + tmp12
	o[9] = tmp26 - tmp12
	o[7] = tmp27 + tmp13
	o[8] = tmp27 - tmp13
}

// colPass16 is pass 1 of jpeg_idct_16x16 and jpeg_idct_8x16: 8 coefficient
// columns to 16 workspace rows of 8.
func colPass16(b *[64]int16, q *[64]uint16, ws *[128]int32) {
	var o [16]int64
	for c := 0; c < 8; c++ {
		if b[8+c] == 0 && b[16+c] == 0 && b[24+c] == 0 && b[32+c] == 0 &&
			b[40+c] == 0 && b[48+c] == 0 && b[56+c] == 0 {
			// Only the DC term: the kernel gives t0 on every output, and
			// (x<<13 + 1<<10) >> 11 is x<<2 (jpeg_idct_16x16 has no such
			// shortcut, but the result is the same).
			dc := int32(b[c]) * int32(q[c]) << pass1Bits
			for r := 0; r < 16; r++ {
				ws[8*r+c] = dc
			}
			continue
		}
		t0 := dequant(b[c], q[c])<<constBits + 1<<(constBits-pass1Bits-1)
		kernel16(t0,
			dequant(b[8+c], q[8+c]), dequant(b[16+c], q[16+c]),
			dequant(b[24+c], q[24+c]), dequant(b[32+c], q[32+c]),
			dequant(b[40+c], q[40+c]), dequant(b[48+c], q[48+c]),
			dequant(b[56+c], q[56+c]), &o)
		for r := 0; r < 16; r++ {
			ws[8*r+c] = int32(o[r] >> (constBits - pass1Bits))
		}
	}
}

// rowPass16 is pass 2 of jpeg_idct_16x16 and jpeg_idct_16x8: each workspace
// row of 8 values gives 16 samples.
func rowPass16(ws []int32, rows int, dst []byte, stride int) {
	const sh = constBits + pass1Bits + 3
	var o [16]int64
	for r := 0; r < rows; r++ {
		w := (*[8]int32)(ws[8*r : 8*r+8])
		out := (*[16]byte)(dst[r*stride : r*stride+16])
		if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
			// ((x+16)<<13)>>18 is (x+16)>>5, as in the full computation.
			v := idctLimit[((int64(w[0])+(1<<(pass1Bits+2)))>>(pass1Bits+3))&1023]
			for i := range out {
				out[i] = v
			}
			continue
		}
		t0 := (int64(w[0]) + 1<<(pass1Bits+2)) << constBits
		kernel16(t0, int64(w[1]), int64(w[2]), int64(w[3]), int64(w[4]),
			int64(w[5]), int64(w[6]), int64(w[7]), &o)
		for i := range out {
			out[i] = idctLimit[(o[i]>>sh)&1023]
		}
	}
}

// idct writes the dctW x dctH samples of one block to dst (row stride
// stride), choosing the routine jddctmgr.c would.
func idct(b *[64]int16, q *[64]uint16, dctW, dctH int, dst []byte, stride int) {
	if dcOnly(b) {
		// Every routine reduces to the same constant for a DC-only block:
		// pass 1 gives dq<<2 in column 0 and zeros elsewhere, pass 2 the
		// zero-AC row value.
		dc := int64(int32(b[0]) * int32(q[0]) << pass1Bits)
		v := idctLimit[((dc+(1<<(pass1Bits+2)))>>(pass1Bits+3))&1023]
		for r := 0; r < dctH; r++ {
			row := dst[r*stride : r*stride+dctW]
			for i := range row {
				row[i] = v
			}
		}
		return
	}
	switch {
	case dctW == 8 && dctH == 8:
		var ws [64]int32
		colPass8(b, q, &ws)
		rowPass8(ws[:], 8, dst, stride)
	case dctW == 16 && dctH == 16:
		var ws [128]int32
		colPass16(b, q, &ws)
		rowPass16(ws[:], 16, dst, stride)
	case dctW == 16: // 16 wide, 8 tall
		var ws [64]int32
		colPass8(b, q, &ws)
		rowPass16(ws[:], 8, dst, stride)
	default: // 8 wide, 16 tall
		var ws [128]int32
		colPass16(b, q, &ws)
		rowPass8(ws[:], 16, dst, stride)
	}
}

// dcOnly reports whether all AC coefficients of b are zero.
func dcOnly(b *[64]int16) bool {
	var acc int16
	for _, v := range b[1:] {
		acc |= v
	}
	return acc == 0
}
