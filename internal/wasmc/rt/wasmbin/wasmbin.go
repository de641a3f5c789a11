// Package wasmbin reads the binary encoding of WebAssembly modules: LEB128 numbers
// and length-prefixed vectors, as the runtime's linker and its size report need.
package wasmbin

import "errors"

// Reader reads B from Off. The first error sticks in Err: every later read returns
// zero values, so a caller checks Err once after a sequence of reads.
type Reader struct {
	B   []byte
	Off int
	Err error
}

var (
	errEnd  = errors.New("unexpected end")
	errLong = errors.New("LEB128 too long")
)

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.Err != nil || r.Off >= len(r.B) {
		r.Err = errEnd
		return 0
	}
	r.Off++
	return r.B[r.Off-1]
}

// U32 reads an unsigned LEB128 number of at most 32 bits.
func (r *Reader) U32() uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c := r.Byte()
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.Err = errLong
	return 0
}

// S32 reads a signed LEB128 number of at most 32 bits.
func (r *Reader) S32() int32 {
	var v int64
	shift := 0
	for {
		c := r.Byte()
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return int32(v)
		}
		if shift >= 35 {
			r.Err = errLong
			return 0
		}
	}
}

// Bytes reads the next n bytes (a view of B, not a copy).
func (r *Reader) Bytes(n uint32) []byte {
	if r.Err != nil || uint64(r.Off)+uint64(n) > uint64(len(r.B)) {
		r.Err = errEnd
		return nil
	}
	r.Off += int(n)
	return r.B[r.Off-int(n) : r.Off]
}
