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
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	permcrt "github.com/permc/permc/runtime"
)

// DefaultMemoryLimit bounds an instance's memory when Options.MemoryLimit is zero. An
// instance uses about 1 MiB for typical requests and at most about 12 MiB for the
// hungriest request of MaxRequest bytes (docs/wasm-abi.md).
const DefaultMemoryLimit = 64 << 20

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
	// MaxRequestBytes, MaxRolesBytes and MaxBatchRequests bound the module's inputs
	// (docs/wasm-abi.md, permc_configure): the longest request, alone or in a batch,
	// the longest custom roles, and the most requests in one call of the module's
	// batch export (CheckBatch takes any number: it splits them). A field of zero (or
	// less) keeps the default: MaxRequest, 1 MiB and 4096. A module built before
	// permc_configure existed takes only the defaults; New fails on another value.
	MaxRequestBytes  int
	MaxRolesBytes    int
	MaxBatchRequests int
	// Budget is the evaluation budget of each check and plan, in steps (docs/spec.md,
	// The evaluation budget); zero (or less) keeps the default, 10,000,000. A check
	// that exhausts it fails closed, with the error in its decision.
	Budget int64
}

// Authorizer answers requests with a pool of instances of one module. Its methods are
// safe for concurrent use.
//
// # Notes
//
//   - Each instance has its own linear memory: a few MiB for typical requests, at most
//     Options.MemoryLimit, kept while the Authorizer lives.
//   - A call whose context has a deadline runs on instances compiled so that wazero can
//     stop them: when the context ends, the call stops at once and returns the context's
//     error, and the instance is replaced. Checks on them take three to five times as
//     long, so a call whose context has no deadline runs on instances that cannot be
//     stopped midway: its context is heeded before the call, between the chunks of a
//     batch and while waiting for an instance, and a call whose context ended while it
//     ran returns the context's error, not its answer. Such a call may run long (a
//     quadratic condition over a request of 1 MiB takes tens of seconds): give a deadline
//     to a call that must not. Each kind of instance is started only when a call needs
//     it, up to Options.Instances of each.
//   - An instance whose call fails (a trap, its Go runtime out of memory, a bug caught
//     inside the module) is closed and replaced, with the custom roles loaded again.
//     The call returns an error and no answer, which a caller must treat as a denial.
type Authorizer struct {
	module   []byte
	opts     Options
	cfg      wazero.RuntimeConfig
	config   wazero.ModuleConfig
	settings []byte // the permc_configure input, or nil for the module's defaults
	limits   limits
	metadata []byte

	fast     *pool
	stopping sync.Once
	stopPool *pool // the pool of stoppable instances, once ready
	stopErr  error
	stopDone chan struct{} // closed when stopPool or stopErr is set

	rolesMu sync.Mutex // serializes LoadRoles
	roles   atomic.Pointer[roles]
	closed  atomic.Bool
	closeMu sync.Mutex // orders Close with the start of the stoppable pool
}

// limits are the limits in force in the module's instances.
type limits struct {
	request, roles, batch int
	budget                int64
}

