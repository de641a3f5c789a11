// Package wasm runs a permc Wasm module from Go, on the wazero runtime (no cgo): the
// module `permc build-wasm` builds from a spec, holding the same decisions as the Go
// code permc generates from it.
//
// An Authorizer compiles the module once and keeps a pool of instances, so that any
// number of goroutines may check requests at once, each instance serving one call at
// a time. Requests and decisions are JSON, byte for byte those of the generated
// package's CheckJSON; docs/wasm-abi.md describes the module's exports for hosts in
// other languages.
//
// Services written in Go would usually import the generated package itself; this
// package is for Go programs that load specs they were not compiled with (a policy
// server, a proxy, tests of a module), and is the reference host of the ABI.
package wasm

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/permc/permc/internal/wasmbuild/guest"
	permcrt "github.com/permc/permc/runtime"
)

// ABIVersion is the version of the module ABI this package speaks.
const ABIVersion = guest.ABIVersion

// MaxRequest is the longest request a module decides; a longer one is answered with
// {"error": ...}.
const MaxRequest = guest.MaxRequest

// DefaultMemoryLimit bounds an instance's memory when Options.MemoryLimit is zero. The
// hungriest input (a request of MaxRequest bytes of tiny JSON values) needs about
// 150 MiB in the module; typical requests need a few MiB.
const DefaultMemoryLimit = 256 << 20

// ErrClosed is returned by the methods of a closed Authorizer.
var ErrClosed = errors.New("permc wasm: authorizer is closed")

// Options configure an Authorizer. The zero value is ready to use.
type Options struct {
	// Instances bounds the pool of instances, and so the checks that run at once;
	// runtime.GOMAXPROCS(0) when zero. Instances are created as calls need them.
	Instances int
	// MemoryLimit bounds each instance's linear memory, in bytes (rounded up to 64 KiB
	// pages); DefaultMemoryLimit when zero. An instance that runs out fails the call
	// and is replaced.
	MemoryLimit uint64
	// CompilationCache keeps compiled machine code across Authorizers and, made with
	// wazero.NewCompilationCacheWithDir, across processes. Nil compiles afresh.
	CompilationCache wazero.CompilationCache
	// Stderr receives what a module prints, such as the Go runtime's report when an
	// instance crashes. Discarded when nil.
	Stderr io.Writer
}

// Authorizer answers requests with a pool of instances of one module. Its methods are
// safe for concurrent use.
//
// # Notes
//
//   - Each instance has its own linear memory: a few MiB for typical requests, at most
//     Options.MemoryLimit, kept while the Authorizer lives.
//   - A call into the module cannot be interrupted. Contexts are heeded before each
//     call, between the chunks of a batch and while waiting for an instance.
//   - An instance whose call fails (a trap, its Go runtime out of memory, a bug caught
//     inside the module) is closed and replaced. The call returns an error and no
//     answer, which a caller must treat as a denial.
type Authorizer struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	config   wazero.ModuleConfig
	metadata []byte

	idle  chan *instance // instances not in use
	slots chan struct{}  // one token per live instance, its capacity the pool's bound

	rolesMu sync.Mutex // serializes LoadRoles
	roles   atomic.Pointer[roles]
	closed  atomic.Bool
}

// roles is one generation of custom roles; instances behind it reload them before
// their next call.
type roles struct {
	gen  uint64
	data []byte
}

// instance is one module instance and the block it reads inputs from.
type instance struct {
	mod                                                 api.Module
	mem                                                 api.Memory
	version, metadata, alloc, free, check, batch, roles api.Function
	block, blockLen                                     uint32
	gen                                                 uint64 // the generation of custom roles loaded
	stack                                               [2]uint64
}

