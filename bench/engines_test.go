package bench

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/permc/permc/bench/engine/casbinrbac"
	"github.com/permc/permc/bench/engine/cedarpol"
	"github.com/permc/permc/bench/engine/celgo"
	"github.com/permc/permc/bench/engine/hand"
	"github.com/permc/permc/bench/engine/handjson"
	"github.com/permc/permc/bench/engine/oparego"
	"github.com/permc/permc/bench/engine/opawasm"
	"github.com/permc/permc/bench/engine/refeval"
	"github.com/permc/permc/bench/scenario"

	cedar "github.com/cedar-policy/cedar-go"
)

// outcome is an engine's answer to one case. Engines that explain their decisions
// fill in reason or decision (the permc decision JSON); the others only answer.
type outcome struct {
	allowed  bool
	reason   *scenario.Reason
	decision []byte
}

// prepared is one case converted into an engine's own request, outside any timing.
type prepared struct {
	// decide answers the case once, for the correctness checks.
	decide func() (outcome, error)
	// op does one check. Benchmarks call it through a func value: an indirect call
	// costs about a nanosecond, noise next to engines that take microseconds.
	op func()
	// loop and par, when set, are the timed loops written with direct calls, for the
	// engines measured in nanoseconds.
	loop func(b *testing.B)
	par  func(pb *testing.PB)
}

// checker is an engine loaded with a spec, ready for cases.
type checker interface {
	prepare(c *scenario.Case) (prepared, error)
}

// engine is one implementation of the scenario.
type engine struct {
	name string
	// load reads the model's policy and, for engines that keep role assignments as
	// policy or entities, the principals of cs: everything before the first check.
	load func(m *scenario.Model, cs []scenario.Case) (checker, error)
	// scales says whether the engine reads a policy that grows with the spec.
	scales bool
}

var engines = []engine{
	{name: "hand", load: loadHand},
	{name: "hand-json", load: loadHandJSON},
	{name: "permc-go", load: loadPermcGo, scales: true},
	{name: "permc-go-json", load: loadPermcGoJSON, scales: true},
	{name: "permc-wasm", load: loadPermcWasm, scales: true},
	{name: "permc-eval", load: loadEval, scales: true},
	{name: "cel-go", load: loadCEL, scales: true},
	{name: "cedar-go", load: loadCedar, scales: true},
	{name: "opa", load: loadOPA, scales: true},
	{name: "casbin", load: loadCasbin, scales: true},
	{name: "opa-wasm", load: loadOPAWasm, scales: true},
}

// closer is a checker holding resources beyond memory (Wasm runtimes).
type closer interface{ close() }

// allowedJSON reads a permc decision's verdict; outcome.check compares the rest.
func allowedJSON(decision []byte) bool { return bytes.HasPrefix(decision, []byte(`{"allowed":true,`)) }

func (o outcome) check(c *scenario.Case) error {
	if o.allowed != c.Allowed {
		return fmt.Errorf("allowed = %v, want %v", o.allowed, c.Allowed)
	}
	if o.reason != nil && *o.reason != c.Reason {
		return fmt.Errorf("reason = %+v, want %+v", *o.reason, c.Reason)
	}
	if o.decision != nil && !bytes.Equal(o.decision, c.DecisionJSON()) {
		return fmt.Errorf("decision\n%s\nwant\n%s", o.decision, c.DecisionJSON())
	}
	return nil
}

// hand-written Go

type handChecker struct{}

func loadHand(*scenario.Model, []scenario.Case) (checker, error) { return handChecker{}, nil }

func (handChecker) prepare(c *scenario.Case) (prepared, error) {
	r := hand.NewRequest(c)
	return prepared{
		decide: func() (outcome, error) {
			ok, i := hand.Check(&r.Principal, r.Action, &r.Resource)
			o := outcome{allowed: ok}
			if i >= 0 {
				o.reason = &scenario.Reason{Kind: "role", Role: r.Principal.Roles[i].Role.String(), Assignment: i}
			}
			return o, nil
		},
		op: func() { hand.Check(&r.Principal, r.Action, &r.Resource) },
		loop: func(b *testing.B) {
			for b.Loop() {
				hand.Check(&r.Principal, r.Action, &r.Resource)
			}
		},
		par: func(pb *testing.PB) {
			for pb.Next() {
				hand.Check(&r.Principal, r.Action, &r.Resource)
			}
		},
	}, nil
}

// hand-written behind a fast JSON parser

type handJSONChecker struct{}

func loadHandJSON(*scenario.Model, []scenario.Case) (checker, error) { return handJSONChecker{}, nil }

func (handJSONChecker) prepare(c *scenario.Case) (prepared, error) {
	req := c.RequestJSON()
	var k handjson.Checker
	dst := make([]byte, 0, 512)
	return prepared{
		decide: func() (outcome, error) {
			d, err := k.CheckJSON(nil, req)
			return outcome{allowed: allowedJSON(d), decision: d}, err
		},
		op: func() { dst, _ = k.CheckJSON(dst[:0], req) },
		par: func(pb *testing.PB) {
			var k handjson.Checker
			dst := make([]byte, 0, 512)
			for pb.Next() {
				dst, _ = k.CheckJSON(dst[:0], req)
			}
		},
	}, nil
}

// permc reference evaluator

type evalChecker struct {
	e interface{ DecideJSON([]byte) []byte }
}

