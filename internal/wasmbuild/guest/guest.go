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
	// MaxRequest bounds one request (alone or in a batch) until Configure says
	// otherwise. Parsing a document costs up to about 80 times its size in memory, so
	// this keeps the worst input far below an instance's memory.
	MaxRequest = runtime.DefaultMaxRequestBytes
	// MaxRoles bounds one custom roles document until Configure says otherwise.
	MaxRoles = runtime.DefaultMaxRolesBytes
	// MaxBatch bounds the requests of one batch until Configure says otherwise.
	MaxBatch = runtime.DefaultMaxBatchRequests
	// DefaultBudget is the evaluation budget of a check (docs/spec.md) until
	// Configure says otherwise.
	DefaultBudget = 10_000_000
	// MaxResult is the largest result the packing can describe.
	MaxResult = 1<<28 - 1
)

// The settings Configure takes, in the order of Guest.limits, and the most each
// allows: a request or custom roles document must fit in one block, a batch's answers
// in one result, and a budget in the integers every JSON reader reads exactly.
var (
	settingNames = []string{"max_request_bytes", "max_roles_bytes", "max_batch_requests", "budget"}
	settingMax   = [...]int64{MaxBlock, MaxBlock, 65536, 1<<53 - 1}
	settingWant  = [...]string{
		"max_request_bytes: want an integer from 1 to 4194304, not ",
		"max_roles_bytes: want an integer from 1 to 4194304, not ",
		"max_batch_requests: want an integer from 1 to 65536, not ",
		"budget: want an integer from 1 to 9007199254740991, not ",
	}
)

// maxConfig bounds Configure's input: any valid configuration is far shorter.
const maxConfig = 4096

// Messages written out whole: building them would cost the module more code.
const (
	configTooLong = "the configuration is longer than 4096 bytes"
	resultTooLong = "the result is longer than 268435455 bytes"
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
	// limits are the settings in force, in the order of settingNames: the longest
	// request, the longest custom roles and the most requests in a batch, which the
	// guest enforces before the authorizer sees the input, and the evaluation budget
	// of a check, for the authorizer to enforce.
	limits [len(settingMax)]int64
	blocks map[uint32][]byte
	live   int
	out    []byte // the last result; valid until the next call
	addr   func([]byte) uint32
}

// New returns the Guest for an authorizer and the spec's metadata JSON.
func New(a Authorizer, metadata []byte) *Guest {
	return &Guest{
		authz: a, metadata: metadata, blocks: map[uint32][]byte{}, addr: newAddr(),
		limits: [...]int64{MaxRequest, MaxRoles, MaxBatch, DefaultBudget},
	}
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
		return g.fail(Rejected, resultTooLong)
	}
	if len(g.out) == 0 {
		return Pack(0, status, 0)
	}
	return Pack(g.addr(g.out), status, len(g.out))
}

// fail makes {"error": msg} the result. It is kept out of line: every export calls it
// on several paths, and a Wasm module pays for every inlined copy.
//
//go:noinline
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

var errorPrefix = []byte(`{"error":`)

// The exports, for call.
const (
	opCheck = iota
	opBatch
	opRoles
	opConfigure
	opMetadata
)

// call runs the export op on the input in the n bytes at ptr (none for metadata).
// What every export does around its work is here once: a Wasm module pays for each
// copy.
func (g *Guest) call(op int, ptr, n uint32) (r uint64) {
	defer g.recovered(&r)
	g.begin()
	in, ok := g.input(ptr, n)
	if !ok {
		return g.fail(BadCall, badCall(ptr, n))
	}
	msg := ""
	switch op {
	case opCheck:
		g.out = g.checkOne(g.out, in)
		if bytes.HasPrefix(g.out, errorPrefix) {
			return g.finish(Rejected)
		}
	case opBatch:
		msg = g.batch(in)
	case opRoles:
		msg = g.loadRoles(in)
	case opConfigure:
		msg = g.configure(in)
	case opMetadata:
		g.out = append(g.out, g.metadata...)
	}
	if msg != "" {
		return g.fail(Rejected, msg)
	}
	return g.finish(OK)
}

