package benchmark

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/spec"
)

// scenario is one request of the benchmark, in every engine's terms.
type scenario struct {
	allow bool
	gp    libauthz.Principal
	gr    libauthz.Library
	gc    libauthz.Credential
	gx    libauthz.Context
	hp    handPrincipal
	hr    handLibrary
	hc    handCredential
	hx    handContext
	json  []byte
}

// newScenario builds a principal with n library_author assignments at organizations
// that do not own the library; with allow, the last one is at the owner.
func newScenario(n int, allow bool) *scenario {
	sc := &scenario{allow: allow}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	sc.gr = libauthz.Library{ID: "lib-1", Org: "MITx", Tags: []string{"draft"}}
	sc.hr = handLibrary{ID: "lib-1", Org: "MITx", Tags: []string{"draft"}}
	sc.gc = libauthz.Credential{Scopes: []string{"libraries:write"}, AllowedIPs: []string{"10.0.0.0/8"}}
	sc.hc = handCredential{Scopes: []string{"libraries:write"}, AllowedIPs: []string{"10.0.0.0/8"}}
	sc.gx = libauthz.Context{Time: now, IP: "10.1.2.3"}
	sc.hx = handContext{Time: now, IP: "10.1.2.3"}
	sc.gp = libauthz.Principal{ID: "alice", Orgs: []string{"HarvardX"}}
	sc.hp = handPrincipal{ID: "alice", Orgs: []string{"HarvardX"}}
	var roles []any
	for i := 0; i < n; i++ {
		org := fmt.Sprintf("Org%d", i)
		if i == n-1 && allow {
			org = "MITx"
		}
		sc.gp.Roles = append(sc.gp.Roles, libauthz.Assignment{Role: libauthz.RoleLibraryAuthor, Scope: libauthz.AtOrg(org)})
		sc.hp.Roles = append(sc.hp.Roles, handAssignment{Role: handLibraryAuthor, Scope: handOrg, Org: org})
		roles = append(roles, map[string]any{"role": "library_author", "scope": map[string]any{"type": "org", "org": org}})
	}
	sc.json, _ = json.Marshal(map[string]any{
		"principal":  map[string]any{"id": "alice", "attributes": map[string]any{"orgs": []string{"HarvardX"}}, "roles": roles},
		"resource":   map[string]any{"type": "library", "id": "lib-1", "attributes": map[string]any{"org": "MITx", "tags": []string{"draft"}}},
		"permission": "library.edit",
		"credential": map[string]any{"scopes": []string{"libraries:write"}, "attributes": map[string]any{"allowed_ips": []string{"10.0.0.0/8"}}},
		"context":    map[string]any{"time": "2026-11-22T10:00:00Z", "ip": "10.1.2.3"},
	})
	return sc
}

func evaluator(tb testing.TB) *eval.Evaluator {
	s, err := spec.LoadFile("../../examples/contentlibraries/spec.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// TestScenario checks that every engine decides the benchmark's requests alike.
func TestScenario(t *testing.T) {
	ev := evaluator(t)
	a := libauthz.NewAuthorizer()
	for _, n := range []int{1, 10, 100} {
		for _, allow := range []bool{true, false} {
			sc := newScenario(n, allow)
			d := a.CheckLibrary(&sc.gp, libauthz.LibraryEdit, &sc.gr, &sc.gc, &sc.gx)
			h := handCheckLibrary(&sc.hp, handEdit, &sc.hr, &sc.hc, &sc.hx)
			want := ev.DecideJSON(sc.json)
			if got := d.AppendJSON(nil); string(got) != string(want) {
				t.Errorf("n=%d allow=%v: CheckLibrary = %s, eval %s", n, allow, got, want)
			}
			if got := a.CheckJSON(nil, sc.json); string(got) != string(want) {
				t.Errorf("n=%d allow=%v: CheckJSON = %s, eval %s", n, allow, got, want)
			}
			if d.Allowed != allow || h.Allowed != allow || h.Reason != d.Reason.Kind.String() || allow && h.Assignment != d.Reason.Assignment {
				t.Errorf("n=%d allow=%v: generated %+v, hand-written %+v", n, allow, d, h)
			}
		}
	}
}

// TestZeroAllocs holds the typed check path, the list of a principal's permissions
// and the JSON entry point to no allocation.
func TestZeroAllocs(t *testing.T) {
	a := libauthz.NewAuthorizer()
	for _, allow := range []bool{true, false} {
		sc := newScenario(100, allow)
		allocs := testing.AllocsPerRun(100, func() {
			a.CheckLibrary(&sc.gp, libauthz.LibraryEdit, &sc.gr, &sc.gc, &sc.gx)
		})
		if allocs != 0 {
			t.Errorf("CheckLibrary (allow=%v) allocates %v times per call", allow, allocs)
		}
		allocs = testing.AllocsPerRun(100, func() {
			a.LibraryPermissions(&sc.gp, &sc.gr, &sc.gc, &sc.gx)
		})
		if allocs != 0 {
			t.Errorf("LibraryPermissions (allow=%v) allocates %v times per call", allow, allocs)
		}
		// The JSON entry point decodes into memory it keeps from one request to the
		// next, so answering a request like the last one allocates nothing either.
		buf := a.CheckJSON(nil, sc.json)
		allocs = testing.AllocsPerRun(100, func() {
			buf = a.CheckJSON(buf[:0], sc.json)
		})
		if allocs != 0 && !raceEnabled {
			t.Errorf("CheckJSON (allow=%v) allocates %v times per call", allow, allocs)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	ev := evaluator(b)
	a := libauthz.NewAuthorizer()
	type engine struct {
		name string
		run  func(b *testing.B, sc *scenario)
	}
	engines := []engine{
		{"generated", func(b *testing.B, sc *scenario) {
			for b.Loop() {
				if d := a.CheckLibrary(&sc.gp, libauthz.LibraryEdit, &sc.gr, &sc.gc, &sc.gx); d.Allowed != sc.allow {
					b.Fatal("wrong decision")
				}
			}
		}},
		{"generated-json", func(b *testing.B, sc *scenario) {
			var buf []byte
			for b.Loop() {
				buf = a.CheckJSON(buf[:0], sc.json)
			}
		}},
		{"eval", func(b *testing.B, sc *scenario) {
			for b.Loop() {
				ev.DecideJSON(sc.json)
			}
		}},
		{"handwritten", func(b *testing.B, sc *scenario) {
			for b.Loop() {
				if d := handCheckLibrary(&sc.hp, handEdit, &sc.hr, &sc.hc, &sc.hx); d.Allowed != sc.allow {
					b.Fatal("wrong decision")
				}
			}
		}},
	}
	for _, e := range engines {
		for _, n := range []int{1, 10, 100} {
			for _, allow := range []bool{true, false} {
				verdict := "deny"
				if allow {
					verdict = "allow"
				}
				sc := newScenario(n, allow)
				b.Run(fmt.Sprintf("%s/assignments=%d/%s", e.name, n, verdict), func(b *testing.B) {
					b.ReportAllocs()
					e.run(b, sc)
				})
			}
		}
	}
}
