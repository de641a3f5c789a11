// Package guest is the module side of permc's Wasm ABI (docs/wasm-abi.md): the logic
// behind the functions every module built by `permc build-wasm` exports.
//
// permc copies this package's source (Source) into the temporary module it builds, next
// to the generated package, and a generated main package hands the generated
// Authorizer to Init. The logic is plain Go so that it is tested natively; only
// exports_wasip1.go is specific to the module.
package guest

import (
	"bytes"
	goruntime "runtime"
	"strconv"

	"github.com/permc/permc/runtime"
)

// ABIVersion is the version of the ABI the exports implement. It changes only when a
// host written for an older version would misread a module.
const ABIVersion = 1

// Status is the kind of a result, packed into bits 28 to 31 of an export's i64.
type Status uint32

// The statuses. Every result but an OK one is {"error": "..."}.
const (
	// OK: the result is the answer (a decision, the batch's answers, the metadata) or,
	// for load_roles, empty.
	OK Status = 0
	// Rejected: the input was read and refused: a malformed request, invalid custom
	// roles, a malformed batch, an input over its limit.
	Rejected Status = 1
	// BadCall: the arguments do not describe memory the module handed out.
	BadCall Status = 2
	// Internal: a bug in the module was caught at the export boundary; the call
	// failed closed and the instance stays usable.
	Internal Status = 3
)

// The limits of the ABI.
const (
	// MaxBlock is the largest block alloc hands out, and so the largest input.
	MaxBlock = 4 << 20
	// MaxLive bounds the bytes of all blocks alive at once.
	MaxLive = 16 << 20
	// MaxBlocks bounds the number of blocks alive at once.
	MaxBlocks = 64
	// MaxRequest bounds one request (alone or in a batch) and one custom roles
	// document. Parsing a document costs up to about 80 times its size in memory, so
	// this keeps the worst input far below an instance's memory.
	MaxRequest = 1 << 20
	// MaxBatch bounds the requests of one batch.
	MaxBatch = 4096
	// MaxResult is the largest result the packing can describe.
	MaxResult = 1<<28 - 1
)

// Authorizer is what the generated package's *Authorizer provides.
type Authorizer interface {
	CheckJSON(dst, req []byte) []byte
	LoadRolesJSON(data []byte) error
}

// Guest is one module instance's state: the authorizer with its custom roles, the
// blocks handed out to the host, and the last result.
type Guest struct {
	authz    Authorizer
	metadata []byte
	blocks   map[uint32][]byte
	live     int
	out      []byte // the last result; valid until the next call
	addr     func([]byte) uint32
}

// New returns the Guest for an authorizer and the spec's metadata JSON.
func New(a Authorizer, metadata []byte) *Guest {
	return &Guest{authz: a, metadata: metadata, blocks: map[uint32][]byte{}, addr: newAddr()}
}

// Pack packs a result: its address in bits 32 to 63, its status in bits 28 to 31 and
// its length in bits 0 to 27.
func Pack(ptr uint32, status Status, n int) uint64 {
	return uint64(ptr)<<32 | uint64(status)<<28 | uint64(n)
}

// Unpack is the inverse of Pack.
func Unpack(r uint64) (ptr uint32, status Status, n int) {
	return uint32(r >> 32), Status(r>>28) & 0xf, int(r & MaxResult)
}

// Result returns the bytes of the last result.
func (g *Guest) Result() []byte { return g.out }

// Alloc hands out a block of size bytes (at least one) and returns its address, or 0
// when size is over MaxBlock or the live blocks are at their limits.
func (g *Guest) Alloc(size uint32) uint32 {
	if size > MaxBlock || g.live+int(size) > MaxLive || len(g.blocks) >= MaxBlocks {
		return 0
	}
	b := make([]byte, max(size, 1))
	p := g.addr(b)
	g.blocks[p] = b
	g.live += len(b)
	return p
}

// Free takes back the block at ptr. Anything else is ignored.
func (g *Guest) Free(ptr uint32) {
	if b, ok := g.blocks[ptr]; ok {
		g.live -= len(b)
		delete(g.blocks, ptr)
	}
}

// input returns the n bytes at ptr, when they lie in a live block that starts at ptr.
func (g *Guest) input(ptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	b, ok := g.blocks[ptr]
	if !ok || int(n) > len(b) || n > MaxBlock {
		return nil, false
	}
	return b[:n], true
}

// collectAfter is the input size from which a call ends with a garbage collection.
// Go's collector makes progress in a module only while an export runs, mostly as the
// program allocates, and a check allocates nothing: the garbage of a large input
// would still be there when the next large input arrives, and the instance's memory,
// which never shrinks, would grow towards its limit.
const collectAfter = 64 << 10

// collect collects garbage after a request of n bytes, when n is large.
func collect(n uint32) {
	if n > collectAfter {
		goruntime.GC()
	}
}

// begin starts a call: the previous result is dropped, and a large buffer is not kept
// for the calls after it.
func (g *Guest) begin() {
	if cap(g.out) > 1<<20 {
		g.out = nil
	}
	g.out = g.out[:0]
}

// finish packs the result in g.out.
func (g *Guest) finish(status Status) uint64 {
	if len(g.out) > MaxResult {
		return g.fail(Rejected, tooLong("the result is", MaxResult))
	}
	if len(g.out) == 0 {
		return Pack(0, status, 0)
	}
	return Pack(g.addr(g.out), status, len(g.out))
}

// fail makes {"error": msg} the result.
func (g *Guest) fail(status Status, msg string) uint64 {
	g.out = runtime.AppendErrorJSON(g.out[:0], msg)
	return Pack(g.addr(g.out), status, len(g.out))
}

