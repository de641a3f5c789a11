// Package genplan tests the query plans of generated Go packages: for random
// principals, credentials and contexts, the plan of a generated package must decide
// every random resource exactly as the package's own check does, and as the plan of
// package plan (the reference, on cel-go) does.
//
// The package generated from plan/testdata/ops.yaml, which uses every construct plans
// handle, is generated below this folder by the go:generate line of this file; it and
// the packages of the examples (in the examples module) have tests calling Agree.
package genplan

//go:generate go run github.com/permc/permc/cmd/permc generate --spec ../../plan/testdata/ops.yaml --out ops

import (
	"bytes"
	"testing"

	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/runtime/cond/pgsql"
)

// Authorizer is the part of a generated package's Authorizer that Agree uses.
type Authorizer interface {
	CheckJSON(dst, req []byte) []byte
	LoadRolesJSON(data []byte) error
	SetBudget(steps int64)
}

// PlanJSON is a generated Authorizer's PlanJSON method.
type PlanJSON func(req []byte, permission string) (cond.Cond, []runtime.Warning, error)

// Stats counts what Agree saw.
type Stats struct {
	Plans, Conditional, Residual int
	// SameSQL counts the conditional plans whose SQL is the SQL of package plan's plan,
	// Translated those that both translate.
	SameSQL, Translated int
}

// Check reports a run that planned nothing conditional (so tested little), and plans
// whose SQL differs from package plan's.
func (st Stats) Check(t *testing.T) {
	t.Helper()
	if st.Conditional == 0 {
		t.Error("no conditional plan at all")
	}
	if st.SameSQL != st.Translated {
		t.Errorf("%d of %d plans translate to other SQL than package plan's", st.Translated-st.SameSQL, st.Translated)
	}
}

// Agree plans n random requests per permission of the spec at specPath (with the
// custom roles at rolesPath, when not empty) with planJSON, and checks each plan against
// a's checks and package plan's plan on m random resources.
func Agree(t *testing.T, a Authorizer, planJSON PlanJSON, specPath, rolesPath string, seed uint64, n, m int) Stats {
	t.Helper()
	ev, planner, roles, custom := plantest.Setup(t, specPath, rolesPath)
	if roles != nil {
		if err := a.LoadRolesJSON(roles); err != nil {
			t.Fatal(err)
		}
	}
	s := ev.Spec()
	g := plantest.New(s, seed)
	g.CustomRoles = custom
	var st Stats
	for _, perm := range s.Permissions {
		table := &pgsql.Table{Name: "t", Columns: map[string]string{"id": "id"}}
		for _, attr := range perm.Resource.Attributes {
			table.Columns[attr.Name] = attr.Name
		}
		for i := 0; i < n; i++ {
			req := g.Request(4)
			js := plantest.JSON(req)
			got, warnings, err := planJSON(js, perm.Name)
			want, werr := planner.PlanJSON(js, perm.Name)
			if (err == nil) != (werr == nil) {
				t.Fatalf("plan %s: error %v, package plan: %v\n%s", perm.Name, err, werr, js)
			}
			if err != nil {
				continue
			}
			st.Plans++
			if len(warnings) != len(want.Warnings) {
				t.Errorf("plan %s: %d warnings, package plan %d\n%s", perm.Name, len(warnings), len(want.Warnings), js)
			}
			if got != cond.True && got != cond.False {
				st.Conditional++
				if bytes.Contains(cond.AppendJSON(nil, got), []byte(`"op":"unplanned"`)) {
					st.Residual++
				}
				q1, e1 := pgsql.Where(got, table, 1)
				q2, e2 := pgsql.Where(want.Cond, table, 1)
				if e1 == nil && e2 == nil {
					st.Translated++
					if q1.Where == q2.Where {
						st.SameSQL++
					}
				}
			}
			for j := 0; j < m; j++ {
				id, attrs := g.Resource(perm.Resource)
				check := plantest.CheckRequest(req, perm, id, attrs)
				allowed := bytes.HasPrefix(a.CheckJSON(nil, check), []byte(`{"allowed":true`))
				res := map[string]any{"id": id}
				for k, v := range attrs {
					res[k] = v
				}
				if g := cond.Eval(got, res); g != allowed {
					t.Fatalf("generated plan allows = %v, check allowed = %v\nrequest: %s\nplan: %s\npackage plan: %s", g, allowed, check, got, want.Cond)
				}
				if w := want.Allows(res); w != allowed {
					t.Fatalf("package plan allows = %v, check allowed = %v\nrequest: %s\nplan: %s", w, allowed, check, want.Cond)
				}
			}
		}
	}
	t.Logf("%d plans: %d conditional (%d with residuals); %d of %d translated to SQL as package plan's", st.Plans, st.Conditional, st.Residual, st.SameSQL, st.Translated)
	return st
}

// AgreeOnBudgets plans n random requests per permission of the spec at specPath with
// planJSON and with package plan, under each of the evaluation budgets, and requires
// the same condition: plans charge the same steps for what they evaluate without the
// resource, and both fail closed alike where the budget runs out. (A check charges for
// the resource as well, so with small budgets plans and checks may differ.)
func AgreeOnBudgets(t *testing.T, a Authorizer, planJSON PlanJSON, specPath string, seed uint64, n int, budgets ...int64) {
	t.Helper()
	ev, planner, _, _ := plantest.Setup(t, specPath, "")
	defer a.SetBudget(0)
	defer ev.SetBudget(0)
	var unlimited []string // the plans under the first budget, to see the others bite
	conditional, changed := 0, 0
	for bi, budget := range budgets {
		a.SetBudget(budget)
		ev.SetBudget(budget)
		g := plantest.New(ev.Spec(), seed)
		k := 0
		for _, perm := range ev.Spec().Permissions {
			for i := 0; i < n; i++ {
				js := plantest.JSON(g.Request(4))
				got, _, err := planJSON(js, perm.Name)
				want, werr := planner.PlanJSON(js, perm.Name)
				if (err == nil) != (werr == nil) {
					t.Fatalf("plan %s: error %v, package plan: %v\n%s", perm.Name, err, werr, js)
				}
				if err != nil {
					continue
				}
				if want.Cond != cond.True && want.Cond != cond.False {
					conditional++
				}
				g, w := got.String(), want.Cond.String()
				if g != w {
					t.Fatalf("budget %d, plan %s:\n%s\npackage plan:\n%s\nrequest %s", budget, perm.Name, g, w, js)
				}
				if bi == 0 {
					unlimited = append(unlimited, w)
				} else if unlimited[k] != w {
					changed++
				}
				k++
			}
		}
	}
	if conditional == 0 {
		t.Error("no conditional plan at all")
	}
	if len(budgets) > 1 && changed == 0 {
		t.Error("no budget changed any plan: the budgets never ran out")
	}
	t.Logf("%d conditional plans, %d changed by a smaller budget", conditional, changed)
}
