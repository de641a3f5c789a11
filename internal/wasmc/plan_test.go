package wasmc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/spec"
)

// The statuses of the ABI's packed results.
const (
	statusOK       = 0
	statusRejected = 1
)

// planHost calls a module built by wasmc through the ABI, one export call at a time.
type planHost struct {
	t   testing.TB
	mod api.Module
	fns map[string]api.Function
}

func newPlanHost(t testing.TB, s *spec.Spec) *planHost {
	t.Helper()
	bin, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(wasmtest.CompilationCache()))
	t.Cleanup(func() { r.Close(ctx) })
	mod, err := r.Instantiate(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	return &planHost{t: t, mod: mod, fns: map[string]api.Function{}}
}

func (h *planHost) invoke(name string, args ...uint64) uint64 {
	h.t.Helper()
	fn := h.fns[name]
	if fn == nil {
		if fn = h.mod.ExportedFunction(name); fn == nil {
			h.t.Fatalf("no export %s", name)
		}
		h.fns[name] = fn
	}
	res, err := fn.Call(ctx, args...)
	if err != nil {
		h.t.Fatalf("%s trapped: %v", name, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// call runs an export of (ptr, len) on input: its status and result.
func (h *planHost) call(name string, input []byte) (uint32, []byte) {
	h.t.Helper()
	p := uint32(h.invoke("permc_alloc", uint64(max(len(input), 1))))
	if p == 0 || !h.mod.Memory().Write(p, input) {
		h.t.Fatalf("no block of %d bytes", len(input))
	}
	r := h.invoke(name, uint64(p), uint64(len(input)))
	ptr, status, n := uint32(r>>32), uint32(r>>28)&0xf, uint32(r&(1<<28-1))
	out, ok := h.mod.Memory().Read(ptr, n)
	if !ok {
		h.t.Fatalf("%s: a result of %d bytes at %d, outside memory", name, n, ptr)
	}
	out = bytes.Clone(out)
	h.invoke("permc_free", uint64(p))
	return status, out
}

// plan answers a plan request: the plan, or {"error": ...} for a malformed one.
func (h *planHost) plan(req []byte) []byte {
	h.t.Helper()
	status, out := h.call("permc_plan", req)
	if status != statusOK && status != statusRejected {
		h.t.Fatalf("permc_plan(%s): status %d %s", req, status, out)
	}
	if (status == statusRejected) != bytes.HasPrefix(out, []byte(`{"error":`)) {
		h.t.Fatalf("permc_plan(%s): status %d %s", req, status, out)
	}
	return out
}

func (h *planHost) loadRoles(roles []byte) {
	h.t.Helper()
	if status, out := h.call("permc_load_roles", roles); status != statusOK {
		h.t.Fatalf("custom roles: status %d %s", status, out)
	}
}

// planSpec is a spec whose plans the tests compare, with its custom roles.
type planSpec struct {
	name, path, roles string
}

// planSpecs are the specs of the decision corpus, of the examples, package plan's spec
// of every construct plans handle, and the evaluator's test spec.
func planSpecs(t *testing.T) []planSpec {
	t.Helper()
	groups, err := corpus.Load("../../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	var out []planSpec
	for _, g := range groups {
		ps := planSpec{name: "corpus/" + g.Name, path: g.Spec}
		if g.Roles != nil {
			ps.roles = filepath.Join(g.Dir, "roles.json")
		}
		out = append(out, ps)
	}
	examples, _ := filepath.Glob("../../examples/*/spec.yaml")
	for _, path := range examples {
		ps := planSpec{name: "examples/" + filepath.Base(filepath.Dir(path)), path: path}
		if roles := filepath.Join(filepath.Dir(path), "roles.json"); fileExists(roles) {
			ps.roles = roles
		}
		out = append(out, ps)
	}
	out = append(out, planSpec{name: "plan/ops", path: "../../plan/testdata/ops.yaml"},
		planSpec{name: "eval/semantics", path: "../../eval/testdata/semantics.yaml"})
	if len(out) < 8 {
		t.Fatalf("only %d specs", len(out))
	}
	return out
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// planBackends are a spec's module, its generated Go and package plan's planner,
// with the same custom roles, and a generator of random requests for them.
type planBackends struct {
	t       *testing.T
	s       *spec.Spec
	h       *planHost
	d       *gobackend.Driver
	planner *plan.Planner
	g       *plantest.Gen
}

func newPlanBackends(t *testing.T, ps planSpec, seed uint64) *planBackends {
	t.Helper()
	_, planner, roles, custom := plantest.Setup(t, ps.path, ps.roles)
	s, err := spec.LoadFile(ps.path)
	if err != nil {
		t.Fatal(err)
	}
	b := &planBackends{t: t, s: s, h: newPlanHost(t, s), d: driver(t, s), planner: planner, g: plantest.New(s, seed)}
	b.g.CustomRoles = custom
	if roles != nil {
		b.h.loadRoles(roles)
		if err := b.d.LoadRoles(roles); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// request returns a random plan request with up to max role assignments; none for a
// spec without roles, built in or custom, for the generator has none to pick.
func (b *planBackends) request(max int) map[string]any {
	if len(b.s.Roles) == 0 && len(b.g.CustomRoles) == 0 {
		max = 0
	}
	return b.g.Request(max)
}

// want is the answer to req the module must give (see wantPlan).
func (b *planBackends) want(req []byte) []byte {
	b.t.Helper()
	return wantPlan(b.t, b.d.PlanJSON(req), b.planner, req)
}

// wantPlan is the plan JSON the module must answer: the generated Go's condition,
// CEL and warnings (the driver's answer) with package plan's reason, as
// plan.Plan.AppendJSON writes them.
func wantPlan(t *testing.T, goPlan []byte, planner *plan.Planner, req []byte) []byte {
	t.Helper()
	if bytes.HasPrefix(goPlan, []byte(`{"error":`)) {
		return goPlan
	}
	ref, err := planner.PlanJSON(req, "")
	if err != nil {
		t.Fatalf("package plan: %v, generated Go: %s\n%s", err, goPlan, req)
	}
	w := bytes.Index(goPlan, []byte(`,"warnings":`))
	if w < 0 {
		t.Fatalf("no warnings in the generated Go's plan %s", goPlan)
	}
	var reason []byte
	refJSON := ref.AppendJSON(nil)
	if i := bytes.Index(refJSON, []byte(`,"reason":`)); i >= 0 {
		reason = refJSON[i:bytes.Index(refJSON, []byte(`,"warnings":`))]
	}
	out := runtime.AppendJSONString([]byte(`{"permission":`), ref.Permission.Name)
	out = runtime.AppendJSONString(append(out, `,"resource_type":`...), ref.Resource.Name)
	return append(append(append(append(out, ','), goPlan[1:w]...), reason...), goPlan[w:]...)
}

// TestPlans plans random requests for every permission of every spec with a module
// built by wasmc, and compares each plan with the generated Go's, byte for byte.
func TestPlans(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 10
	}
	for _, ps := range planSpecs(t) {
		t.Run(ps.name, func(t *testing.T) {
			b := newPlanBackends(t, ps, 1)
			s, h := b.s, b.h
			conditional := 0
			for _, perm := range s.Permissions {
				for i := range n {
					req := b.request(4)
					req["permission"] = perm.Name
					if i%3 == 0 {
						req["resource"] = map[string]any{"type": perm.Resource.Name}
					}
					js := plantest.JSON(req)
					want := b.want(js)
					got := h.plan(js)
					if !bytes.Equal(got, want) {
						t.Fatalf("request %s\nwasm: %s\ngo:   %s", js, got, want)
					}
					if bytes.Contains(got, []byte(`"decision":"conditional"`)) {
						conditional++
					}
				}
			}
			// A spec whose expressions never read the resource has no conditional plan.
			if conditional == 0 && bytes.Contains(s.Source, []byte("resource.")) {
				t.Error("no conditional plan")
			}
			t.Logf("%d plans, %d conditional", n*len(s.Permissions), conditional)
		})
	}
}

// TestPlanRequests: malformed plan requests get the generated Go's errors, and odd
// but valid ones (escaped strings, a resource that names its type, nulls) its plans,
// byte for byte.
func TestPlanRequests(t *testing.T) {
	b := newPlanBackends(t, planSpec{path: "../../examples/contentlibraries/spec.yaml"}, 1)
	p := `"principal":{"id":"alice"}`
	for _, req := range []string{
		``, `nul`, `[]`, `{}`, `{"permission":1}`, `{"permission":"library.nope",` + p + `}`,
		`{"permission":"library.view"}`, `{"permission":"library.view","resource":null,` + p + `}`,
		`{"permission":"library.view","resource":{"type":"course"},` + p + `}`,
		`{"permission":"library.view","resource":{"type":"library"},` + p + `}`,
		`{"permission":"library.view","resource":{"type":"library","id":"x"},` + p + `}`,
		`{"permission":"library.view","resource":[],` + p + `}`, `{"permission":"library.view","resource":{},` + p + `}`,
		`{"permission":"library.view","principal":{"id":"alice","roles":[{"role":"x"}]}}`,
		`{"permission":"library.view",` + p + `,"extra":1}`, `{"permission":"library.view",` + p + `,"credential":null}`,
		`{"permission":"library.view",` + p + `,"context":{"time":"yesterday"}}`,
		`{"permission":"library.view","principal":{"id":"alice","roles":[{"role":"library_author","scope":{"type":"org"}}]}}`,
		`{"permission":"library.view",` + p + `}` + strings.Repeat(" ", 10),
		// Strings with escapes are decoded into the call's arena, where the plan is built.
		`{"permission":"libr\u0061ry.edit","principal":{"id":"a\"b","attributes":{"orgs":["\u00e9\n"]},"roles":[` +
			`{"role":"library_author","scope":{"type":"org_except","org":"x\\y","except":["\t","\u2028"]}}]}}`,
	} {
		got, want := b.h.plan([]byte(req)), b.want([]byte(req))
		if !bytes.Equal(got, want) {
			t.Errorf("request %s\nwasm: %s\ngo:   %s", req, got, want)
		}
	}
}

// damage changes a request the ways a careless or hostile client might: truncated,
// a byte replaced, a key inserted, nested in another object, a value of another
// kind, or deeply nested arrays.
func damage(r *rand.Rand, req []byte) []byte {
	out := bytes.Clone(req)
	switch r.IntN(6) {
	case 0:
		return out[:r.IntN(len(out))]
	case 1:
		const junk = "{}[]\",:0-\\ \xffa"
		out[r.IntN(len(out))] = junk[r.IntN(len(junk))]
		return out
	case 2:
		i := r.IntN(len(out))
		return append(out[:i], append([]byte(`"x":`), out[i:]...)...)
	case 3:
		return []byte(strings.Repeat("[", 70) + strings.Repeat("]", 70))
	case 4:
		// A string, number or array where the request has a value.
		for _, key := range []string{`"roles":`, `"attributes":`, `"filters":`, `"scope":`, `"id":`, `"context":`} {
			if i := bytes.Index(out, []byte(key)); i >= 0 && r.IntN(2) == 0 {
				i += len(key)
				return append(out[:i], append([]byte([]string{`7,"y":`, `"s","y":`, `[1],"y":`, `{},"y":`}[r.IntN(4)]), out[i:]...)...)
			}
		}
	}
	return append(append([]byte(`{"principal":`), out...), '}')
}

// TestPlanDamaged plans random requests, a third of them damaged, for every spec:
// the module answers each as the generated Go does, plan or error, byte for byte, and
// never traps.
func TestPlanDamaged(t *testing.T) {
	for i, ps := range planSpecs(t) {
		t.Run(ps.name, func(t *testing.T) {
			b := newPlanBackends(t, ps, uint64(i))
			s, h := b.s, b.h
			r := rand.New(rand.NewPCG(uint64(i), 3))
			for n := range 150 {
				req := b.request(3)
				perm := s.Permissions[r.IntN(len(s.Permissions))]
				req["permission"] = perm.Name
				if n%4 == 0 {
					req["resource"] = map[string]any{"type": s.Resources[r.IntN(len(s.Resources))].Name}
				}
				js := plantest.JSON(req)
				if n%3 == 0 {
					js = damage(r, js)
				}
				want, got := b.want(js), h.plan(js)
				if !bytes.Equal(got, want) {
					t.Fatalf("request %s\nwasm: %s\ngo:   %s", js, got, want)
				}
			}
		})
	}
}

func (h *planHost) setBudget(steps int) {
	h.t.Helper()
	if status, out := h.call("permc_configure", fmt.Appendf(nil, `{"budget":%d}`, steps)); status != statusOK {
		h.t.Fatalf("budget %d: status %d %s", steps, status, out)
	}
}

// TestPlanBudget: a plan charges one evaluation budget for all it evaluates without
// the resource, as a check does: a macro it unrolls, one step an element, fails as a
// whole once the budget is spent (and grants nothing), and a macro the interpreter
// runs for a deny rule fails the rule (which then denies). Each plan has a budget
// of its own.
func TestPlanBudget(t *testing.T) {
	s, err := spec.LoadFile("../../plan/testdata/ops.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h, d := newPlanHost(t, s), driver(t, s)
	// The rule "grouped" unrolls principal.groups, one step per group; nothing else
	// doc.read plans charges the budget.
	grouped := `{"permission":"doc.read","principal":{"id":"u","attributes":{"groups":["a","b","c"],"prefix":"p"}}}`
	ungrouped := `{"permission":"doc.read","principal":{"id":"u","attributes":{"groups":[],"prefix":"p"}}}`
	full, none := h.plan([]byte(grouped)), h.plan([]byte(ungrouped))
	if bytes.Equal(full, none) || !bytes.Contains(full, []byte(`resource.tags.exists(t, t == \"c\")`)) {
		t.Fatalf("the groups make no difference:\n%s\n%s", full, none)
	}
	for steps, want := range map[int][]byte{1: none, 2: none, 3: full, 4: full} {
		h.setBudget(steps)
		for range 2 {
			if got := h.plan([]byte(grouped)); !bytes.Equal(got, want) {
				t.Errorf("budget %d:\n got %s\nwant %s", steps, got, want)
			}
		}
	}
	h.setBudget(10_000_000)
	if got, want := h.plan([]byte(grouped)), d.PlanJSON([]byte(grouped)); !bytes.Contains(got, want[1:bytes.Index(want, []byte(`,"warnings"`))]) {
		t.Errorf("default budget:\n got %s\nwant %s", got, want)
	}

	// key-ip-allowlist's exists() over the credential's five ranges finds the
	// client's address at the fifth: with fewer steps it fails, and the rule denies.
	s, err = spec.LoadFile("../../examples/contentlibraries/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h = newPlanHost(t, s)
	req := func(ip string) []byte {
		return fmt.Appendf(nil, `{"permission":"library.view","principal":{"id":"u"},"context":{"ip":%q},`+
			`"credential":{"attributes":{"allowed_ips":["10.1.0.0/16","10.2.0.0/16","10.3.0.0/16","10.4.0.0/16","10.5.0.0/16"]}}}`, ip)
	}
	allowed, denied := h.plan(req("10.5.1.1")), h.plan(req("192.168.1.1"))
	if !bytes.Contains(denied, []byte(`"reason":{"kind":"deny_rule","rule":"key-ip-allowlist"}`)) || bytes.Equal(allowed, denied) {
		t.Fatalf("the allowlist decides nothing:\n%s\n%s", allowed, denied)
	}
	for steps, want := range map[int][]byte{1: denied, 4: denied, 5: allowed} {
		h.setBudget(steps)
		if got := h.plan(req("10.5.1.1")); !bytes.Equal(got, want) {
			t.Errorf("budget %d:\n got %s\nwant %s", steps, got, want)
		}
	}
}

// bigPlanRequest is a plan request of a principal with n role assignments (orgs,
// groups of libraries, exceptions and unknown roles) and n organizations.
func bigPlanRequest(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"permission":"library.edit","principal":{"id":"u","attributes":{"orgs":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"org%d"`, i)
	}
	b.WriteString(`]},"roles":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `{"role":"library_author","scope":{"type":"org","org":"org%d"}}`, i%97)
		case 1:
			fmt.Fprintf(&b, `{"role":"library_author","scope":{"type":"libraries","ids":["lib%d","lib%d"]}}`, i, i/2)
		case 2:
			fmt.Fprintf(&b, `{"role":"library_admin","scope":{"type":"org_except","org":"org%d","except":["lib%d"]}}`, i%13, i)
		default:
			fmt.Fprintf(&b, `{"role":"ghost%d","scope":{"type":"org","org":"x"}}`, i)
		}
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// TestPlanLarge plans for principals with up to 12,000 role assignments, the most a
// request of 1 MiB holds: the generated Go's plans, and an instance that stays under
// 12 MiB of memory, and does not grow once the largest plan has been made twice.
func TestPlanLarge(t *testing.T) {
	b := newPlanBackends(t, planSpec{path: "../../examples/contentlibraries/spec.yaml"}, 1)
	for _, n := range []int{100, 4000, 12000} {
		req := bigPlanRequest(n)
		if len(req) > 1<<20 {
			t.Fatalf("a request of %d bytes", len(req))
		}
		got, want := b.h.plan(req), b.want(req)
		if !bytes.Equal(got, want) {
			t.Fatalf("%d assignments:\nwasm: %.2000s\ngo:   %.2000s", n, got, want)
		}
	}
	b.h.plan(bigPlanRequest(12000))
	size := b.h.mod.Memory().Size()
	if size > 12<<20 {
		t.Errorf("memory is %d bytes", size)
	}
	b.h.plan(bigPlanRequest(12000))
	if again := b.h.mod.Memory().Size(); again != size {
		t.Errorf("memory grew from %d to %d bytes planning again", size, again)
	}
}

// BenchmarkPlan plans through the ABI from Go (wazero), for principals with 10, 100
// and 1000 role assignments, and with the generated Go's PlanJSON for comparison.
func BenchmarkPlan(b *testing.B) {
	s, err := spec.LoadFile("../../examples/contentlibraries/spec.yaml")
	if err != nil {
		b.Fatal(err)
	}
	h := newPlanHost(b, s)
	a := libauthz.NewAuthorizer()
	for _, n := range []int{10, 100, 1000} {
		req := bigPlanRequest(n)
		b.Run(fmt.Sprintf("wasm/%d", n), func(b *testing.B) {
			for b.Loop() {
				h.plan(req)
			}
		})
		b.Run(fmt.Sprintf("go/%d", n), func(b *testing.B) {
			for b.Loop() {
				c, _, err := a.PlanJSON(req, "")
				if err != nil {
					b.Fatal(err)
				}
				cond.AppendJSON(nil, c)
				_ = c.String()
			}
		})
	}
}

// TestPlanShapes plans expressions as deeply nested as specs may write them (CEL's
// limit is 250 levels), and as wide: a list of 300 elements and 300 conjuncts. The
// generated Go's plans, and no trap for want of stack.
func TestPlanShapes(t *testing.T) {
	deep := "resource.n == 0"
	for i := 1; i < 245; i++ {
		switch {
		case i%3 == 0:
			deep = "!(" + deep + ")"
		case i%2 == 1:
			deep = fmt.Sprintf("(resource.m == %d && %s)", i, deep)
		default:
			deep = fmt.Sprintf("(resource.n == %d || %s)", i, deep)
		}
	}
	var items, ands []string
	for i := range 300 {
		items = append(items, fmt.Sprintf("'v%d'", i))
		ands = append(ands, fmt.Sprintf("resource.n != %d", i))
	}
	path := filepath.Join(t.TempDir(), "spec.yaml")
	src := fmt.Sprintf(`version: 1
package: shapes
resources:
  doc:
    attributes: {n: int, m: int, org: string, x: string}
    permissions: [read, edit, view]
rules:
  - {id: all, allow: [doc.read, doc.edit]}
  - {id: deny, deny: [doc.read], when: %q}
  - {id: allow, allow: [doc.edit], when: %q}
  - {id: list, allow: [doc.view], when: %q}
  - {id: ands, allow: [doc.view], when: %q}
`, deep, deep, "resource.org in [resource.x, "+strings.Join(items, ", ")+"]", strings.Join(ands, " && "))
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newPlanBackends(t, planSpec{path: path}, 1)
	for _, perm := range []string{"doc.read", "doc.edit", "doc.view"} {
		req := []byte(`{"permission":"` + perm + `","principal":{"id":"u"}}`)
		if got, want := b.h.plan(req), b.want(req); !bytes.Equal(got, want) {
			t.Errorf("%s:\nwasm: %.300s\ngo:   %.300s", perm, got, want)
		}
	}
}

// FuzzPlan sends arbitrary bytes as plan requests: the module answers each with a plan
// (OK) or an error (REJECTED), and never traps. Its seeds run in every go test.
func FuzzPlan(f *testing.F) {
	s, err := spec.LoadFile("../../plan/testdata/ops.yaml")
	if err != nil {
		f.Fatal(err)
	}
	g := plantest.New(s, 5)
	r := rand.New(rand.NewPCG(5, 5))
	for i := range 40 {
		req := g.Request(3)
		req["permission"] = s.Permissions[i%len(s.Permissions)].Name
		js := plantest.JSON(req)
		f.Add(js)
		f.Add(damage(r, js))
	}
	f.Add([]byte(`{"permission":"doc.read","principal":{"id":"u","attributes":{"groups":["a","b"]}},"context":{"n":0}}`))
	h := newPlanHost(f, s)
	f.Fuzz(func(t *testing.T, req []byte) {
		h.t = t
		out := h.plan(req)
		if !bytes.HasPrefix(out, []byte(`{"error":`)) && !json.Valid(out) {
			t.Fatalf("%s: not JSON: %s", req, out)
		}
	})
}
