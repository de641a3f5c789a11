package main

import (
	"testing"

	"github.com/permc/permc/examples/enterprise/entauthz"
	"github.com/permc/permc/internal/genplan"
)

// TestPlansAgree checks the generated plans against the generated checks and against
// package plan, on random requests.
func TestPlansAgree(t *testing.T) {
	a := entauthz.NewAuthorizer()
	st := genplan.Agree(t, a, a.PlanJSON, "spec.yaml", "", 1, 100, 30)
	st.Check(t)
}
