package main

import (
	"testing"

	"github.com/permc/permc/examples/ilios/iliosauthz"
	"github.com/permc/permc/examples/internal/examplestest"
)

// TestGeneratedIsFresh fails when iliosauthz is not what `go generate` writes from spec.yaml.
func TestGeneratedIsFresh(t *testing.T) { examplestest.Fresh(t, "spec.yaml", "iliosauthz") }

// TestGeneratedAnswersSuite runs ilios_test.yaml against the generated code in this process.
func TestGeneratedAnswersSuite(t *testing.T) {
	a := iliosauthz.NewAuthorizer()
	examplestest.Suite(t, "ilios_test.yaml", a.CheckJSON, a.LoadRolesJSON)
}
