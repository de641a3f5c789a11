package eval_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/spec"
)

func mustEvaluator(t testing.TB, path string, roles []byte) *eval.Evaluator {
	t.Helper()
	s, err := spec.LoadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	e, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	if roles != nil {
		if err := e.LoadRoles(roles); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// TestCorpus decides every case of the shared corpus with the reference evaluator.
func TestCorpus(t *testing.T) {
	groups, err := corpus.Load("../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Fatal("no corpus groups under testdata/corpus")
	}
	for _, g := range groups {
		t.Run(g.Name, func(t *testing.T) {
			e := mustEvaluator(t, g.Spec, g.Roles)
			for _, c := range g.Cases {
				got := e.DecideJSON(c.Request)
				if err := corpus.Check(got, c.Want); err != nil {
					t.Errorf("%s:%d %s: %v", g.Name, c.Line, c.Name, err)
				}
			}
		})
	}
}

const librariesSpec = "../examples/contentlibraries/spec.yaml"

func TestCustomRolesValidation(t *testing.T) {
	e := mustEvaluator(t, librariesSpec, nil)
	for _, tc := range []struct{ roles, want string }{
		{`[{"name": "library_user", "permissions": ["library.view"]}]`, `clashes with the built-in role "library_user"`},
		{`[{"name": "r", "permissions": ["library.vew"]}]`, `unknown permission "library.vew" (did you mean "library.view"?)`},
		{`[{"name": "r", "permissions": ["library.view"], "scopes": ["orgs"]}]`, `unknown scope "orgs" (did you mean "org"?)`},
		{`[{"name": "r", "permissions": []}, {"name": "r", "permissions": []}]`, `defined twice`},
		{`[{"name": "r"}]`, `missing permissions`},
		{`[{"name": "r", "permissions": ["library.view"], "colour": 1}]`, `unknown key "colour"`},
		{`{"name": "r"}`, `want a JSON array`},
		{`[{"name": "r", "permissions": ["library.view"]`, `invalid JSON`},
	} {
		err := e.LoadRoles([]byte(tc.roles))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadRoles(%s) = %v, want an error containing %q", tc.roles, err, tc.want)
		}
	}
	// A failed load keeps the roles in force.
	if err := e.LoadRoles([]byte(`[{"name": "reviewer", "permissions": ["library.view"]}]`)); err != nil {
		t.Fatal(err)
	}
	_ = e.LoadRoles([]byte(`[{"name": "bad", "permissions": ["nope.view"]}]`))
	got := string(e.DecideJSON([]byte(`{"principal": {"id": "c", "roles": [{"role": "reviewer", "scope": {"type": "org", "org": "MITx"}}]}, "resource": {"type": "library", "id": "l", "attributes": {"org": "MITx"}}, "permission": "library.view"}`)))
	if !strings.Contains(got, `"role":"reviewer"`) {
		t.Errorf("custom role lost after a failed load: %s", got)
	}
}

// TestRequestErrors checks that malformed requests get errors, never decisions.
func TestRequestErrors(t *testing.T) {
	e := mustEvaluator(t, librariesSpec, nil)
	ok := `"principal": {"id": "a"}, "resource": {"type": "library", "id": "l"}, "permission": "library.view"`
	for _, tc := range []struct{ req, want string }{
		{`not json`, "invalid JSON"},
		{`{` + ok + `, "extra": 1}`, `unknown key "extra"`},
		{`{` + ok + `, ` + ok[:12] + `{}}`, "duplicate key"},
		{`{"principal": {"id": "a"}, "resource": {"type": "library", "id": "l"}}`, "permission is required"},
		{`{"principal": {"id": "a"}, "resource": {"type": "library", "id": "l"}, "permission": "course.view"}`, "not a permission of resource type"},
		{`{"principal": {"id": "a"}, "resource": {"type": "libary", "id": "l"}, "permission": "library.view"}`, `did you mean "library"`},
		{`{"principal": {"id": "a"}, "resource": {"type": "library"}, "permission": "library.view"}`, "resource.id is required"},
		{`{"principal": {"id": 7}, "resource": {"type": "library", "id": "l"}, "permission": "library.view"}`, "principal.id: want a string"},
		{`{"principal": {"id": "a", "attributes": {"orgs": "MITx"}}, "resource": {"type": "library", "id": "l"}, "permission": "library.view"}`, "want an array"},
		{`{"principal": {"id": "a", "roles": [{"role": "library_user", "scope": {"type": "org", "org": 3}}]}, "resource": {"type": "library", "id": "l"}, "permission": "library.view"}`, "want a string"},
		{`{"principal": {"id": "a", "roles": [{"role": "library_user", "scope": {"type": "org", "orgg": "x"}}]}, "resource": {"type": "library", "id": "l"}, "permission": "library.view"}`, `no parameter "orgg"`},
		{`{` + ok + `, "context": {"time": "yesterday"}}`, "RFC 3339"},
		{`{` + ok + `, "credential": {"scopes": "libraries:read"}}`, "want an array of strings"},
	} {
		d, err := e.Decide([]byte(tc.req))
		if err == nil {
			t.Errorf("%s: got decision %+v, want an error", tc.req, d)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.req, err, tc.want)
		}
	}
}