// Check answers the request in the n bytes at ptr: the decision, or a request error
// with status Rejected.
func (g *Guest) Check(ptr, n uint32) uint64 { return g.call(opCheck, ptr, n) }

// checkOne appends the answer to one request.
func (g *Guest) checkOne(dst, req []byte) []byte {
	if err := runtime.CheckRequestLength(len(req), int(g.limits[0])); err != nil {
		return runtime.AppendErrorJSON(dst, err.Error())
	}
	dst = g.authz.CheckJSON(dst, req)
	collect(uint32(len(req)))
	return dst
}

// CheckBatch answers the requests in the n bytes at ptr: a JSON array of requests,
// answered by a JSON array of answers, or JSON Lines (one request a line, blank lines
// skipped), answered one answer a line, each line ending in "\n". A malformed request
// gets its {"error": ...} in its place; a malformed batch fails whole (Rejected).
func (g *Guest) CheckBatch(ptr, n uint32) uint64 { return g.call(opBatch, ptr, n) }

// batch answers a batch, or returns why it is malformed.
func (g *Guest) batch(in []byte) string {
	if trimmed := bytes.TrimLeft(in, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
		return g.batchArray(trimmed)
	}
	return g.batchLines(in)
}

// batchTooLong is the error of a batch of more requests than the limit.
func (g *Guest) batchTooLong() string {
	return "the batch holds more than " + strconv.FormatInt(g.limits[2], 10) + " requests"
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
		if count++; count > int(g.limits[2]) {
			return g.batchTooLong()
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
			if count == int(g.limits[2]) {
				return g.batchTooLong()
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
func (g *Guest) LoadRoles(ptr, n uint32) uint64 { return g.call(opRoles, ptr, n) }

// loadRoles loads custom roles, or returns why not.
func (g *Guest) loadRoles(data []byte) string {
	err := runtime.CheckRolesLength(len(data), int(g.limits[1]))
	if err == nil {
		err = g.authz.LoadRolesJSON(data)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// Metadata returns the spec's metadata JSON.
func (g *Guest) Metadata() uint64 { return g.call(opMetadata, 0, 0) }

// Configure changes the instance's settings to those of the JSON object in the n bytes
// at ptr: any of max_request_bytes, max_roles_bytes, max_batch_requests and budget,
// each an integer from 1 to its maximum (settingMax). The result is empty (OK), or
// the error (Rejected) and nothing changes. Settings last as long as the instance.
func (g *Guest) Configure(ptr, n uint32) uint64 { return g.call(opConfigure, ptr, n) }

// configure applies the configuration in, or returns why not.
func (g *Guest) configure(in []byte) string {
	if len(in) > maxConfig {
		return configTooLong
	}
	doc, err := runtime.ParseJSON(in)
	if err == nil {
		err = runtime.WantObject(&doc, "configuration")
	}
	if err == nil {
		err = runtime.CheckKeys(&doc, "configuration", settingNames...)
	}
	if err != nil {
		return err.Error()
	}
	limits := g.limits
	for i, name := range settingNames {
		v, ok := doc.Get(name)
		if !ok {
			continue
		}
		// Plain digits only, and not past the maximum: no sign, fraction or exponent.
		n := int64(0)
		for j := 0; j < len(v.Str) && v.Kind == runtime.JSONNumber && n <= settingMax[i]; j++ {
			if c := v.Str[j]; c >= '0' && c <= '9' {
				n = n*10 + int64(c-'0')
			} else {
				n = 0
				break
			}
		}
		if n < 1 || n > settingMax[i] {
			got := v.Str
			if v.Kind != runtime.JSONNumber {
				got = v.Kind.String()
			}
			return settingWant[i] + got
		}
		limits[i] = n
	}
	g.limits = limits
	return ""
}
