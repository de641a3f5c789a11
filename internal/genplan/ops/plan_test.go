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
	st.Check(t)
	if st.Residual == 0 {
		t.Error("no plan with a residual: the residual path is untested")
	}
}

// TestPlansAgreeOnBudgets checks that generated plans and package plan charge the same
// steps, budgets small enough to run out included.
func TestPlansAgreeOnBudgets(t *testing.T) {
	a := ops.NewAuthorizer()
	genplan.AgreeOnBudgets(t, a, a.PlanJSON, "../../../plan/testdata/ops.yaml", 2, 40, 0, 1, 2, 3, 5, 8, 20)
}
