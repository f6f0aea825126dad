package jpeg

import "fmt"

// processSOS reads a scan header and decodes the scan's entropy-coded data.
// It returns the marker that ended the data (-1 for the end of the file), or
// 0 if the data ended without the bit reader having seen a marker, in which
// case d.pos is where the search for the next marker continues.
func (d *decoder) processSOS() (int, error) {
	p, err := d.segment("SOS")
	if err != nil {
		return 0, err
	}
	if len(p) < 1 {
		return 0, FormatError("SOS segment too short")
	}
	n := int(p[0])
	if len(p) != 2*n+4 || n < 1 || n > 4 {
		return 0, FormatError(fmt.Sprintf("SOS segment length %d does not match %d components", len(p)+2, n))
	}
	d.scanComps = d.scanComps[:0]
	for i := 0; i < n; i++ {
		id := p[1+2*i]
		var c *component
		for j := range d.comps {
			if d.comps[j].id == id {
				c = &d.comps[j]
				break
			}
		}
		if c == nil {
			return 0, FormatError(fmt.Sprintf("SOS names component id %d, which is not in the frame", id))
		}
		for _, o := range d.scanComps {
			if o == c {
				return 0, FormatError(fmt.Sprintf("SOS names component id %d twice", id))
			}
		}
		c.dcSel = int(p[2+2*i] >> 4)
		c.acSel = int(p[2+2*i] & 15)
		d.scanComps = append(d.scanComps, c)
	}
	q := p[1+2*n:]
	d.ss, d.se, d.ah, d.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)

	if d.scans == 0 {
		if err := d.startImage(); err != nil {
			return 0, err
		}
	}
	d.scans++

	if len(d.scanComps) > 1 {
		blocks := 0
		for _, c := range d.scanComps {
			blocks += c.h * c.v
		}
		if blocks > 10 {
			return 0, FormatError(fmt.Sprintf("MCU of %d blocks (at most 10 allowed)", blocks))
		}
	}
	// latch_quant_tables: a component keeps the table it had at its first
	// scan.
	for _, c := range d.scanComps {
		if c.qt != nil {
			continue
		}
		if c.tq >= 4 || !d.qts[c.tq].defined {
			return 0, FormatError(fmt.Sprintf("quantization table %d is not defined", c.tq))
		}
		qt := d.qts[c.tq].vals
		c.qt = &qt
	}
	if err := d.startEntropy(); err != nil {
		return 0, err
	}
	br := &bitReader{data: d.data, pos: d.pos}
	if d.progressive {
		err = d.decodeProgressiveScan(br)
	} else {
		err = d.decodeSequentialScan(br)
	}
	if err != nil {
		return 0, err
	}
	d.pos = br.pos
	return br.marker, nil
}

