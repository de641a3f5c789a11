package benchmark

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime/cond"
)

// planRequest is the scenario's request without its resource and permission.
func planRequest(sc *scenario) []byte {
	var req map[string]any
	if err := json.Unmarshal(sc.json, &req); err != nil {
		panic(err)
	}
	delete(req, "resource")
	delete(req, "permission")
	out, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	return out
}

// TestPlanScenario checks that the generated plan and package plan's agree on the
// benchmark's requests.
func TestPlanScenario(t *testing.T) {
	p, err := plan.New(evaluator(t))
	if err != nil {
		t.Fatal(err)
	}
	a := libauthz.NewAuthorizer()
	for _, n := range []int{1, 10, 100} {
		sc := newScenario(n, true)
		want, err := p.PlanJSON(planRequest(sc), "library.edit")
		if err != nil {
			t.Fatal(err)
		}
		got := a.PlanLibrary(&sc.gp, libauthz.LibraryEdit, &sc.gc, &sc.gx)
		if got.Cond.String() != want.Cond.String() {
			t.Errorf("%d assignments: generated plan %s, package plan %s", n, got.Cond, want.Cond)
		}
		if !got.Allows(&sc.gr) {
			t.Errorf("%d assignments: the plan denies the library the check allows", n)
		}
		c, _, err := a.PlanJSON(planRequest(sc), "library.edit")
		if err != nil || c.String() != want.Cond.String() {
			t.Errorf("%d assignments: PlanJSON gives %v, %v", n, c, err)
		}
	}
}

// BenchmarkPlan plans library.edit for the benchmark's principal with 10 and 100
// assignments: generated (the typed PlanLibrary), generated-json (PlanJSON) and plan
// (package plan on cel-go, JSON).
func BenchmarkPlan(b *testing.B) {
	p, err := plan.New(evaluator(b))
	if err != nil {
		b.Fatal(err)
	}
	a := libauthz.NewAuthorizer()
	for _, n := range []int{10, 100} {
		sc := newScenario(n, true)
		req := planRequest(sc)
		b.Run(fmt.Sprintf("generated/assignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if a.PlanLibrary(&sc.gp, libauthz.LibraryEdit, &sc.gc, &sc.gx).Cond == cond.False {
					b.Fatal("denied")
				}
			}
		})
		b.Run(fmt.Sprintf("generated-json/assignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := a.PlanJSON(req, "library.edit"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("plan/assignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.PlanJSON(req, "library.edit"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