// New compiles module and instantiates it once, to check that it is a permc module
// this package can drive and to read its metadata.
//
// # Errors
//
// New fails when module is not valid Wasm, lacks an export of the ABI, speaks another
// ABI version, or fails to start.
func New(ctx context.Context, module []byte, opts Options) (*Authorizer, error) {
	n := opts.Instances
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	limit := opts.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit
	}
	pages := min((limit+65535)/65536, 65536)
	// No WithCloseOnContextDone: it makes wazero check the context throughout the
	// module's code, which made a check ~10 times slower; calls are short and
	// bounded, so contexts are heeded between calls instead (RATIONALE.md).
	cfg := wazero.NewRuntimeConfig().WithMemoryLimitPages(uint32(pages))
	if opts.CompilationCache != nil {
		cfg = cfg.WithCompilationCache(opts.CompilationCache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("permc wasm: %v", err)
	}
	compiled, err := rt.CompileModule(ctx, module)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("permc wasm: compiling the module: %v", err)
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	a := &Authorizer{
		rt:       rt,
		compiled: compiled,
		// A reactor: _initialize runs the Go runtime's and the package's
		// initialization, after which the exports may be called. No arguments,
		// environment or files; the clock only paces the collector.
		config: wazero.NewModuleConfig().
			WithName("").
			WithStartFunctions("_initialize").
			WithRandSource(rand.Reader).
			WithSysNanotime().
			WithStderr(stderr),
		idle:  make(chan *instance, n),
		slots: make(chan struct{}, n),
	}
	a.roles.Store(&roles{})
	a.slots <- struct{}{}
	in, err := a.instantiate(ctx)
	if err == nil {
		err = a.handshake(ctx, in)
	}
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	a.idle <- in
	return a, nil
}

// handshake checks the module's ABI version and reads its metadata.
func (a *Authorizer) handshake(ctx context.Context, in *instance) error {
	if err := in.version.CallWithStack(ctx, in.stack[:]); err != nil {
		return fmt.Errorf("permc wasm: permc_abi_version: %v", err)
	}
	if v := uint32(in.stack[0]); v != ABIVersion {
		return fmt.Errorf("permc wasm: the module speaks ABI version %d and this host version %d; build the module with the permc this program uses", v, ABIVersion)
	}
	status, res, err := in.invoke(ctx, in.metadata)
	if err == nil && status != guest.OK {
		err = fmt.Errorf("permc wasm: permc_metadata: %s", errorMessage(res))
	}
	a.metadata = bytes.Clone(res)
	return err
}

// instantiate starts an instance; the caller holds a slot for it.
func (a *Authorizer) instantiate(ctx context.Context) (*instance, error) {
	mod, err := a.rt.InstantiateModule(ctx, a.compiled, a.config)
	if err != nil {
		return nil, fmt.Errorf("permc wasm: starting an instance: %v", err)
	}
	in := &instance{mod: mod, mem: mod.Memory()}
	for _, e := range []struct {
		name string
		fn   *api.Function
	}{
		{"permc_abi_version", &in.version}, {"permc_metadata", &in.metadata},
		{"permc_alloc", &in.alloc}, {"permc_free", &in.free}, {"permc_check", &in.check},
		{"permc_check_batch", &in.batch}, {"permc_load_roles", &in.roles},
	} {
		if *e.fn = mod.ExportedFunction(e.name); *e.fn == nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("permc wasm: the module does not export %s: not a permc module", e.name)
		}
	}
	if in.mem == nil {
		mod.Close(ctx)
		return nil, errors.New("permc wasm: the module does not export its memory")
	}
	return in, nil
}

