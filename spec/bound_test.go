package spec_test

import (
	"testing"

	"github.com/permc/permc/spec"
)

// TestBounds pins the cost bound of expressions of every kind of charge: the formula
// vet reports, and where lists make it exceed the default budget.
func TestBounds(t *testing.T) {
	src := `version: 1
principal:
  groups: list(string)
  name: string
resources:
  doc:
    attributes: {tags: list(string), labels: "map(string, string)", title: string}
    permissions: [read]
custom_roles: false
rules:
  - {id: constant, allow: [doc.read], when: 'principal.name == "x" || 1 + 1 == 2'}
  - {id: member, allow: [doc.read], when: '"a" in resource.tags'}
  - {id: quadratic, allow: [doc.read], when: 'principal.groups.exists(g, g in resource.tags)'}
  - {id: equal, allow: [doc.read], when: 'resource.tags + ["x"] == principal.groups'}
  - {id: text, allow: [doc.read], when: 'resource.title.startsWith(principal.name + "-")'}
  - {id: macro, allow: [doc.read], when: 'resource.labels.filter(k, k.contains("x")).map(k, k + "!").size() > 2'}
  - {id: literal, allow: [doc.read], when: '"ab" + "cd" == "abcd"'}
`
	s, err := spec.Load("bounds.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		bound    string
		degree   int
		exhausts int64
	}{
		`rule "constant"`:  {"(1 + len(principal.name))/64", 0, 0},
		`rule "member"`:    {"size(resource.tags)", 1, 10_000_001},
		`rule "quadratic"`: {"size(principal.groups) * (1 + size(resource.tags))", 2, 3162},
		`rule "equal"`:     {"2 + 2 * size(resource.tags)", 1, 5_000_000},
		`rule "text"`:      {"(1 + len(principal.name))/64 + (1 + len(resource.title) + len(principal.name))/64", 0, 0},
		`rule "macro"`:     {"2 * size(resource.labels) * (1 + (1 + len(resource.labels[_]))/64)", 1, 4_923_077},
		`rule "literal"`:   {"0", 0, 0},
	}
	for _, eb := range s.Bounds() {
		w, ok := want[eb.What]
		if !ok {
			t.Errorf("unexpected %s", eb.What)
			continue
		}
		delete(want, eb.What)
		b := eb.Bounds[0].Bound
		if len(eb.Bounds) != 1 || b.String() != w.bound || b.Degree() != w.degree || b.Exhausts(10_000_000) != w.exhausts {
			t.Errorf("%s: %s (degree %d, exhausts at %d), want %s (degree %d, exhausts at %d)", eb.What, b, b.Degree(), b.Exhausts(10_000_000), w.bound, w.degree, w.exhausts)
		}
	}
	for what := range want {
		t.Errorf("no bound for %s", what)
	}
}
