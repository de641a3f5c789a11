package wasm_test

import (
	"strings"
	"testing"

	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/wasm"
)

// TestBudget: Options.Budget reaches the module, whose checks then fail closed past
// it with the message every backend gives; the default holds without it, and a budget
// the module cannot take fails New.
func TestBudget(t *testing.T) {
	exhausted := func(steps string) string {
		return `{"allowed":false,"permission":"doc.read","reason":{"kind":"no_grant"},"errors":[{"kind":"rule","name":"shared-group","message":"evaluation budget of ` + steps + ` steps exhausted"}],"warnings":[]}`
	}
	_, small := wasmtest.Authorizer(t, quadratic, wasm.Options{Instances: 1, Budget: 5})
	if got, err := small.CheckJSON(ctx, nil, quadraticRequest(10, "")); err != nil || string(got) != exhausted("5") {
		t.Errorf("budget 5: %s, %v", got, err)
	}
	_, def := wasmtest.Authorizer(t, quadratic, wasm.Options{Instances: 1})
	if got, err := def.CheckJSON(ctx, nil, quadraticRequest(10, "")); err != nil || strings.Contains(string(got), "budget") {
		t.Errorf("default budget, 100 comparisons: %s, %v", got, err)
	}
	if got, err := def.CheckJSON(ctx, nil, quadraticRequest(5000, "")); err != nil || string(got) != exhausted("10000000") {
		t.Errorf("default budget, 25 million comparisons: %s, %v", got, err)
	}
	_, module := wasmtest.Module(t, quadratic)
	if _, err := wasm.New(ctx, module, wasm.Options{Budget: 1 << 60}); err == nil || !strings.Contains(err.Error(), "budget: want an integer from 1 to 9007199254740991") {
		t.Errorf("a budget of 2^60: %v", err)
	}
}
