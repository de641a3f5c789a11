package libauthz_test

import (
	"testing"

	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/internal/genplan"
)

// TestPlansAgree checks the generated plans against the generated checks and against
// package plan.
func TestPlansAgree(t *testing.T) {
	a := libauthz.NewAuthorizer()
	st := genplan.Agree(t, a, a.PlanJSON, "../../../examples/contentlibraries/spec.yaml", "../../../examples/contentlibraries/roles.json", 1, 100, 30)
	st.Check(t)
}
