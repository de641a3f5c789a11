//go:build wasip1

package guest

// The exports of a permc module, as docs/wasm-abi.md describes them. Each is a thin
// call into the instance's Guest; the Guest recovers panics, so no input makes an
// export trap.

var g *Guest

// Init sets the authorizer and metadata the exports serve. The generated main
// package calls it from an init function, so it runs in _initialize, with an
// authorizer that takes inputs as long as MaxBlock: the guest enforces the limits
// permc_configure sets before the authorizer sees an input.
func Init(a Authorizer, metadata []byte) { g = New(a, metadata) }

//go:wasmexport permc_abi_version
func abiVersion() uint32 { return ABIVersion }

//go:wasmexport permc_alloc
func alloc(size uint32) uint32 { return g.Alloc(size) }

//go:wasmexport permc_free
func free(ptr uint32) { g.Free(ptr) }

//go:wasmexport permc_check
func check(ptr, n uint32) uint64 { return g.Check(ptr, n) }

//go:wasmexport permc_check_batch
func checkBatch(ptr, n uint32) uint64 { return g.CheckBatch(ptr, n) }

//go:wasmexport permc_load_roles
func loadRoles(ptr, n uint32) uint64 { return g.LoadRoles(ptr, n) }

//go:wasmexport permc_configure
func configure(ptr, n uint32) uint64 { return g.Configure(ptr, n) }

//go:wasmexport permc_metadata
func metadata() uint64 { return g.Metadata() }
