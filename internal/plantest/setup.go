package plantest

import (
	"os"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/spec"
)

// Setup loads the spec at specPath into a reference evaluator and a planner over it,
// with the custom roles at rolesPath when it is not empty. It returns the roles
// document (nil without one) for other backends to load, and the custom roles' names
// for Gen.CustomRoles.
func Setup(t testing.TB, specPath, rolesPath string) (ev *eval.Evaluator, p *plan.Planner, roles []byte, custom []string) {
	t.Helper()
	s, err := spec.LoadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err = eval.New(s); err != nil {
		t.Fatal(err)
	}
	if rolesPath != "" {
		if roles, err = os.ReadFile(rolesPath); err != nil {
			t.Fatal(err)
		}
		if err := ev.LoadRoles(roles); err != nil {
			t.Fatal(err)
		}
		parsed, _ := s.ParseCustomRoles(roles)
		for _, r := range parsed {
			custom = append(custom, r.Name)
		}
	}
	if p, err = plan.New(ev); err != nil {
		t.Fatal(err)
	}
	return ev, p, roles, custom
}
