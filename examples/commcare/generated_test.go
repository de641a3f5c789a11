package main

import (
	"testing"

	"github.com/permc/permc/examples/commcare/hqauthz"
	"github.com/permc/permc/examples/internal/examplestest"
)

// TestGeneratedIsFresh fails when hqauthz is not what `go generate` writes from spec.yaml.
func TestGeneratedIsFresh(t *testing.T) { examplestest.Fresh(t, "spec.yaml", "hqauthz") }

// TestGeneratedAnswersSuite runs commcare_test.yaml against the generated code in this process.
func TestGeneratedAnswersSuite(t *testing.T) {
	a := hqauthz.NewAuthorizer()
	examplestest.Suite(t, "commcare_test.yaml", a.CheckJSON, a.LoadRolesJSON)
}