// pool is one runtime, the module compiled for it and its instances.
type pool struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	idle     chan *instance // instances not in use
	slots    chan struct{}  // one token per live instance, its capacity the pool's bound
	stop     bool           // instances stop when a call's context ends
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
	plan                                                api.Function // nil when the module cannot plan
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
// ABI version, fails to start, or rejects the limits of opts (a value over the
// module's maximum, or any value but the defaults for a module that cannot set them).
func New(ctx context.Context, module []byte, opts Options) (*Authorizer, error) {
	n := opts.Instances
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	limit := opts.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit
	}
	opts.Instances, opts.MemoryLimit = n, limit
	pages := min((limit+65535)/65536, 65536)
	cfg := wazero.NewRuntimeConfig().WithMemoryLimitPages(uint32(pages))
	if opts.CompilationCache != nil {
		cfg = cfg.WithCompilationCache(opts.CompilationCache)
	}
	a := &Authorizer{
		module: bytes.Clone(module), // compiled again for the stoppable pool
		opts:   opts,
		cfg:    cfg,
		// A module imports nothing; _initialize, when it exports one, runs first.
		config: wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize"),
		limits: limits{
			request: permcrt.Limit(opts.MaxRequestBytes, permcrt.DefaultMaxRequestBytes),
			roles:   permcrt.Limit(opts.MaxRolesBytes, permcrt.DefaultMaxRolesBytes),
			batch:   permcrt.Limit(opts.MaxBatchRequests, permcrt.DefaultMaxBatchRequests),
			budget:  permcrt.DefaultBudget,
		},
		stopDone: make(chan struct{}),
	}
	if opts.Budget > 0 {
		a.limits.budget = opts.Budget
	}
	// Only settings other than the defaults are sent, so that modules built before
	// permc_configure existed serve hosts that keep the defaults.
	var settings []string
	if a.limits.request != permcrt.DefaultMaxRequestBytes || a.limits.roles != permcrt.DefaultMaxRolesBytes || a.limits.batch != permcrt.DefaultMaxBatchRequests {
		settings = append(settings, fmt.Sprintf(`"max_request_bytes":%d,"max_roles_bytes":%d,"max_batch_requests":%d`,
			a.limits.request, a.limits.roles, a.limits.batch))
	}
	if a.limits.budget != permcrt.DefaultBudget {
		settings = append(settings, fmt.Sprintf(`"budget":%d`, a.limits.budget))
	}
	if settings != nil {
		a.settings = []byte("{" + strings.Join(settings, ",") + "}")
	}
	a.roles.Store(&roles{})
	// No WithCloseOnContextDone here: it makes wazero check for an ended context
	// throughout the module's code, which makes a check three to five times slower
	// (RATIONALE.md). Calls with a deadline get a pool of their own that has it.
	p, err := a.newPool(ctx, false)
	if err != nil {
		return nil, err
	}
	a.fast = p
	p.slots <- struct{}{}
	in, err := a.instantiate(ctx, p)
	if err == nil {
		err = a.handshake(ctx, in)
	}
	if err != nil {
		p.rt.Close(ctx)
		return nil, err
	}
	p.idle <- in
	return a, nil
}

// newPool makes a runtime and compiles the module for it.
func (a *Authorizer) newPool(ctx context.Context, stop bool) (*pool, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, a.cfg.WithCloseOnContextDone(stop))
	compiled, err := rt.CompileModule(ctx, a.module)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("permc wasm: compiling the module: %v", err)
	}
	n := a.opts.Instances
	return &pool{rt: rt, compiled: compiled, idle: make(chan *instance, n), slots: make(chan struct{}, n), stop: stop}, nil
}

// pool returns the pool for a call with ctx: the stoppable instances when ctx has a
// deadline, started (the module compiled again) on the first such call.
func (a *Authorizer) pool(ctx context.Context) (*pool, error) {
	if _, ok := ctx.Deadline(); !ok {
		return a.fast, nil
	}
	a.stopping.Do(func() {
		go func() {
			// Compiled apart from the call that needs it first, so that its deadline
			// bounds its wait, not the compilation other calls will use.
			bg := context.WithoutCancel(ctx)
			p, err := a.newPool(bg, true)
			a.closeMu.Lock()
			if err == nil && a.closed.Load() {
				p.rt.Close(bg)
				p, err = nil, ErrClosed
			}
			a.stopPool, a.stopErr = p, err
			a.closeMu.Unlock()
			close(a.stopDone)
		}()
	})
	select {
	case <-a.stopDone:
		return a.stopPool, a.stopErr
	case <-ctx.Done():
		return nil, stopped(ctx, false)
	}
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
	if err == nil && status != statusOK {
		err = fmt.Errorf("permc wasm: permc_metadata: %s", errorMessage(res))
	}
	a.metadata = bytes.Clone(res)
	return err
}

