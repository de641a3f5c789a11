package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// The quadratic request: 50,000 groups against 50,000 tags, 900 KB, just under the
// default request limit. Its like with 60,000 of each took 12.8 s on the generated Go
// and 116 s on the evaluator before checks had a budget.
const quadraticSpec = `version: 1
principal:
  groups: list(string)
resources:
  doc:
    attributes: {tags: list(string)}
    permissions: [read]
rules:
  - id: shared
    allow: [doc.read]
    when: principal.groups.exists(g, g in resource.tags)
`

func quadraticRequest() []byte {
	groups, tags := make([]string, 50000), make([]string, 50000)
	for i := range groups {
		groups[i] = fmt.Sprintf("g%05d", i)
		tags[i] = fmt.Sprintf("t%05d", i)
	}
	req, _ := json.Marshal(map[string]any{
		"principal":  map[string]any{"id": "p", "attributes": map[string]any{"groups": groups}},
		"resource":   map[string]any{"type": "doc", "id": "d", "attributes": map[string]any{"tags": tags}},
		"permission": "doc.read",
	})
	return req
}

// quadraticAnswer is the decision every backend gives: the budget runs out in the
// 200th iteration (each takes 1 + 50,000 steps).
const quadraticAnswer = `{"allowed":false,"permission":"doc.read","reason":{"kind":"no_grant"},"errors":[{"kind":"rule","name":"shared","message":"evaluation budget of 10000000 steps exhausted"}],"warnings":[]}`

func quadratic(t testing.TB) (*eval.Evaluator, interface{ DecideJSON([]byte) []byte }) {
	s, err := spec.Load("quadratic.yaml", []byte(quadraticSpec))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return ev, startDriver(t, s)
}

// quadraticModule is the quadratic spec's Wasm module, one instance on wazero.
func quadraticModule(t testing.TB) *wasm.Authorizer {
	s, err := spec.Load("quadratic.yaml", []byte(quadraticSpec))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := wasm.New(context.Background(), mod, wasm.Options{Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a
}

// TestQuadraticRequest checks that the quadratic request fails on the budget, with the
// same decision, message included, on every backend.
func TestQuadraticRequest(t *testing.T) {
	ev, d := quadratic(t)
	req := quadraticRequest()
	module, err := quadraticModule(t).CheckJSON(context.Background(), nil, req)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"eval": ev.DecideJSON(req), "go": d.DecideJSON(req), "wasm": module} {
		if string(got) != quadraticAnswer {
			t.Errorf("%s: %s\nwant %s", name, got, quadraticAnswer)
		}
	}
}

// TestBudgetMessages checks that both backends word the budget's error alike, with the
// configured number, wherever it is raised.
func TestBudgetMessages(t *testing.T) {
	ev, d := quadratic(t)
	for _, budget := range []int64{1, 7, 60001, 123456} {
		ev.SetBudget(budget)
		if err := d.(interface{ SetBudget(int64) error }).SetBudget(budget); err != nil {
			t.Fatal(err)
		}
		req := []byte(`{"principal": {"id": "p", "attributes": {"groups": ["a", "b", "c"]}}, "resource": {"type": "doc", "id": "d", "attributes": {"tags": ["x", "y"]}}, "permission": "doc.read"}`)
		if budget > 100 {
			req = quadraticRequest()
		}
		want, got := ev.DecideJSON(req), d.DecideJSON(req)
		if !bytes.Equal(want, got) {
			t.Errorf("budget %d:\neval: %s\ngo:   %s", budget, want, got)
		}
		msg := fmt.Sprintf("evaluation budget of %d steps exhausted", budget)
		if budget != 7 && !strings.Contains(string(want), msg) {
			t.Errorf("budget %d: %s, want %q", budget, want, msg)
		}
	}
}

// BenchmarkQuadraticRequest is the quadratic request on the evaluator, on the
// generated Go (through the driver, which adds the request's trip through a pipe) and
// on the Wasm module (through the Go host).
func BenchmarkQuadraticRequest(b *testing.B) {
	ev, d := quadratic(b)
	req := quadraticRequest()
	b.Run("eval", func(b *testing.B) {
		for b.Loop() {
			ev.DecideJSON(req)
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			d.DecideJSON(req)
		}
	})
	a := quadraticModule(b)
	b.Run("wasm", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.CheckJSON(context.Background(), nil, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
