package main

import (
	"testing"

	"github.com/permc/permc/examples/contentlibraries/libauthz"
	"github.com/permc/permc/examples/internal/examplestest"
)

// TestGeneratedIsFresh fails when libauthz is not what `go generate` writes from spec.yaml.
func TestGeneratedIsFresh(t *testing.T) { examplestest.Fresh(t, "spec.yaml", "libauthz") }

// TestGeneratedAnswersSuite runs libraries_test.yaml against the generated code in this process.
func TestGeneratedAnswersSuite(t *testing.T) {
	a := libauthz.NewAuthorizer()
	examplestest.Suite(t, "libraries_test.yaml", a.CheckJSON, a.LoadRolesJSON)
}
