package wasmbin

import "testing"

func TestReader(t *testing.T) {
	r := Reader{B: []byte{0xe5, 0x8e, 0x26, 0x7f, 0x80, 0x7f, 3, 'a', 'b', 'c'}}
	if got := r.U32(); got != 624485 {
		t.Errorf("U32 = %d, want 624485", got)
	}
	if got := r.S32(); got != -1 {
		t.Errorf("S32 = %d, want -1", got)
	}
	if got := r.S32(); got != -128 {
		t.Errorf("S32 = %d, want -128", got)
	}
	if got := string(r.Bytes(r.U32())); got != "abc" || r.Err != nil {
		t.Errorf("Bytes = %q, %v", got, r.Err)
	}
	// Past the end, and every read after it, fails with zero values.
	if r.Byte() != 0 || r.Err == nil || r.U32() != 0 || r.Bytes(0) != nil {
		t.Errorf("reads past the end: err %v", r.Err)
	}
	long := Reader{B: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}}
	if long.U32() != 0 || long.Err == nil {
		t.Errorf("a six-byte LEB128: err %v", long.Err)
	}
	huge := Reader{B: []byte{1, 2}}
	if huge.Bytes(1<<31) != nil || huge.Err == nil {
		t.Errorf("a vector longer than the input: err %v", huge.Err)
	}
}