// request builds a content-libraries request for a principal with n assignments of
// which only the last can grant.
func request(n int, permission string) []byte {
	var roles []string
	for i := 0; i < n-1; i++ {
		roles = append(roles, fmt.Sprintf(`{"role": "library_author", "scope": {"type": "org", "org": "org%d"}}`, i))
	}
	roles = append(roles, `{"role": "library_author", "scope": {"type": "libraries", "ids": ["lib-a", "lib-b", "lib1"]}}`)
	return []byte(fmt.Sprintf(`{"principal": {"id": "alice", "attributes": {"orgs": ["elsewhere"]}, "roles": [%s]},
		"resource": {"type": "library", "id": "lib1", "attributes": {"org": "MITx", "tags": ["draft"]}},
		"permission": %q, "context": {"time": "2026-11-22T10:00:00Z", "ip": "10.1.2.3"}}`, strings.Join(roles, ","), permission))
}

// BenchmarkDecide is the reference evaluator's cost for one request with ten role
// assignments, the granting one last: the baseline generated code is measured against.
func BenchmarkDecide(b *testing.B) {
	e := mustEvaluator(b, librariesSpec, nil)
	for _, tc := range []struct {
		name, perm string
		allowed    bool
	}{{"allow", "library.edit", true}, {"deny", "library.publish", false}} {
		req := request(10, tc.perm)
		d, err := e.Decide(req)
		if err != nil || d.Allowed != tc.allowed {
			b.Fatalf("unexpected decision %+v, %v", d, err)
		}
		b.Run("assignments=10/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.DecideJSON(req)
			}
		})
	}
}

func FuzzDecide(f *testing.F) {
	e := mustEvaluator(f, librariesSpec, nil)
	f.Add(request(3, "library.edit"))
	f.Add([]byte(`{"principal": {"id": "a"}, "resource": {"type": "library", "id": "l"}, "permission": "library.view", "credential": {"filters": ["org:x", "bad"]}}`))
	f.Add([]byte(`{"principal": {"id": "a", "roles": [{"role": "x", "scope": {"type": "y"}}]}, "resource": {"type": "course", "id": "c"}, "permission": "course.view"}`))
	if entries, err := os.ReadDir("../examples/contentlibraries"); err == nil {
		for _, en := range entries {
			if strings.HasSuffix(en.Name(), ".jsonl") {
				data, _ := os.ReadFile("../examples/contentlibraries/" + en.Name())
				for _, line := range strings.Split(string(data), "\n") {
					f.Add([]byte(line))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		out := e.DecideJSON(req)
		if len(out) == 0 || out[0] != '{' {
			t.Fatalf("answer is not a JSON object: %q", out)
		}
	})
}
