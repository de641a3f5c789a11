package guest

import "embed"

// Source holds the files permc copies into the module it builds.
//
//go:embed guest.go addr_wasm.go exports_wasip1.go
var Source embed.FS
