package main

import (
	"testing"

	"github.com/permc/permc/examples/enterprise/entauthz"
	"github.com/permc/permc/examples/internal/examplestest"
)

// TestGeneratedIsFresh fails when entauthz is not what `go generate` writes from spec.yaml.
func TestGeneratedIsFresh(t *testing.T) { examplestest.Fresh(t, "spec.yaml", "entauthz") }

// TestGeneratedAnswersSuite runs enterprise_test.yaml against the generated code in this process.
func TestGeneratedAnswersSuite(t *testing.T) {
	a := entauthz.NewAuthorizer()
	examplestest.Suite(t, "enterprise_test.yaml", a.CheckJSON, a.LoadRolesJSON)
}
