package plan_test

import (
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime/cond/pgsql"
)

// FuzzPlanAgreesWithCheck plans a random request (principal, assignments,
// credential, context) for a random permission of one of two specs, and checks the
// plan against the reference evaluator on random resources.
func FuzzPlanAgreesWithCheck(f *testing.F) {
	type engine struct {
		ev     *eval.Evaluator
		p      *plan.Planner
		custom []string
	}
	var engines []engine
	for _, sp := range [][2]string{{librariesSpec, "../examples/contentlibraries/roles.json"}, {"testdata/ops.yaml", ""}} {
		ev, p, custom := setup(f, sp[0], sp[1])
		engines = append(engines, engine{ev, p, custom})
	}
	for i := uint64(0); i < 16; i++ {
		f.Add(i, uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		e := engines[int(which)%len(engines)]
		s := e.ev.Spec()
		g := plantest.New(s, seed)
		g.CustomRoles = e.custom
		perm := s.Permissions[g.R.IntN(len(s.Permissions))]
		req := plantest.JSON(g.Request(1 + int(seed%7)))
		pl, err := e.p.PlanJSON(req, perm.Name)
		if err != nil {
			t.Fatalf("%v\n%s", err, req)
		}
		// The translation may refuse a plan, but never panics on one.
		cols := map[string]string{"id": "id"}
		for _, a := range perm.Resource.Attributes {
			cols[a.Name] = a.Name
		}
		if _, err := pgsql.Where(pl.Cond, &pgsql.Table{Name: perm.Resource.Name, Columns: cols}, 1); err != nil {
			if _, ok := err.(*pgsql.Error); !ok {
				t.Fatalf("pgsql.Where: %T %v", err, err)
			}
		}
		for j := 0; j < 25; j++ {
			id, attrs := g.Resource(perm.Resource)
			check := plantest.CheckRequestJSON(req, perm, plantest.ResourceJSON(perm.Resource, id, attrs))
			d, err := e.ev.Decide(check)
			if err != nil {
				t.Fatalf("%v\n%s", err, check)
			}
			attrs["id"] = id
			if got := pl.Allows(attrs); got != d.Allowed {
				t.Fatalf("plan allows = %v, check allowed = %v (%v)\nrequest: %s\nplan: %s", got, d.Allowed, d.Reason, check, pl.Cond)
			}
		}
	})
}