// instantiate starts an instance of p and gives it the limits; the caller holds a
// slot of p for it.
func (a *Authorizer) instantiate(ctx context.Context, p *pool) (*instance, error) {
	mod, err := p.rt.InstantiateModule(ctx, p.compiled, a.config)
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
	in.plan = mod.ExportedFunction("permc_plan")
	if a.settings != nil {
		configure := mod.ExportedFunction("permc_configure")
		if configure == nil {
			mod.Close(ctx)
			return nil, errors.New("permc wasm: the module does not export permc_configure, which limits other than the defaults need: build it with this permc")
		}
		if _, err := in.call(ctx, nil, configure, a.settings); err != nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("permc wasm: permc_configure: %w", err)
		}
	}
	return in, nil
}

// acquire takes an idle instance, or starts one when the pool has room, or waits.
// The instance has the custom roles in force.
func (a *Authorizer) acquire(ctx context.Context) (*pool, *instance, error) {
	if a.closed.Load() {
		return nil, nil, ErrClosed
	}
	if ctx.Err() != nil {
		return nil, nil, stopped(ctx, false)
	}
	p, err := a.pool(ctx)
	if err != nil {
		return nil, nil, err
	}
	var in *instance
	select {
	case in = <-p.idle:
	default:
		select {
		case in = <-p.idle:
		case p.slots <- struct{}{}:
			if in, err = a.instantiate(ctx, p); err != nil {
				<-p.slots
				if ctx.Err() != nil {
					err = stopped(ctx, false)
				}
				return nil, nil, err
			}
		case <-ctx.Done():
			return nil, nil, stopped(ctx, false)
		}
	}
	if r := a.roles.Load(); in.gen != r.gen {
		if _, err := in.call(ctx, nil, in.roles, r.data); err != nil {
			err = a.release(ctx, p, in, err)
			return nil, nil, err
		}
		in.gen = r.gen
	}
	return p, in, nil
}

// release returns an instance to its pool, or closes it after a failed call: an
// instance that trapped or ran out of memory is in no state to be trusted. It returns
// the error the caller gets: err, or what stopped the call, or what became of the
// instance.
func (a *Authorizer) release(ctx context.Context, p *pool, in *instance, err error) error {
	if !failed(err) && !a.closed.Load() {
		p.idle <- in
		return err
	}
	in.mod.Close(context.WithoutCancel(ctx))
	<-p.slots
	var ie *instanceError
	var ce *callError
	switch {
	case a.closed.Load():
		return ErrClosed
	case ctx.Err() != nil && p.stop:
		return stopped(ctx, true)
	case errors.As(err, &ie):
		ie.msg = "permc wasm: the instance failed and was replaced: " + firstLine(ie.err.Error())
	case errors.As(err, &ce) && ce.msg == outOfMemory:
		// The module answers so when its memory cannot grow: a call that needs more
		// than Options.MemoryLimit, which the instance keeps once grown.
		ce.msg = fmt.Sprintf("permc wasm: the instance ran out of memory (limit %d MiB) and was replaced", a.opts.MemoryLimit>>20)
	}
	return err
}

// late returns the error of a call that answered after its context ended, which
// only a call that cannot be stopped does: the answer came too late to be used.
func late(ctx context.Context) error {
	if ctx.Err() != nil {
		return stopped(ctx, false)
	}
	return nil
}

// stopped is the error of a call whose context ended: before it started or, when
// during is set, while it ran.
func stopped(ctx context.Context, during bool) error {
	if during {
		return fmt.Errorf("permc wasm: the call was stopped: %w", ctx.Err())
	}
	return fmt.Errorf("permc wasm: %w", ctx.Err())
}

// outOfMemory is the message of the module's INTERNAL answer when its memory cannot
// grow.
const outOfMemory = "permc module: out of memory"

// callError is a result other than OK: the module's message and status.
type callError struct {
	status status
	msg    string
}

func (e *callError) Error() string { return e.msg }

