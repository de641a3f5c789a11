package runtime

import "strconv"

// The default limits of what permc reads, one per kind of input, the same on every
// backend and in permc vet (docs/spec.md, "Limits"). Each is checked before the input
// is parsed, so that the memory a check may take is bounded by the limit, not by what
// a client sends.
const (
	// DefaultMaxRequestBytes bounds one request, alone or in a batch.
	DefaultMaxRequestBytes = 1 << 20
	// DefaultMaxRolesBytes bounds one custom roles document.
	DefaultMaxRolesBytes = 1 << 20
	// DefaultMaxBatchRequests bounds the requests of one batch.
	DefaultMaxBatchRequests = 4096
)

// Limit returns limit, or def when limit is zero or less: how a limit left unset in
// an options struct reads.
func Limit(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return limit
}

// CheckRequestLength reports a request of n bytes that is longer than limit
// (DefaultMaxRequestBytes when limit is zero or less), with the message every backend
// gives: "the request is longer than 1048576 bytes".
func CheckRequestLength(n, limit int) error {
	return checkLength(n, Limit(limit, DefaultMaxRequestBytes), "the request is")
}

// CheckRolesLength reports a custom roles document of n bytes that is longer than
// limit (DefaultMaxRolesBytes when limit is zero or less).
func CheckRolesLength(n, limit int) error {
	return checkLength(n, Limit(limit, DefaultMaxRolesBytes), "the custom roles are")
}

// checkLength is kept out of line: a Wasm module pays for every inlined copy.
//
//go:noinline
func checkLength(n, limit int, what string) error {
	if n <= limit {
		return nil
	}
	return &RequestError{Msg: what + " longer than " + strconv.Itoa(limit) + " bytes"}
}
