// Package parity holds the tests that hold the generated Go code to the reference
// evaluator: every corpus case and every example suite must get the same answer from
// both, byte for byte but for evaluation error messages.
package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/cli"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
)

// TestMain caches the drivers and modules built during this run in $PERMC_CACHE when
// it is set (scripts/test.sh sets one for the whole run, so that every package shares
// its builds), and else in a temporary folder, and only there.
func TestMain(m *testing.M) { wasmtest.Main(m) }

// startDriver builds and starts the driver of the spec at path.
func startDriver(t testing.TB, s *spec.Spec) *gobackend.Driver {
	t.Helper()
	bin, err := gobackend.Build(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := gobackend.Start(bin, gobackend.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// withoutErrorMessages removes errors[].message from a decision, the one part the
// backends may word differently.
func withoutErrorMessages(t *testing.T, answer []byte) []byte {
	t.Helper()
	if !bytes.Contains(answer, []byte(`"errors":[{`)) {
		return answer
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(answer, &d); err != nil {
		t.Fatalf("unreadable answer %s: %v", answer, err)
	}
	var errs []map[string]any
	if err := json.Unmarshal(d["errors"], &errs); err != nil {
		t.Fatalf("unreadable errors in %s: %v", answer, err)
	}
	for _, e := range errs {
		delete(e, "message")
	}
	b, _ := json.Marshal(errs)
	start := bytes.Index(answer, []byte(`"errors":`)) + len(`"errors":`)
	end := bytes.Index(answer, []byte(`,"warnings":`))
	return append(append(append([]byte{}, answer[:start]...), b...), answer[end:]...)
}

// same compares the two backends' answers to one request.
func same(t *testing.T, what string, req, want, got []byte) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	if !bytes.Equal(withoutErrorMessages(t, want), withoutErrorMessages(t, got)) {
		t.Errorf("%s: the backends differ on %s\neval: %s\ngo:   %s", what, req, want, got)
	}
}

// TestCorpus answers every corpus case with generated code and the reference
// evaluator.
func TestCorpus(t *testing.T) {
	groups, err := corpus.Load("../../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Skip("no corpus groups under testdata/corpus")
	}
	for _, g := range groups {
		t.Run(g.Name, func(t *testing.T) {
			s, err := spec.LoadFile(g.Spec)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := eval.New(s)
			if err != nil {
				t.Fatal(err)
			}
			d := startDriver(t, s)
			if g.Roles != nil {
				errEval, errGo := ev.LoadRoles(g.Roles), d.LoadRoles(g.Roles)
				if errEval != nil || errGo != nil {
					t.Fatalf("custom roles: eval: %v; go: %v", errEval, errGo)
				}
			}
			for _, c := range g.Cases {
				got := d.DecideJSON(c.Request)
				if err := corpus.Check(got, c.Want); err != nil {
					t.Errorf("%s:%d %s: %v", g.Name, c.Line, c.Name, err)
				}
				same(t, c.Name, c.Request, ev.DecideJSON(c.Request), got)
			}
		})
	}
}

// TestCustomRoles checks that LoadRolesJSON accepts and rejects exactly what the
// spec loader does, with the same messages, and keeps the old roles on error.
func TestCustomRoles(t *testing.T) {
	s, err := spec.LoadFile("../../examples/contentlibraries/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := startDriver(t, s)
	for _, roles := range []string{
		`[{"name": "library_user", "permissions": ["library.view"]}]`,
		`[{"name": "r", "permissions": ["library.vew"]}]`,
		`[{"name": "r", "permissions": ["library.view"], "scopes": ["orgs"]}]`,
		`[{"name": "r", "permissions": []}, {"name": "r", "permissions": []}]`,
		`[{"name": "r"}]`,
		`[{"name": "R", "permissions": ["nope", "lib.*", "library.zz", "*"]}]`,
		`[{"name": 1, "permissions": "x", "scopes": [2]}, 7]`,
		`[{"name": "r", "permissions": ["library.view"], "colour": 1}]`,
		`{"name": "r"}`,
		`{"roles": [{"name": "r", "permissions": ["library.*"], "scopes": []}]}`,
		`[{"name": "r", "permissions": ["library.view"]`,
		`[{"name": "reviewer", "permissions": ["library.view"], "scopes": ["libraries", "org", "org"]}]`,
		`[{"name": "r", "permissions": [], "scopes": []}]`,
	} {
		_, want := s.ParseCustomRoles([]byte(roles))
		got := d.LoadRoles([]byte(roles))
		if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
			t.Errorf("LoadRoles(%s):\neval: %v\ngo:   %v", roles, want, got)
		}
	}
	// A spec that bounds custom roles (project and report permissions short of
	// editing users, at project or reports), and one that accepts none.
	for path, docs := range map[string][]string{
		"../../examples/commcare/spec.yaml": {
			`[{"name": "r", "permissions": ["project.edit_users"]}]`,
			`[{"name": "r", "permissions": ["project.*"], "scopes": ["project"]}]`,
			`[{"name": "r", "permissions": ["*", "account.read_identity"], "scopes": ["reports", "nowhere"]}]`,
			`[{"name": "r", "permissions": ["report.view"]}, {"name": "s", "permissions": ["report.*"], "scopes": ["project"]}]`,
		},
		"../../examples/enterprise/spec.yaml": {`[]`, `{"roles": []}`, `[{"name": "r", "permissions": ["*"]}]`},
	} {
		s, err := spec.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := startDriver(t, s)
		for _, roles := range docs {
			_, want := s.ParseCustomRoles([]byte(roles))
			got := d.LoadRoles([]byte(roles))
			if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
				t.Errorf("%s: LoadRoles(%s):\neval: %v\ngo:   %v", path, roles, want, got)
			}
		}
	}
}

// TestExampleSuites runs every example's test suites through the generated code.
func TestExampleSuites(t *testing.T) {
	dirs, _ := filepath.Glob("../../examples/*")
	if len(dirs) == 0 {
		t.Skip("no examples")
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"test", "--backend", "go", "../../examples"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("permc test --backend go examples = %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
