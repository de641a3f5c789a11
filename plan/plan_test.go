package plan_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/spec"
)

// TestRequestErrors: a plan request is malformed exactly when the check request would
// be, and also when it names the resource it is about.
func TestRequestErrors(t *testing.T) {
	_, p, _ := setup(t, librariesSpec, "")
	for _, tc := range []struct{ req, perm, want string }{
		{`{"principal": {"id": "a"}, "resource": {"type": "library", "id": "l"}}`, "library.view", `give only its "type", not "id"`},
		{`{"principal": {"id": "a"}, "resource": {"type": "library", "attributes": {}}}`, "library.view", `not "attributes"`},
		{`{"principal": {"id": "a"}, "resource": {"type": "course"}}`, "library.view", `not a permission of resource type "course"`},
		{`{"principal": {"id": "a"}, "resource": {"type": "libary"}}`, "library.view", `did you mean "library"`},
		{`{"principal": {"id": "a"}}`, "", "permission is required"},
		{`{"principal": {"id": "a"}}`, "library.vew", `unknown permission "library.vew" (did you mean "library.view"?)`},
		{`{"principal": {"id": "a"}, "permission": "library.edit"}`, "library.view", `asks about permission "library.edit", not "library.view"`},
		{`{"principal": {"id": 7}}`, "library.view", "principal.id: want a string"},
		{`{"principal": {"id": "a", "roles": [{"role": "library_user", "scope": {"type": "org", "orgg": "x"}}]}}`, "library.view", `no parameter "orgg"`},
		{`{"principal": {"id": "a"}, "context": {"time": "yesterday"}}`, "library.view", "RFC 3339"},
		{`{"principal": {"id": "a"}, "extra": 1}`, "library.view", `unknown key "extra"`},
		{`not json`, "library.view", "invalid JSON"},
	} {
		pl, err := p.PlanJSON([]byte(tc.req), tc.perm)
		if err == nil {
			t.Errorf("%s: got plan %s, want an error", tc.req, pl.Cond)
			continue
		}
		var re *eval.RequestError
		if !asRequestError(err, &re) {
			t.Errorf("%s: %T is not a *eval.RequestError", tc.req, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.req, err, tc.want)
		}
	}
	// The permission may come from the request alone, or from both when they agree.
	for _, tc := range []struct{ req, perm string }{
		{`{"principal": {"id": "a"}, "permission": "library.edit"}`, ""},
		{`{"principal": {"id": "a"}, "permission": "library.edit", "resource": {"type": "library"}}`, "library.edit"},
	} {
		pl, err := p.PlanJSON([]byte(tc.req), tc.perm)
		if err != nil || pl.Permission.Name != "library.edit" {
			t.Errorf("%s: %v", tc.req, err)
		}
	}
}

func asRequestError(err error, re **eval.RequestError) bool {
	r, ok := err.(*eval.RequestError)
	*re = r
	return ok
}

