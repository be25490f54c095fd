package iab

// bitReader reads big-endian bit fields from decoded bytes, as both IAB
// formats lay them out.
type bitReader struct {
	b   []byte
	pos int // in bits
}

// left is the number of unread bits.
func (r *bitReader) left() int { return len(r.b)*8 - r.pos }

// read returns the next n (at most 32) bits as an integer; ok is false when
// fewer than n bits are left.
func (r *bitReader) read(n int) (v int, ok bool) {
	if n > r.left() {
		return 0, false
	}
	for i := 0; i < n; i++ {
		bit := r.b[r.pos/8] >> (7 - r.pos%8) & 1
		v = v<<1 | int(bit)
		r.pos++
	}
	return v, true
}

// fieldAt reads n bits at bit offset pos of b, or -1 when b is too short.
func fieldAt(b []byte, pos, n int) int {
	r := bitReader{b: b, pos: pos}
	v, ok := r.read(n)
	if !ok {
		return -1
	}
	return v
}
