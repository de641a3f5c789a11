package parity

import (
	"fmt"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/spec"
)

// TestMapOrderDecidesErrors checks that macros over a map meet its keys in sorted order
// on both backends, for every macro: the error a decision reports is the one of the
// first failing key, byte for byte, run after run. Key "a" divides by zero, the others
// miss their key in context.other.
func TestMapOrderDecidesErrors(t *testing.T) {
	src := `version: 1
context:
  m: "map(string, int)"
  other: "map(string, int)"
  zero: int
resources:
  doc:
    permissions: [exists, all, exists_one, map, filter, literal]
rules:
  - {id: exists, allow: [doc.exists], when: 'context.m.exists(k, k == "a" ? 1 / context.zero == 1 : context.other[k] == 1)'}
  - {id: all, allow: [doc.all], when: 'context.m.all(k, k == "a" ? 1 / context.zero == 1 : context.other[k] == 1)'}
  - {id: exists_one, allow: [doc.exists_one], when: 'context.m.exists_one(k, k == "a" ? 1 / context.zero == 1 : context.other[k] == 1)'}
  - {id: map, allow: [doc.map], when: 'size(context.m.map(k, k == "a" ? 1 / context.zero : context.other[k])) > 0'}
  - {id: filter, allow: [doc.filter], when: 'size(context.m.filter(k, k == "a" ? 1 / context.zero == 1 : context.other[k] == 1)) > 0'}
  - {id: literal, allow: [doc.literal], when: '{"e": 1, "c": 2, "a": 3, "d": 4, "b": 5}.exists(k, k == "a" ? 1 / context.zero == 1 : context.other[k] == 1)'}
`
	s, err := spec.Load("order.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	d := startDriver(t, s)
	for _, perm := range []string{"exists", "all", "exists_one", "map", "filter", "literal"} {
		req := []byte(fmt.Sprintf(`{"principal": {"id": "p"}, "resource": {"type": "doc", "id": "d"}, "permission": "doc.%s",
			"context": {"m": {"h": 1, "c": 1, "f": 1, "a": 1, "g": 1, "b": 1, "e": 1, "d": 1}}}`, perm))
		want := fmt.Sprintf(`{"allowed":false,"permission":"doc.%s","reason":{"kind":"no_grant"},"errors":[{"kind":"rule","name":"%s","message":"division by zero"}],"warnings":[]}`, perm, perm)
		for i := 0; i < 20; i++ {
			if got := ev.DecideJSON(req); string(got) != want {
				t.Fatalf("eval: %s\nwant %s", got, want)
			}
			if got := d.DecideJSON(req); string(got) != want {
				t.Fatalf("go: %s\nwant %s", got, want)
			}
		}
	}
}
