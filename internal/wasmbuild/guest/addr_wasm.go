//go:build wasm

package guest

import "unsafe"

// newAddr returns the function giving a block's address in linear memory. Go's
// collector does not move objects, and every block handed out stays referenced by
// Guest.blocks or Guest.out while the host may use its address.
func newAddr() func([]byte) uint32 {
	return func(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }
}
