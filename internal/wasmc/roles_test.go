package wasmc_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

// TestCustomRoles loads custom roles documents, valid and not, into the module and
// the generated Go: the same outcome, every problem's message the same; after each
// load that succeeds, checks with the custom roles get the same answers.
func TestCustomRoles(t *testing.T) {
	s, err := spec.Load("hostile.yaml", []byte(hostileSpec))
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{s: s, a: module(t, s), d: driver(t, s)}
	docs := []string{
		``, `null`, `1`, `"x"`, `{}`, `{"roles": 1}`, `{"roles": [], "x": 1}`, `{"rules": []}`, `[1, null, "x", []]`, `[`,
		`[{"name": "a", "permissions": ["doc.read"]}, {"name": "a", "permissions": ["doc.read"]}]`,
		`[{"permissions": ["doc.read"]}, {"name": "", "permissions": ["doc.read"]}, {"name": 1, "permissions": ["doc.read"]}]`,
		`[{"name": "Bad", "permissions": ["doc.read"]}, {"name": "9x"}, {"name": "a-b", "permissions": []}, {"name": "reader", "permissions": ["*"]}]`,
		`[{"name": "x", "permissions": "doc.read"}, {"name": "y", "permissions": ["doc.read", 1]}, {"name": "z", "permissions": null}]`,
		`[{"name": "x", "permissions": ["doc.raed", "dco.read", "docread", "doc.read.x", "Doc.read", "*.read", "doc.", ".read"]}]`,
		`[{"name": "x", "permissions": ["doc.nope"]}, {"name": "y", "permissions": ["doc.*", "*"], "scopes": ["org", "org", "orgg", 3]}]`,
		`[{"name": "x", "permissions": ["doc.read"], "scopes": "org"}, {"name": "y", "permissions": ["doc.read"], "scopes": null}]`,
		`[{"nme": "x", "permisions": ["doc.read"], "description": 1, "scope": []}]`,
		`[{"name": "x", "description": "d", "permissions": ["doc.read"], "scopes": []}, {"name": "y", "permissions": ["doc.*"], "scopes": ["org"]}]`,
		`{"roles": [{"name": "x", "permissions": ["*"]}, {"name": "everyone", "permissions": ["doc.write"], "scopes": ["everywhere", "org"]}]}`,
		`[{"name": "b", "permissions": ["doc.read"]}, {"name": "B"}, {"name": "b", "permissions": ["doc.read"]}, 7, {"name": "b"}]`,
		`[{"name": "x", "permissions": ["doc.read"]}, {"name": "x"}, "x", {"name": "x", "permissions": 1}]`,
	}
	// Random documents of valid and invalid roles.
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(xs ...any) any { return xs[r.IntN(len(xs))] }
	for i := 0; i < 300; i++ {
		var roles []any
		for k := r.IntN(5); k > 0; k-- {
			role := map[string]any{}
			if r.IntN(10) > 0 {
				role["name"] = pick("a", "b", "c_1", "reader", "Bad", "", 1, fmt.Sprintf("r%d", r.IntN(3)))
			}
			if r.IntN(10) > 0 {
				role["permissions"] = pick([]any{"doc.read"}, []any{"doc.*"}, []any{"*"}, []any{}, []any{"doc.nope"}, "doc.read", []any{"dco.read", 2})
			}
			if r.IntN(2) == 0 {
				role["scopes"] = pick([]any{"org"}, []any{}, []any{"everywhere", "org"}, []any{"nowhere"}, nil, "org")
			}
			if r.IntN(8) == 0 {
				role[pick("description", "nmae", "extra").(string)] = pick("d", 3)
			}
			roles = append(roles, role)
		}
		b, _ := json.Marshal(roles)
		docs = append(docs, string(b))
	}
	reqs := func(names ...string) [][]byte {
		var out [][]byte
		for _, n := range names {
			for _, scope := range []string{`{"type":"org","org":"o"}`, `{"type":"everywhere"}`} {
				for _, perm := range []string{"doc.read", "doc.write"} {
					out = append(out, []byte(`{"principal":{"id":"p","roles":[{"role":"`+n+`","scope":`+scope+`}]},`+
						`"resource":{"type":"doc","id":"d","attributes":{"org":"o"}},"permission":"`+perm+`",`+
						`"credential":{"roles":["`+n+`"]}}`))
				}
			}
		}
		return out
	}
	for _, doc := range docs {
		if p.loadRoles(t, []byte(doc)) == nil {
			p.check(t, reqs("a", "b", "c_1", "x", "y", "everyone", "r0", "r1", "r2", "ghost"))
		}
	}
}

// TestCustomRolesMemory loads 200,000 distinct custom role names over time, 100 at a
// time: the memory of each set must be reused, so the instance's memory stops
// growing.
func TestCustomRolesMemory(t *testing.T) {
	s, err := spec.Load("hostile.yaml", []byte(hostileSpec))
	if err != nil {
		t.Fatal(err)
	}
	r := newRaw(t, s)
	load := func(gen int) {
		var roles []string
		for k := 0; k < 100; k++ {
			roles = append(roles, fmt.Sprintf(`{"name":"role_%d_%d","description":"%s","permissions":["doc.read"],"scopes":["org"]}`,
				gen, k, strings.Repeat("d", gen%50)))
		}
		if st, out := r.call("permc_load_roles", []byte("["+strings.Join(roles, ",")+"]")); st != stOK {
			t.Fatalf("load %d: %d %s", gen, st, out)
		}
	}
	check := func(gen int) {
		req := fmt.Sprintf(`{"principal":{"id":"p","roles":[{"role":"role_%d_7","scope":{"type":"org","org":"o"}}]},`+
			`"resource":{"type":"doc","id":"d","attributes":{"org":"o"}},"permission":"doc.read"}`, gen)
		if st, out := r.call("permc_check", []byte(req)); st != stOK || !strings.HasPrefix(string(out), `{"allowed":true`) {
			t.Fatalf("check %d: %d %s", gen, st, out)
		}
	}
	for gen := 0; gen < 100; gen++ {
		load(gen)
	}
	before := r.memory()
	for gen := 100; gen < 2000; gen++ {
		load(gen)
		if gen%100 == 0 {
			check(gen)
		}
	}
	if after := r.memory(); after != before {
		t.Errorf("memory grew from %d to %d bytes", before, after)
	}
}
