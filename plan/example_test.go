package plan_test

import (
	"fmt"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime/cond/pgsql"
	"github.com/permc/permc/spec"
)

// Which libraries may alice edit? An author at MITx may edit its libraries, unless
// they are archived.
func ExamplePlanner_PlanJSON() {
	s, err := spec.LoadFile("../examples/contentlibraries/spec.yaml")
	if err != nil {
		panic(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		panic(err)
	}
	planner, err := plan.New(ev)
	if err != nil {
		panic(err)
	}
	req := `{"principal": {"id": "alice", "roles": [{"role": "library_author", "scope": {"type": "org", "org": "MITx"}}]}}`
	p, err := planner.PlanJSON([]byte(req), "library.edit")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Decision())
	fmt.Println(p.Cond)

	libraries := &pgsql.Table{Name: "libraries", Columns: map[string]string{"id": "id", "org": "org", "public": "public", "tags": "tags"}}
	q, err := pgsql.Where(p.Cond, libraries, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Where)
	fmt.Println(q.Args...)
	// Output:
	// conditional
	// !("archived" in resource.tags) && resource.org == "MITx"
	// (NOT ($1::text = ANY("tags")) AND "org" = $2::text)
	// archived MITx
}