// failed reports whether err leaves the instance unusable: any error but a result
// the module returned in good order, or a context that ended between calls.
func failed(err error) bool {
	if err == nil {
		return false // before the variables below, which errors.As moves to the heap
	}
	var ce *callError
	var ie *instanceError
	switch {
	case errors.As(err, &ie):
		return true
	case errors.As(err, &ce):
		return ce.status == statusInternal
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// instanceError is the failure of an instance: it trapped, exited, or ran out of
// memory. Its message says so in one line (release writes it); Unwrap gives wazero's
// error, with the module's stack, for debugging.
type instanceError struct {
	msg string
	err error
}

func (e *instanceError) Error() string {
	if e.msg == "" {
		return "permc wasm: the instance failed: " + firstLine(e.err.Error())
	}
	return e.msg
}

func (e *instanceError) Unwrap() error { return e.err }

// firstLine returns the first line of msg.
func firstLine(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return msg[:i]
	}
	return msg
}

// invoke calls fn with the arguments on the stack and returns its result as a view of
// the instance's memory, valid until the next call.
func (in *instance) invoke(ctx context.Context, fn api.Function) (status, []byte, error) {
	if err := fn.CallWithStack(ctx, in.stack[:]); err != nil {
		return 0, nil, &instanceError{err: err}
	}
	ptr, status, n := unpack(in.stack[0])
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
	if status != statusOK {
		return dst, &callError{status, errorMessage(res)}
	}
	return append(dst, res...), nil
}

// answer appends to dst the answer of fn (permc_check or permc_plan) to one request: a
// decision or a plan, or a request error (a Rejected result), which is an answer too.
func (a *Authorizer) answer(ctx context.Context, in *instance, fn api.Function, dst, req []byte) ([]byte, error) {
	// The module answers a request over the limit so without reading it; so does the
	// host, without copying it in.
	if err := permcrt.CheckRequestLength(len(req), a.limits.request); err != nil {
		return permcrt.AppendErrorJSON(dst, err.Error()), nil
	}
	if err := in.write(ctx, req); err != nil {
		return dst, err
	}
	in.stack[0], in.stack[1] = uint64(in.block), uint64(len(req))
	status, res, err := in.invoke(ctx, fn)
	if err != nil {
		return dst, err
	}
	if status != statusOK && status != statusRejected {
		return dst, &callError{status, errorMessage(res)}
	}
	return append(dst, res...), nil
}

// write copies input into the instance's block, growing it first when needed.
func (in *instance) write(ctx context.Context, input []byte) error {
	if len(input) > maxBlock {
		return &callError{statusRejected, fmt.Sprintf("the input is longer than %d bytes", maxBlock)}
	}
	if uint32(len(input)) > in.blockLen || in.block == 0 {
		size := max(uint32(len(input)), 2*in.blockLen, 4096)
		size = min(size, maxBlock)
		if in.block != 0 {
			in.stack[0] = uint64(in.block)
			if err := in.free.CallWithStack(ctx, in.stack[:]); err != nil {
				return &instanceError{err: err}
			}
			in.block, in.blockLen = 0, 0
		}
		in.stack[0] = uint64(size)
		if err := in.alloc.CallWithStack(ctx, in.stack[:]); err != nil {
			return &instanceError{err: err}
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
// An error means no answer: ctx ended before or during the call (errors.Is tells
// context.DeadlineExceeded and context.Canceled), the Authorizer is closed, or the
// instance failed (it is then replaced; see InstanceError). A malformed request is an
// answer, not an error.
func (a *Authorizer) CheckJSON(ctx context.Context, dst, req []byte) ([]byte, error) {
	p, in, err := a.acquire(ctx)
	if err != nil {
		return dst, err
	}
	out, err := a.answer(ctx, in, in.check, dst, req)
	if err = a.release(ctx, p, in, err); err == nil {
		err = late(ctx)
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// CheckBatch answers many requests, in order, in as few calls into the module as
// their size and the batch limit allow: one answer per request, each as CheckJSON
// would give it.
//
// # Errors
//
// As for CheckJSON; a long batch also stops when ctx ends. On an error, no answers
// are returned.
func (a *Authorizer) CheckBatch(ctx context.Context, reqs [][]byte) ([][]byte, error) {
	p, in, err := a.acquire(ctx)
	if err != nil {
		return nil, err
	}
	answers, err := a.checkBatch(ctx, in, reqs)
	if err = a.release(ctx, p, in, err); err == nil {
		err = late(ctx)
	}
	if err != nil {
		return nil, err
	}
	return answers, nil
}

// checkBatch sends the requests as JSON Lines, in chunks within the module's limits.
// A request that cannot be a line of its own (see oneLine) is checked alone, so that
// it gets exactly the answer CheckJSON gives it.
func (a *Authorizer) checkBatch(ctx context.Context, in *instance, reqs [][]byte) ([][]byte, error) {
	size := 0
	for _, req := range reqs {
		size += len(req) + 1
	}
	lines := make([]byte, 0, min(size, maxBlock))
	out := make([]byte, 0, 160*len(reqs)) // a decision without errors or warnings is ~130 bytes
	ends := make([]int, 0, len(reqs))     // where each answer ends in out
	count := 0
	flush := func() error {
		if count == 0 {
			return nil
		}
		// A call that cannot be stopped midway (see RATIONALE.md) leaves a long
		// batch to heed its context between calls.
		if ctx.Err() != nil {
			return stopped(ctx, false)
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
		if !a.oneLine(req) {
			if err := flush(); err != nil {
				return nil, err
			}
			var err error
			if out, err = a.answer(ctx, in, in.check, out, req); err != nil {
				return nil, err
			}
			out = append(out, '\n')
			ends = append(ends, len(out)-1)
			continue
		}
		if count == a.limits.batch || len(lines)+len(req)+1 > maxBlock {
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

// oneLine reports whether req can be one line of a JSON Lines batch: within the
// request limit, with no newline, not blank (the module skips blank lines), and not
// starting with '[' (which makes the module read the batch as an array). A request
// that cannot is malformed, or too long, anyway.
func (a *Authorizer) oneLine(req []byte) bool {
	trimmed := bytes.TrimLeft(req, " \t\r")
	return len(req) <= a.limits.request && len(trimmed) > 0 && trimmed[0] != '[' && bytes.IndexByte(req, '\n') < 0
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
	if err := permcrt.CheckRolesLength(len(data), a.limits.roles); err != nil {
		return errors.New(err.Error())
	}
	a.rolesMu.Lock()
	defer a.rolesMu.Unlock()
	p, in, err := a.acquire(ctx)
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
	var ce *callError
	if errors.As(err, &ce) && ce.status == statusRejected {
		a.release(ctx, p, in, err)
		return errors.New(ce.msg)
	}
	return a.release(ctx, p, in, err)
}

// ErrNoPlans is returned by PlanJSON for a module that cannot plan: one built before
// modules had the export permc_plan.
var ErrNoPlans = errors.New("permc wasm: the module does not export permc_plan: build it with this permc to plan")

// PlanJSON returns the query plan of one request given as JSON: a check request
// without its resource (or whose resource gives only its "type"), whose "permission"
// names the permission planned. The answer is the plan, as `permc plan` prints it
// without its SQL (docs/query-plans.md), or {"error": "..."} for a malformed request:
// byte for byte what the generated package's PlanJSON answers.
//
// # Errors
//
// As for CheckJSON, and ErrNoPlans for a module that cannot plan.
func (a *Authorizer) PlanJSON(ctx context.Context, dst, req []byte) ([]byte, error) {
	p, in, err := a.acquire(ctx)
	if err != nil {
		return dst, err
	}
	out := dst
	switch {
	case in.plan == nil:
		err = ErrNoPlans
	default:
		out, err = a.answer(ctx, in, in.plan, dst, req)
	}
	if err = a.release(ctx, p, in, err); err == nil {
		err = late(ctx)
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// MetadataJSON describes the spec the module was built from: its resource types,
// permissions, roles, scope types and the SHA-256 of its source, as the generated
// package's MetadataJSON does.
func (a *Authorizer) MetadataJSON() []byte { return bytes.Clone(a.metadata) }

// Close closes every instance and releases the compiled module. Calls in flight end
// with an error.
func (a *Authorizer) Close(ctx context.Context) error {
	a.closeMu.Lock()
	defer a.closeMu.Unlock()
	if a.closed.Swap(true) {
		return nil
	}
	err := a.fast.rt.Close(ctx)
	if a.stopPool != nil {
		err = errors.Join(err, a.stopPool.rt.Close(ctx))
	}
	return err
}
