package wasmc_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/plan"
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

// planSpecs are the specs of the decision corpus, of the examples and package plan's
// spec of every construct plans handle.
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
	out = append(out, planSpec{name: "plan/ops", path: "../../plan/testdata/ops.yaml"})
	if len(out) < 8 {
		t.Fatalf("only %d specs", len(out))
	}
	return out
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// wantPlan is the plan JSON the module must answer: the generated Go's condition,
// CEL and warnings (the driver's answer) with package plan's reason, as
// plan.Plan.AppendJSON writes them.
func wantPlan(t *testing.T, perm *spec.Permission, goPlan []byte, ref *plan.Plan) []byte {
	t.Helper()
	if bytes.HasPrefix(goPlan, []byte(`{"error":`)) {
		return goPlan
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
	head := fmt.Sprintf(`{"permission":%q,"resource_type":%q,`, perm.Name, perm.Resource.Name)
	return append(append(append([]byte(head), goPlan[1:w]...), reason...), goPlan[w:]...)
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
			_, planner, roles, custom := plantest.Setup(t, ps.path, ps.roles)
			s, err := spec.LoadFile(ps.path)
			if err != nil {
				t.Fatal(err)
			}
			h, d := newPlanHost(t, s), driver(t, s)
			if roles != nil {
				h.loadRoles(roles)
				if err := d.LoadRoles(roles); err != nil {
					t.Fatal(err)
				}
			}
			g := plantest.New(s, 1)
			g.CustomRoles = custom
			conditional := 0
			for _, perm := range s.Permissions {
				for i := range n {
					req := g.Request(4)
					req["permission"] = perm.Name
					if i%3 == 0 {
						req["resource"] = map[string]any{"type": perm.Resource.Name}
					}
					js := plantest.JSON(req)
					ref, err := planner.PlanJSON(js, "")
					if err != nil {
						t.Fatalf("package plan: %v\n%s", err, js)
					}
					want := wantPlan(t, perm, d.PlanJSON(js), ref)
					got := h.plan(js)
					if !bytes.Equal(got, want) {
						t.Fatalf("request %s\nwasm: %s\ngo:   %s", js, got, want)
					}
					if bytes.Contains(got, []byte(`"decision":"conditional"`)) {
						conditional++
					}
				}
			}
			if conditional == 0 {
				t.Error("no conditional plan")
			}
			t.Logf("%d plans, %d conditional", n*len(s.Permissions), conditional)
		})
	}
}

// TestPlanRequests: malformed plan requests get the generated Go's errors, byte for
// byte.
func TestPlanRequests(t *testing.T) {
	s, err := spec.LoadFile("../../examples/contentlibraries/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h, d := newPlanHost(t, s), driver(t, s)
	p := `"principal":{"id":"alice"}`
	for _, req := range []string{
		``, `nul`, `[]`, `{}`, `{"permission":1}`, `{"permission":"library.nope",` + p + `}`,
		`{"permission":"library.view"}`, `{"permission":"library.view","resource":null,` + p + `}`,
		`{"permission":"library.view","resource":{"type":"course"},` + p + `}`,
		`{"permission":"library.view","resource":{"type":"library","id":"x"},` + p + `}`,
		`{"permission":"library.view","resource":[],` + p + `}`, `{"permission":"library.view","resource":{},` + p + `}`,
		`{"permission":"library.view","principal":{"id":"alice","roles":[{"role":"x"}]}}`,
		`{"permission":"library.view",` + p + `,"extra":1}`, `{"permission":"library.view",` + p + `,"credential":null}`,
		`{"permission":"library.view",` + p + `,"context":{"time":"yesterday"}}`,
		`{"permission":"library.view","principal":{"id":"alice","roles":[{"role":"library_author","scope":{"type":"org"}}]}}`,
		`{"permission":"library.view",` + p + `}` + strings.Repeat(" ", 10),
	} {
		got, want := h.plan([]byte(req)), d.PlanJSON([]byte(req))
		if bytes.HasPrefix(want, []byte(`{"error":`)) != bytes.HasPrefix(got, []byte(`{"error":`)) ||
			bytes.HasPrefix(want, []byte(`{"error":`)) && !bytes.Equal(got, want) {
			t.Errorf("request %s\nwasm: %s\ngo:   %s", req, got, want)
		}
	}
}
