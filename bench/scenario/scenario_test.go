package scenario_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/spec"
)

// TestModelIsSpec checks that the model every peer engine's policy is written from is
// the hand-written permc spec: the same roles granting the same permissions.
func TestModelIsSpec(t *testing.T) {
	s, err := spec.Load("spec.yaml", scenario.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	m := scenario.NewModel(1)
	if len(s.Roles) != len(m.Roles) {
		t.Fatalf("spec has %d roles, model %d", len(s.Roles), len(m.Roles))
	}
	for _, r := range m.Roles {
		sr := s.Role(r.Name)
		if sr == nil {
			t.Fatalf("spec has no role %q", r.Name)
		}
		var got, want []string
		for _, p := range sr.Permissions {
			got = append(got, p.Name)
		}
		for _, a := range r.Actions {
			want = append(want, r.Type+"."+a)
		}
		if !slices.Equal(got, want) {
			t.Errorf("role %s: spec grants %v, model %v", r.Name, got, want)
		}
	}
}

// TestLargerSpecs checks that testdata holds the current larger specs and that they
// load.
func TestLargerSpecs(t *testing.T) {
	for _, k := range scenario.Scales[1:] {
		path := fmt.Sprintf("../testdata/spec%dx.yaml", k)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := scenario.NewModel(k).Spec()
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in bench/", path)
		}
		s, err := spec.Load(path, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Resources) != k || len(s.Roles) != 3*k || len(s.Permissions) != 4*k || len(s.Rules) != 2*k {
			t.Errorf("%s: %d resource types, %d roles, %d permissions, %d rules; want %d, %d, %d, %d",
				path, len(s.Resources), len(s.Roles), len(s.Permissions), len(s.Rules), k, 3*k, 4*k, 2*k)
		}
	}
}

// TestRequestJSON checks that every case's request and expected decision are JSON.
func TestRequestJSON(t *testing.T) {
	for _, c := range scenario.Cases() {
		if !json.Valid(c.RequestJSON()) || !json.Valid(c.DecisionJSON()) {
			t.Errorf("%s: invalid JSON", c.Name)
		}
	}
}