// startImage runs when the first scan starts: it decides between the
// single-pass and the coefficient-buffer mode and allocates the buffers.
func (d *decoder) startImage() error {
	if !d.baseline && !d.progressive && d.se != 63 {
		return UnsupportedError(fmt.Sprintf("SmartScale block size (sequential scan with Se=%d)", d.se))
	}
	d.multiScan = d.progressive || len(d.scanComps) < len(d.comps)
	switch {
	case len(d.comps) == 1:
		d.outChannels = 1
	default:
		d.outChannels = 3
		// jdapimin.c default_decompress_parms.
		switch {
		case d.sawJFIF:
			d.ycc = true
		case d.sawAdobe:
			d.ycc = d.adobeTransform != 0
		default:
			d.ycc = !(d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B')
		}
	}
	d.outStride = d.width * d.outChannels
	if d.rgba && d.outChannels == 3 {
		d.outStride = d.width * 4
	}
	d.pix = make([]byte, d.outStride*d.height)
	d.strips = make([][]byte, len(d.comps))
	d.stripStride = make([]int, len(d.comps))
	for i := range d.comps {
		c := &d.comps[i]
		d.stripStride[i] = c.bwAlloc * c.dctW
		rows := c.v * c.dctH
		if d.turbo {
			// Turbo's vertical filters need the neighbouring rows, so
			// keep whole planes.
			rows = c.bhAlloc * c.dctH
		}
		d.strips[i] = make([]byte, d.stripStride[i]*rows)
		if d.multiScan {
			c.coefs = make([]int16, c.bwAlloc*c.bhAlloc*64)
		}
	}
	return nil
}

// startEntropy validates the scan parameters and derives the Huffman tables
// the scan uses (jdhuff.c start_pass_huff_decoder).
func (d *decoder) startEntropy() error {
	for i := range d.dcTables {
		d.dcTables[i], d.acTables[i] = nil, nil
	}
	needDC, needAC := true, true
	if d.progressive {
		bad := false
		if d.ss == 0 {
			bad = d.se != 0
		} else {
			bad = d.se < d.ss || d.se > 63 || len(d.scanComps) != 1
		}
		if d.ah != 0 && d.ah-1 != d.al {
			bad = true
		}
		if d.al > 13 {
			bad = true
		}
		if bad {
			return FormatError(fmt.Sprintf("invalid progressive scan parameters Ss=%d Se=%d Ah=%d Al=%d", d.ss, d.se, d.ah, d.al))
		}
		// Inconsistent progressions are only warnings in libjpeg; record
		// the coefficient precisions for block smoothing.
		for _, c := range d.scanComps {
			for k := d.ss; k <= d.se; k++ {
				c.coefBits[k] = d.al
			}
		}
		needDC = d.ss == 0 && d.ah == 0
		needAC = d.ss != 0
	}
	for _, c := range d.scanComps {
		if needDC {
			if err := d.table(0, c.dcSel, &d.dcTables); err != nil {
				return err
			}
		}
		if needAC {
			if err := d.table(1, c.acSel, &d.acTables); err != nil {
				return err
			}
		}
		c.pred = 0
	}
	return nil
}

func (d *decoder) table(class, sel int, dst *[4]*huffTable) error {
	if sel >= 4 || !d.hufs[class][sel].defined {
		kind := "DC"
		if class == 1 {
			kind = "AC"
		}
		return FormatError(fmt.Sprintf("%s Huffman table %d is not defined", kind, sel))
	}
	if dst[sel] != nil {
		return nil
	}
	t, err := deriveTable(&d.hufs[class][sel], class == 0)
	if err != nil {
		return err
	}
	dst[sel] = t
	return nil
}

// restart handles the restart marker expected before the next MCU
// (jdhuff.c process_restart, jdmarker.c read_restart_marker).
func (d *decoder) restart(br *bitReader, next *int, eobrun *int) error {
	br.acc, br.n = 0, 0
	m := br.marker
	if m == 0 {
		m, br.pos = nextMarker(br.data, br.pos)
	}
	if m < 0 {
		return ErrTruncated
	}
	if m != mRST0+*next {
		return FormatError(fmt.Sprintf("found marker 0xFF%02X where restart marker RST%d was expected", m, *next))
	}
	br.marker = 0
	*next = (*next + 1) & 7
	for _, c := range d.scanComps {
		c.pred = 0
	}
	*eobrun = 0
	return nil
}

// scanGeometry returns the MCU grid of the current scan: a single-component
// scan is not interleaved and has one block per MCU.
func (d *decoder) scanGeometry() (mx, my int) {
	if len(d.scanComps) == 1 {
		c := d.scanComps[0]
		return c.bw, c.bh
	}
	return d.mcusX, d.mcusY
}

// decodeSequentialScan decodes a baseline or extended-sequential scan. In
// single-pass mode every iMCU row is converted to pixels as soon as it is
// decoded; otherwise the coefficients are stored.
func (d *decoder) decodeSequentialScan(br *bitReader) error {
	mx, my := d.scanGeometry()
	single := len(d.scanComps) == 1
	nextRST, eobrun, mcu := 0, 0, 0
	blk := &d.blk
	for y := 0; y < my; y++ {
		for x := 0; x < mx; x++ {
			if d.ri > 0 && mcu > 0 && mcu%d.ri == 0 {
				if err := d.restart(br, &nextRST, &eobrun); err != nil {
					return err
				}
			}
			mcu++
			for _, c := range d.scanComps {
				dc, ac := d.dcTables[c.dcSel], d.acTables[c.acSel]
				bh, bv := c.h, c.v
				if single {
					bh, bv = 1, 1
				}
				for v := 0; v < bv; v++ {
					for h := 0; h < bh; h++ {
						bx, by := x*bh+h, y*bv+v
						var b *[64]int16
						if d.multiScan {
							off := (by*c.bwAlloc + bx) * 64
							b = (*[64]int16)(c.coefs[off : off+64])
						} else {
							*blk = [64]int16{}
							b = blk
						}
						if err := decodeBlock(br, b, dc, ac, &c.pred); err != nil {
							return err
						}
						if !d.multiScan && bx < c.bw && by < c.bh {
							d.idctBlock(c, b, bx, by)
						}
					}
				}
			}
		}
		if !d.multiScan && !d.turbo {
			c := d.scanComps[0]
			switch {
			case !single:
				d.emitRow(y)
			case (y+1)%c.v == 0:
				d.emitRow(y / c.v)
			case y == my-1:
				d.emitRow(y / c.v)
			}
		}
	}
	return nil
}

// decodeBlock decodes one sequential block (jdhuff.c decode_mcu). The block
// must be zero on entry.
func decodeBlock(br *bitReader, b *[64]int16, dc, ac *huffTable, pred *int32) error {
	s, err := br.decode(dc)
	if err != nil {
		return err
	}
	if s != 0 {
		v, err := br.receiveExtend(uint(s))
		if err != nil {
			return err
		}
		*pred += v
	}
	b[0] = int16(*pred)
	for k := 1; k < 64; k++ {
		var rs int
		if br.n < 32 {
			br.fill()
		}
		if br.n < 32 {
			// Near the end of the data: check every read.
			if rs, err = br.decode(ac); err != nil {
				return err
			}
			r, s := rs>>4, rs&15
			if s == 0 {
				if r != 15 {
					break
				}
				k += 15
				continue
			}
			k += r
			v, err := br.receiveExtend(uint(s))
			if err != nil {
				return err
			}
			b[naturalOrder[k]] = int16(v)
			continue
		}
		// At least 32 bits are buffered: enough for a code (<= 16 bits)
		// and its extra bits (<= 15).
		if e := ac.lut[(br.acc>>(br.n-lutBits))&(lutSize-1)]; e != 0 {
			br.n -= uint(e >> 8)
			rs = int(e & 0xFF)
		} else if rs, err = br.decodeSlow(ac); err != nil {
			return err
		}
		r, s := rs>>4, uint(rs&15)
		if s == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		br.n -= s
		v := int32(br.acc>>br.n) & (1<<s - 1)
		if v < 1<<(s-1) {
			v += -1<<s + 1
		}
		b[naturalOrder[k]] = int16(v)
	}
	return nil
}

// decodeProgressiveScan decodes one progressive scan into the coefficient
// buffers (jdhuff.c decode_mcu_DC_first, _AC_first, _DC_refine,
// _AC_refine).
func (d *decoder) decodeProgressiveScan(br *bitReader) error {
	mx, my := d.scanGeometry()
	single := len(d.scanComps) == 1
	nextRST, eobrun, mcu := 0, 0, 0
	for y := 0; y < my; y++ {
		for x := 0; x < mx; x++ {
			if d.ri > 0 && mcu > 0 && mcu%d.ri == 0 {
				if err := d.restart(br, &nextRST, &eobrun); err != nil {
					return err
				}
			}
			mcu++
			for _, c := range d.scanComps {
				bh, bv := c.h, c.v
				if single {
					bh, bv = 1, 1
				}
				for v := 0; v < bv; v++ {
					for h := 0; h < bh; h++ {
						bx, by := x*bh+h, y*bv+v
						off := (by*c.bwAlloc + bx) * 64
						b := (*[64]int16)(c.coefs[off : off+64])
						var err error
						switch {
						case d.ss == 0 && d.ah == 0:
							err = d.decodeDCFirst(br, b, c)
						case d.ss == 0:
							err = d.decodeDCRefine(br, b)
						case d.ah == 0:
							err = d.decodeACFirst(br, b, d.acTables[c.acSel], &eobrun)
						default:
							err = d.decodeACRefine(br, b, d.acTables[c.acSel], &eobrun)
						}
						if err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

func (d *decoder) decodeDCFirst(br *bitReader, b *[64]int16, c *component) error {
	s, err := br.decode(d.dcTables[c.dcSel])
	if err != nil {
		return err
	}
	if s != 0 {
		v, err := br.receiveExtend(uint(s))
		if err != nil {
			return err
		}
		c.pred += v
	}
	b[0] = int16(c.pred << uint(d.al))
	return nil
}

func (d *decoder) decodeDCRefine(br *bitReader, b *[64]int16) error {
	bit, err := br.bit()
	if err != nil {
		return err
	}
	if bit {
		b[0] |= int16(1 << uint(d.al))
	}
	return nil
}

func (d *decoder) decodeACFirst(br *bitReader, b *[64]int16, t *huffTable, eobrun *int) error {
	if *eobrun > 0 {
		*eobrun--
		return nil
	}
	for k := d.ss; k <= d.se; k++ {
		rs, err := br.decode(t)
		if err != nil {
			return err
		}
		r, s := rs>>4, rs&15
		if s != 0 {
			k += r
			v, err := br.receiveExtend(uint(s))
			if err != nil {
				return err
			}
			b[naturalOrder[k]] = int16(v << uint(d.al))
		} else {
			if r != 15 {
				if r != 0 {
					run, err := br.bits(uint(r))
					if err != nil {
						return err
					}
					*eobrun = 1<<r + int(run) - 1
				}
				break
			}
			k += 15
		}
	}
	return nil
}

func (d *decoder) decodeACRefine(br *bitReader, b *[64]int16, t *huffTable, eobrun *int) error {
	p1 := int16(1 << uint(d.al))
	m1 := -p1
	k := d.ss
	se := d.se
	if *eobrun == 0 {
		for ; k <= se; k++ {
			rs, err := br.decode(t)
			if err != nil {
				return err
			}
			r, s := rs>>4, rs&15
			var nz int16
			if s != 0 {
				// s should be 1; libjpeg warns and goes on otherwise.
				bit, err := br.bit()
				if err != nil {
					return err
				}
				if bit {
					nz = p1
				} else {
					nz = m1
				}
			} else if r != 15 {
				*eobrun = 1 << r
				if r != 0 {
					run, err := br.bits(uint(r))
					if err != nil {
						return err
					}
					*eobrun += int(run)
				}
				break
			}
			// Skip r zero coefficients, refining the nonzero ones passed.
			for k <= se {
				pos := naturalOrder[k]
				if b[pos] != 0 {
					bit, err := br.bit()
					if err != nil {
						return err
					}
					if bit && b[pos]&p1 == 0 {
						if b[pos] >= 0 {
							b[pos] += p1
						} else {
							b[pos] += m1
						}
					}
				} else {
					r--
					if r < 0 {
						break
					}
				}
				k++
			}
			if nz != 0 {
				b[naturalOrder[k]] = nz
			}
		}
	}
	if *eobrun > 0 {
		// Refine the nonzero coefficients of the rest of the band.
		for ; k <= se; k++ {
			pos := naturalOrder[k]
			if b[pos] != 0 {
				bit, err := br.bit()
				if err != nil {
					return err
				}
				if bit && b[pos]&p1 == 0 {
					if b[pos] >= 0 {
						b[pos] += p1
					} else {
						b[pos] += m1
					}
				}
			}
		}
		*eobrun--
	}
	return nil
}
