package wasm

// The ABI of docs/wasm-abi.md, as a host sees it.

// ABIVersion is the version of the module ABI this package speaks.
const ABIVersion = 1

// MaxRequest is the longest request a module decides by default; a longer one is
// answered with {"error": ...}. Options.MaxRequestBytes changes it.
const MaxRequest = 1 << 20

// status is the kind of a result, packed into bits 28 to 31 of an export's i64. Every
// result but an OK one is {"error": "..."}.
type status uint32

const (
	// statusOK: the answer (a decision, a plan, the batch's answers, the metadata)
	// or, for permc_load_roles and permc_configure, empty.
	statusOK status = 0
	// statusRejected: the input was read and refused: a malformed request, invalid
	// custom roles, a malformed batch, an input over its limit.
	statusRejected status = 1
	// statusBadCall: the arguments do not describe memory the module handed out.
	statusBadCall status = 2
	// statusInternal: a bug in the module was caught at the export boundary, or it ran
	// out of memory; the call failed closed.
	statusInternal status = 3
)

// The module's limits on blocks (permc_alloc).
const (
	// maxBlock is the largest block permc_alloc hands out, and so the largest input.
	maxBlock = 4 << 20
	// maxLive bounds the bytes of all blocks alive at once.
	maxLive = 16 << 20
)

// unpack splits an export's packed result: the address of the result, its status
// and its length.
func unpack(r uint64) (ptr uint32, st status, n int) {
	return uint32(r >> 32), status(r>>28) & 0xF, int(r & 0x0FFFFFFF)
}
