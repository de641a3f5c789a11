//go:build !wasm

package guest

import "unsafe"

// newAddr returns a stand-in for linear memory addresses when the package is tested
// natively: distinct, non-zero and stable for a block's lifetime, as the Wasm ones are.
func newAddr() func([]byte) uint32 {
	next := uint32(8)
	seen := map[unsafe.Pointer]uint32{}
	return func(b []byte) uint32 {
		p := unsafe.Pointer(unsafe.SliceData(b))
		if a, ok := seen[p]; ok {
			return a
		}
		a := next
		next += uint32(len(b)+15) &^ 7
		seen[p] = a
		return a
	}
}