// TestWarningsAsInACheck: the plan lists the same warnings a check lists.
func TestWarningsAsInACheck(t *testing.T) {
	ev, p, _ := setup(t, librariesSpec, "../examples/contentlibraries/roles.json")
	req := `{"principal": {"id": "a", "roles": [
		{"role": "ghost", "scope": {"type": "nowhere"}},
		{"role": "library_author", "scope": {"type": "global"}},
		{"role": "reviewer", "scope": {"type": "org"}},
		{"role": "library_user", "scope": {"type": "org", "org": "MITx"}}]}}`
	pl, err := p.PlanJSON([]byte(req), "library.view")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ev.Decide([]byte(strings.Replace(req, `{"principal"`, `{"permission": "library.view", "resource": {"type": "library", "id": "l"}, "principal"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pl.Warnings) != fmt.Sprint(d.Warnings) || len(pl.Warnings) != 4 {
		t.Errorf("plan warnings %v\ncheck warnings %v", pl.Warnings, d.Warnings)
	}
	// Only the valid assignment grants.
	if got := pl.Cond.String(); got != `resource.public || resource.org == "MITx"` {
		t.Errorf("got %s", got)
	}
}

// TestConstantPlans: plans that allow or deny every resource say which step does.
func TestConstantPlans(t *testing.T) {
	_, p, _ := setup(t, librariesSpec, "../examples/contentlibraries/roles.json")
	for _, tc := range []struct {
		req, perm string
		want      plan.Decision
		reason    string
	}{
		{`{"principal": {"id": "a"}, "credential": {"attributes": {"allowed_ips": ["10.0.0.0/8"]}}, "context": {"ip": "192.168.0.1"}}`, "course.view", plan.AlwaysDenied, "deny_rule key-ip-allowlist"},
		// A deny rule that fails to evaluate denies: a malformed IP address.
		{`{"principal": {"id": "a", "attributes": {"is_staff": true}}, "credential": {"attributes": {"allowed_ips": ["10.0.0.0/8"]}}, "context": {"ip": "not an ip"}}`, "course.view", plan.AlwaysDenied, "deny_rule key-ip-allowlist"},
		{`{"principal": {"id": "a", "attributes": {"is_staff": true}}, "credential": {"scopes": ["courses:read"]}}`, "library.view", plan.AlwaysDenied, "credential"},
		{`{"principal": {"id": "a", "attributes": {"is_staff": true}}, "credential": {"filters": ["nope:x"]}}`, "course.view", plan.AlwaysDenied, "credential"},
		{`{"principal": {"id": "a"}}`, "course.view", plan.AlwaysDenied, "no_grant"},
		{`{"principal": {"id": "a", "attributes": {"is_staff": true}}}`, "org.manage", plan.AlwaysAllowed, "allow_rule staff"},
		{`{"principal": {"id": "a", "roles": [{"role": "course_staff", "scope": {"type": "org", "org": "x"}}, {"role": "course_staff", "scope": {"type": "global"}}]}, "context": {"time": "2029-01-01T00:00:00Z"}}`, "course.grade", plan.AlwaysAllowed, "role course_staff 1"},
		// After 2030 the role's condition is false: nothing grants.
		{`{"principal": {"id": "a", "roles": [{"role": "course_staff", "scope": {"type": "global"}}]}, "context": {"time": "2031-01-01T00:00:00Z"}}`, "course.grade", plan.AlwaysDenied, "no_grant"},
		// Staff may edit any library that is not archived: a deny rule keeps it conditional.
		{`{"principal": {"id": "a", "attributes": {"is_staff": true}}}`, "library.edit", plan.Conditional, ""},
	} {
		pl, err := p.PlanJSON([]byte(tc.req), tc.perm)
		if err != nil {
			t.Fatal(err)
		}
		reason := ""
		if r := pl.Reason; r != nil {
			reason = r.Kind.String()
			switch r.Kind {
			case runtime.DenyRule, runtime.AllowRule:
				reason += " " + r.Rule
			case runtime.Role:
				reason += fmt.Sprintf(" %s %d", r.Role, r.Assignment)
			}
		}
		if pl.Decision() != tc.want || reason != tc.reason {
			t.Errorf("%s %s: got %s (%s), want %s (%s)\n%s", tc.req, tc.perm, pl.Decision(), reason, tc.want, tc.reason, pl.Cond)
		}
	}
}

// TestErrorsFailClosed: where an expression fails for some resources only, a deny
// rule denies those resources and a grant does not grant them.
func TestErrorsFailClosed(t *testing.T) {
	ev, p, _ := setup(t, "testdata/ops.yaml", "")
	// The level filter divides by size(filter): "level:" fails for every resource.
	pl, err := p.PlanJSON([]byte(`{"principal": {"id": "a", "attributes": {"admin": true}, "roles": [{"role": "reader", "scope": {"type": "everything"}}]}, "credential": {"filters": ["level:", "level:ab"]}}`), "doc.read")
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.Cond.String(); got != "resource.level < 2" {
		t.Errorf("got %s, want resource.level < 2 (the failing filter value matches nothing)", got)
	}
	// doc.audit's deny rule indexes the resource's list: it fails on an empty list,
	// and that denies.
	pl, err = p.PlanJSON([]byte(`{"principal": {"id": "root"}}`), "doc.audit")
	if err != nil {
		t.Fatal(err)
	}
	for _, nums := range [][]any{{}, {int64(3)}, {int64(4)}} {
		res := map[string]any{"id": "d", "owner": "x", "nums": nums, "title": "root"}
		check := plantest.CheckRequest(map[string]any{"principal": map[string]any{"id": "root"}}, ev.Spec().Permission("doc.audit"), "d", map[string]any{"owner": "x", "nums": nums, "title": "root"})
		d, err := ev.Decide(check)
		if err != nil {
			t.Fatal(err)
		}
		if got := pl.Allows(res); got != d.Allowed || got != (len(nums) == 1 && nums[0] == int64(4)) {
			t.Errorf("nums %v: plan allows %v, check %v", nums, got, d.Allowed)
		}
	}
	var residual *cond.Residual
	findResidual(pl.Cond, &residual)
	if residual == nil || residual.At == nil || residual.At.Pos != "testdata/ops.yaml:129:11" || residual.At.Expr != "resource.nums[0]" {
		t.Errorf("residual %+v at %+v, want one at testdata/ops.yaml:129:11 naming resource.nums[0]", residual, residual.At)
	}
}

func findResidual(c cond.Cond, out **cond.Residual) {
	switch c := c.(type) {
	case *cond.Residual:
		if *out == nil {
			*out = c
		}
	case cond.And:
		for _, x := range c {
			findResidual(x, out)
		}
	case cond.Or:
		for _, x := range c {
			findResidual(x, out)
		}
	case *cond.Not:
		findResidual(c.X, out)
	}
}

// TestCustomRolesLoadedLater: the planner uses the evaluator's roles as they are now.
func TestCustomRolesLoadedLater(t *testing.T) {
	ev, p, _ := setup(t, librariesSpec, "")
	req := []byte(`{"principal": {"id": "a", "roles": [{"role": "publisher", "scope": {"type": "org", "org": "MITx"}}]}}`)
	pl, err := p.PlanJSON(req, "library.publish")
	if err != nil {
		t.Fatal(err)
	}
	if pl.Decision() != plan.AlwaysDenied || len(pl.Warnings) != 1 {
		t.Fatalf("before loading roles: %s, warnings %v", pl.Cond, pl.Warnings)
	}
	data, err := os.ReadFile("../examples/contentlibraries/roles.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.LoadRoles(data); err != nil {
		t.Fatal(err)
	}
	if pl, err = p.PlanJSON(req, "library.publish"); err != nil {
		t.Fatal(err)
	}
	if got := pl.Cond.String(); got != `!("archived" in resource.tags) && resource.org == "MITx"` || len(pl.Warnings) != 0 {
		t.Errorf("after loading roles: %s, warnings %v", got, pl.Warnings)
	}
}

// TestManyAssignments: assignments at many orgs become one membership test.
func TestManyAssignments(t *testing.T) {
	_, p, _ := setup(t, librariesSpec, "")
	pl, err := p.PlanJSON(assignments(100), "library.edit")
	if err != nil {
		t.Fatal(err)
	}
	want := `!("archived" in resource.tags) && (resource.org in ["org0", "org1", `
	if got := pl.Cond.String(); !strings.HasPrefix(got, want) || strings.Count(got, "resource.org") != 2 || !strings.Contains(got, `resource.id in ["lib0", "lib1", "lib2"]`) {
		t.Errorf("got %s", got)
	}
}

// assignments returns a request whose principal has n assignments: library authors
// at n-1 orgs (one with an exception) and a reviewer of three libraries.
func assignments(n int) []byte {
	var roles []string
	for i := 0; i < n-1; i++ {
		scope := fmt.Sprintf(`{"type": "org", "org": "org%d"}`, i)
		if i == 3 {
			scope = fmt.Sprintf(`{"type": "org_except", "org": "org%d", "except": ["secret"]}`, i)
		}
		roles = append(roles, fmt.Sprintf(`{"role": "library_author", "scope": %s}`, scope))
	}
	roles = append(roles, `{"role": "library_author", "scope": {"type": "libraries", "ids": ["lib0", "lib1", "lib2"]}}`)
	return []byte(fmt.Sprintf(`{"principal": {"id": "alice", "attributes": {"orgs": ["org0"]}, "roles": [%s]}, "context": {"time": "2026-01-01T00:00:00Z"}}`, strings.Join(roles, ",")))
}

// TestPlanJSON pins the JSON encoding of a plan.
func TestPlanJSON(t *testing.T) {
	_, p, _ := setup(t, librariesSpec, "")
	pl, err := p.PlanJSON([]byte(`{"principal": {"id": "a", "roles": [{"role": "library_author", "scope": {"type": "org", "org": "MITx"}}, {"role": "x", "scope": {"type": "global"}}]}}`), "library.edit")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"permission":"library.edit","resource_type":"library","decision":"conditional",` +
		`"condition":{"and":[{"not":{"op":"in","left":{"value":"archived","type":"string"},"right":{"attr":"tags"}}},{"op":"==","left":{"attr":"org"},"right":{"value":"MITx","type":"string"}}]},` +
		`"cel":"!(\"archived\" in resource.tags) \u0026\u0026 resource.org == \"MITx\"",` +
		`"warnings":[{"assignment":1,"message":"unknown role \"x\""}]}`
	want = strings.ReplaceAll(want, `\u0026`, "&")
	if got := string(pl.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestShadowedResource: a macro variable may be called resource; inside its body the
// name means the element, which is known.
func TestShadowedResource(t *testing.T) {
	s, err := spec.Load("shadow.yaml", []byte(`version: 1
package: shadow
principal: {orgs: list(string)}
resources:
  doc:
    attributes: {org: string}
    permissions: [read]
rules:
  - id: r
    allow: [doc.read]
    when: principal.orgs.exists(resource, resource == "a") && resource.org == "x"
`))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(ev)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.PlanJSON([]byte(`{"principal": {"id": "a", "attributes": {"orgs": ["b", "a"]}}}`), "doc.read")
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.Cond.String(); got != `resource.org == "x"` {
		t.Errorf("got %s", got)
	}
}

// TestConcurrentPlans: one planner serves many goroutines (run with -race).
func TestConcurrentPlans(t *testing.T) {
	ev, p, _ := setup(t, "testdata/ops.yaml", "")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			g := plantest.New(ev.Spec(), seed)
			for i := 0; i < 20; i++ {
				for _, perm := range ev.Spec().Permissions {
					if _, err := p.PlanJSON(plantest.JSON(g.Request(3)), perm.Name); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}(uint64(w))
	}
	wg.Wait()
}