// acquire takes an idle instance, or starts one when the pool has room, or waits.
// The instance has the custom roles in force.
func (a *Authorizer) acquire(ctx context.Context) (*instance, error) {
	if a.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var in *instance
	select {
	case in = <-a.idle:
	default:
		select {
		case in = <-a.idle:
		case a.slots <- struct{}{}:
			var err error
			if in, err = a.instantiate(ctx); err != nil {
				<-a.slots
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if r := a.roles.Load(); in.gen != r.gen {
		if _, err := in.call(ctx, nil, in.roles, r.data); err != nil {
			a.release(ctx, in, err)
			return nil, err
		}
		in.gen = r.gen
	}
	return in, nil
}

// release returns an instance to the pool, or closes it after a failed call: an
// instance that trapped or ran out of memory is in no state to be trusted.
func (a *Authorizer) release(ctx context.Context, in *instance, err error) {
	if failed(err) || a.closed.Load() {
		in.mod.Close(context.WithoutCancel(ctx))
		<-a.slots
		return
	}
	a.idle <- in
}

// callError is a result other than OK: the module's message and status.
type callError struct {
	status guest.Status
	msg    string
}

func (e *callError) Error() string { return e.msg }

// failed reports whether err leaves the instance unusable: any error but a result
// the module returned in good order.
func failed(err error) bool {
	var ce *callError
	return err != nil && !(errors.As(err, &ce) && ce.status != guest.Internal)
}

// invoke calls fn with the arguments on the stack and returns its result as a view of
// the instance's memory, valid until the next call.
func (in *instance) invoke(ctx context.Context, fn api.Function) (guest.Status, []byte, error) {
	if err := fn.CallWithStack(ctx, in.stack[:]); err != nil {
		return 0, nil, fmt.Errorf("permc wasm: the instance failed: %w", err)
	}
	ptr, status, n := guest.Unpack(in.stack[0])
	res, ok := in.mem.Read(ptr, uint32(n))
	if !ok {
		return 0, nil, fmt.Errorf("permc wasm: the module returned %d bytes at %d, outside its memory", n, ptr)
	}
	return status, res, nil
}

// call calls fn with input and appends an OK result to dst; any other result is a
// *callError.
func (in *instance) call(ctx context.Context, dst []byte, fn api.Function, input []byte) ([]byte, error) {
	if err := in.write(ctx, input); err != nil {
		return dst, err
	}
	in.stack[0], in.stack[1] = uint64(in.block), uint64(len(input))
	status, res, err := in.invoke(ctx, fn)
	if err != nil {
		return dst, err
	}
	if status != guest.OK {
		return dst, &callError{status, errorMessage(res)}
	}
	return append(dst, res...), nil
}

// checkOne appends the answer to one request to dst: a decision, or a request error
// (a Rejected result), which is an answer too.
func (in *instance) checkOne(ctx context.Context, dst, req []byte) ([]byte, error) {
	// The module answers a request longer than MaxRequest with an error without
	// reading it, so a longer one need not be copied whole.
	if len(req) > MaxRequest {
		req = req[:MaxRequest+1]
	}
	if err := in.write(ctx, req); err != nil {
		return dst, err
	}
	in.stack[0], in.stack[1] = uint64(in.block), uint64(len(req))
	status, res, err := in.invoke(ctx, in.check)
	if err != nil {
		return dst, err
	}
	if status != guest.OK && status != guest.Rejected {
		return dst, &callError{status, errorMessage(res)}
	}
	return append(dst, res...), nil
}

// write copies input into the instance's block, growing it first when needed.
func (in *instance) write(ctx context.Context, input []byte) error {
	if len(input) > guest.MaxBlock {
		return &callError{guest.Rejected, fmt.Sprintf("the input is longer than %d bytes", guest.MaxBlock)}
	}
	if uint32(len(input)) > in.blockLen || in.block == 0 {
		size := max(uint32(len(input)), 2*in.blockLen, 4096)
		size = min(size, guest.MaxBlock)
		if in.block != 0 {
			in.stack[0] = uint64(in.block)
			if err := in.free.CallWithStack(ctx, in.stack[:]); err != nil {
				return fmt.Errorf("permc wasm: the instance failed: %w", err)
			}
			in.block, in.blockLen = 0, 0
		}
		in.stack[0] = uint64(size)
		if err := in.alloc.CallWithStack(ctx, in.stack[:]); err != nil {
			return fmt.Errorf("permc wasm: the instance failed: %w", err)
		}
		if in.stack[0] == 0 {
			return fmt.Errorf("permc wasm: the module refused a block of %d bytes", size)
		}
		in.block, in.blockLen = uint32(in.stack[0]), size
	}
	if !in.mem.Write(in.block, input) {
		return fmt.Errorf("permc wasm: the module's block at %d is outside its memory", in.block)
	}
	return nil
}

// errorMessage returns the message of a {"error": ...} result.
func errorMessage(res []byte) string {
	doc, err := permcrt.ParseJSON(res)
	if err != nil {
		return string(res)
	}
	if msg, ok := doc.Get("error"); ok && msg.Kind == permcrt.JSONString {
		return msg.Str
	}
	return string(res)
}

// CheckJSON appends to dst the answer to one request: the decision, or
// {"error": "..."} for a malformed request, byte for byte what the generated
// package's CheckJSON answers.
//
// # Errors
//
// An error means no answer: ctx ended before the call, the Authorizer is closed, or
// the instance failed (it is then replaced). A malformed request is an answer, not an
// error.
func (a *Authorizer) CheckJSON(ctx context.Context, dst, req []byte) ([]byte, error) {
	in, err := a.acquire(ctx)
	if err != nil {
		return dst, err
	}
	dst, err = in.checkOne(ctx, dst, req)
	a.release(ctx, in, err)
	return dst, err
}

// CheckBatch answers many requests, in order, in as few calls into the module as
// their size allows: one answer per request, each as CheckJSON would give it.
//
// # Errors
//
// As for CheckJSON; a long batch also stops when ctx ends. On an error, no answers
// are returned.
func (a *Authorizer) CheckBatch(ctx context.Context, reqs [][]byte) ([][]byte, error) {
	in, err := a.acquire(ctx)
	if err != nil {
		return nil, err
	}
	answers, err := in.checkBatch(ctx, reqs)
	a.release(ctx, in, err)
	return answers, err
}

// checkBatch sends the requests as JSON Lines, in chunks within the module's limits.
// A request that cannot be a line of its own (see oneLine) is checked alone, so that
// it gets exactly the answer CheckJSON gives it.
func (in *instance) checkBatch(ctx context.Context, reqs [][]byte) ([][]byte, error) {
	size := 0
	for _, req := range reqs {
		size += len(req) + 1
	}
	lines := make([]byte, 0, min(size, guest.MaxBlock))
	out := make([]byte, 0, 160*len(reqs)) // a decision without errors or warnings is ~130 bytes
	ends := make([]int, 0, len(reqs))     // where each answer ends in out
	count := 0
	flush := func() error {
		if count == 0 {
			return nil
		}
		// A call cannot be stopped midway (see RATIONALE.md), so a long batch
		// heeds its context between calls.
		if err := ctx.Err(); err != nil {
			return err
		}
		start := len(out)
		var err error
		if out, err = in.call(ctx, out, in.batch, lines); err != nil {
			return err
		}
		for i := start; i < len(out); i++ {
			if out[i] == '\n' {
				ends = append(ends, i)
			}
		}
		lines, count = lines[:0], 0
		return nil
	}
	for _, req := range reqs {
		if !oneLine(req) {
			if err := flush(); err != nil {
				return nil, err
			}
			var err error
			if out, err = in.checkOne(ctx, out, req); err != nil {
				return nil, err
			}
			out = append(out, '\n')
			ends = append(ends, len(out)-1)
			continue
		}
		if count == guest.MaxBatch || len(lines)+len(req)+1 > guest.MaxBlock {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		lines = append(append(lines, req...), '\n')
		count++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(ends) != len(reqs) {
		return nil, fmt.Errorf("permc wasm: %d answers to %d requests", len(ends), len(reqs))
	}
	answers := make([][]byte, len(reqs))
	start := 0
	for i, end := range ends {
		answers[i] = out[start:end:end]
		start = end + 1
	}
	return answers, nil
}

// oneLine reports whether req can be one line of a JSON Lines batch: at most
// MaxRequest bytes, no newline, not blank (the module skips blank lines), and not
// starting with '[' (which makes the module read the batch as an array). A request
// that cannot is malformed, or too long, anyway.
func oneLine(req []byte) bool {
	trimmed := bytes.TrimLeft(req, " \t\r")
	return len(req) <= MaxRequest && len(trimmed) > 0 && trimmed[0] != '[' && bytes.IndexByte(req, '\n') < 0
}

// LoadRoles replaces the custom roles of every instance with those in data (see
// docs/spec.md), validated against the spec the module was built from. Checks that
// start after LoadRoles returns see the new roles.
//
// # Errors
//
// Invalid roles are reported with every problem, as permc vet reports them, and the
// roles in force stay in force.
func (a *Authorizer) LoadRoles(ctx context.Context, data []byte) error {
	a.rolesMu.Lock()
	defer a.rolesMu.Unlock()
	in, err := a.acquire(ctx)
	if err != nil {
		return err
	}
	data = bytes.Clone(data)
	_, err = in.call(ctx, nil, in.roles, data)
	if err == nil {
		r := &roles{gen: a.roles.Load().gen + 1, data: data}
		a.roles.Store(r)
		in.gen = r.gen
	}
	a.release(ctx, in, err)
	var ce *callError
	if errors.As(err, &ce) && ce.status == guest.Rejected {
		return errors.New(ce.msg)
	}
	return err
}

// MetadataJSON describes the spec the module was built from: its resource types,
// permissions, roles, scope types and the SHA-256 of its source, as the generated
// package's MetadataJSON does.
func (a *Authorizer) MetadataJSON() []byte { return bytes.Clone(a.metadata) }

// Close closes every instance and releases the compiled module. Calls in flight end
// with an error.
func (a *Authorizer) Close(ctx context.Context) error {
	if a.closed.Swap(true) {
		return nil
	}
	return a.rt.Close(ctx)
}