// recovered turns a panic into an Internal result; deferred by every export.
func (g *Guest) recovered(r *uint64) {
	if v := recover(); v != nil {
		msg := "permc module: internal error"
		switch v := v.(type) {
		case error:
			msg += ": " + v.Error()
		case string:
			msg += ": " + v
		}
		*r = g.fail(Internal, msg)
	}
}

func badCall(ptr, n uint32) string {
	return "no block of " + strconv.FormatUint(uint64(n), 10) + " bytes was allocated at " + strconv.FormatUint(uint64(ptr), 10)
}

// tooLong says that what (with its verb) is over limit bytes.
func tooLong(what string, limit int) string {
	return what + " longer than " + strconv.Itoa(limit) + " bytes"
}

var errorPrefix = []byte(`{"error":`)

// Check answers the request in the n bytes at ptr: the decision, or a request error
// with status Rejected.
func (g *Guest) Check(ptr, n uint32) (r uint64) {
	defer g.recovered(&r)
	g.begin()
	req, ok := g.input(ptr, n)
	if !ok {
		return g.fail(BadCall, badCall(ptr, n))
	}
	g.out = g.checkOne(g.out, req)
	if bytes.HasPrefix(g.out, errorPrefix) {
		return g.finish(Rejected)
	}
	return g.finish(OK)
}

// checkOne appends the answer to one request.
func (g *Guest) checkOne(dst, req []byte) []byte {
	if len(req) > MaxRequest {
		return runtime.AppendErrorJSON(dst, tooLong("the request is", MaxRequest))
	}
	dst = g.authz.CheckJSON(dst, req)
	collect(uint32(len(req)))
	return dst
}

// CheckBatch answers the requests in the n bytes at ptr: a JSON array of requests,
// answered by a JSON array of answers, or JSON Lines (one request a line, blank lines
// skipped), answered one answer a line, each line ending in "\n". A malformed request
// gets its {"error": ...} in its place; a malformed batch fails whole (Rejected).
func (g *Guest) CheckBatch(ptr, n uint32) (r uint64) {
	defer g.recovered(&r)
	g.begin()
	in, ok := g.input(ptr, n)
	if !ok {
		return g.fail(BadCall, badCall(ptr, n))
	}
	var msg string
	trimmed := bytes.TrimLeft(in, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		msg = g.batchArray(trimmed)
	} else {
		msg = g.batchLines(in)
	}
	if msg != "" {
		return g.fail(Rejected, msg)
	}
	return g.finish(OK)
}

func (g *Guest) batchLines(in []byte) string {
	count := 0
	for len(in) > 0 {
		line := in
		if i := bytes.IndexByte(in, '\n'); i >= 0 {
			line, in = in[:i], in[i+1:]
		} else {
			in = nil
		}
		if len(bytes.Trim(line, " \t\r")) == 0 {
			continue
		}
		if count++; count > MaxBatch {
			return "the batch holds more than " + strconv.Itoa(MaxBatch) + " requests"
		}
		g.out = append(g.checkOne(g.out, line), '\n')
	}
	return ""
}

// batchArray answers a JSON array of requests. Elements are delimited by bracket
// matching outside strings; each is then parsed strictly as a request.
func (g *Guest) batchArray(in []byte) string {
	i := 1 // past '['
	space := func() {
		for i < len(in) && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n') {
			i++
		}
	}
	g.out = append(g.out, '[')
	space()
	if i < len(in) && in[i] == ']' {
		i++
	} else {
		for count := 0; ; count++ {
			if count == MaxBatch {
				return "the batch holds more than " + strconv.Itoa(MaxBatch) + " requests"
			}
			space()
			start := i
			end, ok := scanValue(in, i)
			if !ok || end == start {
				return "invalid batch: want a request at offset " + strconv.Itoa(start)
			}
			if count > 0 {
				g.out = append(g.out, ',')
			}
			g.out = g.checkOne(g.out, bytes.TrimRight(in[start:end], " \t\r\n"))
			i = end
			if in[i] == ']' {
				i++
				break
			}
			i++ // ','
		}
	}
	space()
	if i != len(in) {
		return "invalid batch: unexpected data after the array at offset " + strconv.Itoa(i)
	}
	g.out = append(g.out, ']')
	return ""
}

// scanValue returns the offset of the ',' or ']' that ends the array element starting
// at i, outside strings and brackets; ok is false at the end of the input.
func scanValue(in []byte, i int) (end int, ok bool) {
	depth := 0
	for ; i < len(in); i++ {
		switch in[i] {
		case '"':
			for i++; i < len(in) && in[i] != '"'; i++ {
				if in[i] == '\\' {
					i++
				}
			}
			if i >= len(in) {
				return 0, false
			}
		case '{', '[':
			depth++
		case '}':
			depth--
		case ']':
			if depth == 0 {
				return i, true
			}
			depth--
		case ',':
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}

// LoadRoles replaces the custom roles with those in the n bytes at ptr. The result is
// empty (OK), or the error (Rejected) and the roles in force stay in force.
func (g *Guest) LoadRoles(ptr, n uint32) (r uint64) {
	defer g.recovered(&r)
	g.begin()
	data, ok := g.input(ptr, n)
	if !ok {
		return g.fail(BadCall, badCall(ptr, n))
	}
	if len(data) > MaxRequest {
		return g.fail(Rejected, tooLong("the custom roles are", MaxRequest))
	}
	if err := g.authz.LoadRolesJSON(data); err != nil {
		return g.fail(Rejected, err.Error())
	}
	return g.finish(OK)
}

// Metadata returns the spec's metadata JSON.
func (g *Guest) Metadata() (r uint64) {
	defer g.recovered(&r)
	g.begin()
	g.out = append(g.out, g.metadata...)
	return g.finish(OK)
}
