package plan_test

import (
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/plan"
)

const librariesSpec = "../examples/contentlibraries/spec.yaml"

func setup(t testing.TB, specPath, rolesPath string) (*eval.Evaluator, *plan.Planner, []string) {
	t.Helper()
	ev, p, _, custom := plantest.Setup(t, specPath, rolesPath)
	return ev, p, custom
}

// agree plans n random requests per permission and checks each plan against the
// evaluator on m random resources. It returns how many plans were conditional.
func agree(t testing.TB, ev *eval.Evaluator, p *plan.Planner, g *plantest.Gen, n, m, maxAssign int) int {
	t.Helper()
	conditional := 0
	s := ev.Spec()
	for _, perm := range s.Permissions {
		for i := 0; i < n; i++ {
			req := g.Request(maxAssign)
			pl, err := p.PlanJSON(plantest.JSON(req), perm.Name)
			if err != nil {
				t.Fatalf("plan %s: %v\n%s", perm.Name, err, plantest.JSON(req))
			}
			if pl.Decision() == plan.Conditional {
				conditional++
			}
			for j := 0; j < m; j++ {
				id, attrs := g.Resource(perm.Resource)
				check := plantest.CheckRequest(req, perm, id, attrs)
				d, err := ev.Decide(check)
				if err != nil {
					t.Fatalf("check: %v\n%s", err, check)
				}
				res := map[string]any{"id": id}
				for k, v := range attrs {
					res[k] = v
				}
				if got := pl.Allows(res); got != d.Allowed {
					t.Fatalf("plan allows = %v, check allowed = %v (reason %v)\nrequest: %s\nplan: %s", got, d.Allowed, d.Reason, check, pl.AppendJSON(nil))
				}
			}
		}
	}
	return conditional
}

func TestAgreesWithCheckLibraries(t *testing.T) {
	ev, p, custom := setup(t, librariesSpec, "../examples/contentlibraries/roles.json")
	g := plantest.New(ev.Spec(), 1)
	g.CustomRoles = custom
	c := agree(t, ev, p, g, 100, 30, 4)
	if c == 0 {
		t.Error("no conditional plan at all")
	}
}

func TestAgreesWithCheckOps(t *testing.T) {
	ev, p, _ := setup(t, "testdata/ops.yaml", "")
	g := plantest.New(ev.Spec(), 2)
	c := agree(t, ev, p, g, 100, 30, 4)
	if c == 0 {
		t.Error("no conditional plan at all")
	}
}
