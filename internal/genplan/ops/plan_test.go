package ops_test

import (
	"testing"

	"github.com/permc/permc/internal/genplan"
	"github.com/permc/permc/internal/genplan/ops"
)

// TestPlansAgree checks the generated plans against the generated checks and against
// package plan.
func TestPlansAgree(t *testing.T) {
	a := ops.NewAuthorizer()
	st := genplan.Agree(t, a, a.PlanJSON, "../../../plan/testdata/ops.yaml", "", 1, 100, 30)
	if st.Conditional == 0 {
		t.Error("no conditional plan at all")
	}
	if st.Residual == 0 {
		t.Error("no plan with a residual: the residual path is untested")
	}
	if st.SameSQL != st.Translated {
		t.Errorf("%d of %d plans translate to other SQL than package plan's", st.Translated-st.SameSQL, st.Translated)
	}
}