func loadEval(m *scenario.Model, _ []scenario.Case) (checker, error) {
	e, err := refeval.New(m)
	return evalChecker{e}, err
}

func (k evalChecker) prepare(c *scenario.Case) (prepared, error) {
	req := c.RequestJSON()
	return prepared{
		decide: func() (outcome, error) {
			d := k.e.DecideJSON(req)
			return outcome{allowed: allowedJSON(d), decision: d}, nil
		},
		op: func() { k.e.DecideJSON(req) },
	}, nil
}

// cel-go

type celChecker struct{ e *celgo.Engine }

func loadCEL(m *scenario.Model, _ []scenario.Case) (checker, error) {
	e, err := celgo.New(m)
	return celChecker{e}, err
}

func (k celChecker) prepare(c *scenario.Case) (prepared, error) {
	r, err := celgo.NewRequest(c)
	if err != nil {
		return prepared{}, err
	}
	return prepared{
		decide: func() (outcome, error) {
			ok, err := k.e.Check(r)
			return outcome{allowed: ok}, err
		},
		op: func() { k.e.Check(r) },
	}, nil
}

// cedar-go

type cedarChecker struct {
	ps       *cedar.PolicySet
	entities cedar.EntityMap
}

func loadCedar(m *scenario.Model, cs []scenario.Case) (checker, error) {
	ps, err := cedarpol.New(m)
	if err != nil {
		return nil, err
	}
	return cedarChecker{ps, cedarpol.Entities(m, cs)}, nil
}

func (k cedarChecker) prepare(c *scenario.Case) (prepared, error) {
	req := cedarpol.Request(c)
	return prepared{
		decide: func() (outcome, error) {
			d, diag := cedar.Authorize(k.ps, k.entities, req)
			if len(diag.Errors) > 0 {
				return outcome{}, fmt.Errorf("cedar: %v", diag.Errors)
			}
			return outcome{allowed: d == cedar.Allow}, nil
		},
		op: func() { cedar.Authorize(k.ps, k.entities, req) },
	}, nil
}

// OPA

type opaChecker struct {
	check func(input any) (bool, error)
}

func loadOPA(m *scenario.Model, _ []scenario.Case) (checker, error) {
	q, err := oparego.New(m)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	return opaChecker{check: func(in any) (bool, error) { return oparego.Check(ctx, q, in) }}, nil
}

func (k opaChecker) prepare(c *scenario.Case) (prepared, error) {
	in, err := oparego.Input(c)
	if err != nil {
		return prepared{}, err
	}
	return prepared{
		decide: func() (outcome, error) {
			ok, err := k.check(in)
			return outcome{allowed: ok}, err
		},
		op: func() { k.check(in) },
	}, nil
}

// casbin

type casbinChecker struct {
	enforce func(rvals ...any) (bool, error)
}

func loadCasbin(m *scenario.Model, cs []scenario.Case) (checker, error) {
	e, err := casbinrbac.New(m, cs)
	if err != nil {
		return nil, err
	}
	return casbinChecker{e.Enforce}, nil
}

func (k casbinChecker) prepare(c *scenario.Case) (prepared, error) {
	r := casbinrbac.NewRequest(c)
	return prepared{
		decide: func() (outcome, error) {
			ok, err := k.enforce(r...)
			return outcome{allowed: ok}, err
		},
		op: func() { k.enforce(r...) },
	}, nil
}

// OPA compiled to Wasm, on wazero

type opaWasmChecker struct {
	mod  *opawasm.Module
	inst *opawasm.Engine
}

// opaWasmBuilds caches OPA's Wasm build of each model scale: building is a step before
// deployment, so loading starts from the module's bytes (see BenchmarkBuild).
var opaWasmBuilds sync.Map // scale -> []byte

func opaWasmModule(m *scenario.Model) ([]byte, error) {
	if raw, ok := opaWasmBuilds.Load(m.Scale); ok {
		return raw.([]byte), nil
	}
	raw, err := opawasm.Build(m)
	if err != nil {
		return nil, err
	}
	opaWasmBuilds.Store(m.Scale, raw)
	return raw, nil
}

func loadOPAWasm(m *scenario.Model, _ []scenario.Case) (checker, error) {
	raw, err := opaWasmModule(m)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	mod, err := opawasm.Load(ctx, raw)
	if err != nil {
		return nil, err
	}
	inst, err := mod.Instantiate(ctx)
	if err != nil {
		return nil, err
	}
	return &opaWasmChecker{mod, inst}, nil
}

func (k *opaWasmChecker) close() { k.inst.Close(context.Background()) }

func (k *opaWasmChecker) prepare(c *scenario.Case) (prepared, error) {
	ctx := context.Background()
	in := c.RequestJSON()
	return prepared{
		decide: func() (outcome, error) {
			ok, err := k.inst.Allowed(ctx, in)
			return outcome{allowed: ok}, err
		},
		op: func() { k.inst.Allowed(ctx, in) },
		par: func(pb *testing.PB) {
			// A Wasm instance is single-threaded: one per goroutine, made here (its
			// cost, a fraction of a millisecond, is spread over the whole run).
			inst, err := k.mod.Instantiate(ctx)
			if err != nil {
				panic(err)
			}
			defer inst.Close(ctx)
			for pb.Next() {
				inst.Allowed(ctx, in)
			}
		},
	}, nil
}
