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
		`[{"name": "Bad", "permissions": ["doc.read"]}, {"name": "9x"}, {"name": "a-b", "permissions": ["doc.read"]}, {"name": "reader", "permissions": ["*"]}]`,
		`[{"name": "x", "permissions": "doc.read"}, {"name": "y", "permissions": ["doc.read", 1]}, {"name": "z", "permissions": null}]`,
		`[{"name": "x", "permissions": ["doc.raed", "dco.read", "docread", "doc.read.x", "Doc.read", "*.read", "doc.", ".read"]}]`,
		`[{"name": "x", "permissions": ["doc.nope"]}, {"name": "y", "permissions": ["doc.*", "*"], "scopes": ["org", "org", "orgg", 3]}]`,
		`[{"name": "x", "permissions": ["doc.read"], "scopes": "org"}, {"name": "y", "permissions": ["doc.read"], "scopes": null}]`,
		`[{"nme": "x", "permisions": ["doc.read"], "description": 1, "scope": []}]`,
		`[{"name": "x", "description": "d", "permissions": ["doc.read"], "scopes": ["everywhere"]}, {"name": "y", "permissions": ["doc.*"], "scopes": ["org"]}]`,
		`{"roles": [{"name": "x", "permissions": ["*"]}, {"name": "everyone", "permissions": ["doc.write"], "scopes": ["everywhere", "org"]}]}`,
		`[{"name": "b", "permissions": ["doc.read"]}, {"name": "B"}, {"name": "b", "permissions": ["doc.read"]}, 7, {"name": "b"}]`,
		`[{"name": "x", "permissions": ["doc.read"]}, {"name": "x"}, "x", {"name": "x", "permissions": 1}]`,
		`[{"name": "x", "permissions": []}, {"name": "y", "permissions": ["doc.read"], "scopes": []}, {"name": "z", "permissions": [], "scopes": []}]`,
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
				role["permissions"] = pick([]any{"doc.read"}, []any{"doc.*"}, []any{"*"}, []any{"doc.nope"}, "doc.read", []any{"dco.read", 2}, []any{})
			}
			if r.IntN(2) == 0 {
				role["scopes"] = pick([]any{"org"}, []any{"everywhere", "org"}, []any{"nowhere"}, nil, "org", []any{})
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

// TestCustomRoleBounds: custom roles outside the spec's bounds, or with an empty
// permissions or scopes list, are refused with messages naming the bounds; a role
// that lists no scopes may be assigned at the default scopes (docs/spec.md). The
// generated Go says the same.
func TestCustomRoleBounds(t *testing.T) {
	const bounds = `version: 1
resources:
  library:
    attributes: {org: string}
    permissions: [view, edit, delete]
  org:
    permissions: [manage]
scopes:
  global:
    match: "true"
  org:
    params: {org: string}
    resources: [library]
    match: resource.org == scope.org
  libraries:
    params: {ids: list(string)}
    resources: [library]
    match: resource.id in scope.ids
roles:
  admin:
    permissions: [library.*, org.manage]
`
	s, err := spec.Load("bounds.yaml", []byte(bounds+`custom_roles:
  permissions: [library.view, library.edit]
  scopes: [org, libraries]
  default_scopes: [libraries]
`))
	if err != nil {
		t.Fatal(err)
	}
	a, d := module(t, s), driver(t, s)
	for _, c := range []struct{ roles, want string }{
		{`[{"name":"x","permissions":["library.delete"]}]`, `custom role "x": permission "library.delete" is not allowed in custom roles (they may hold library.view, library.edit)`},
		{`[{"name":"x","permissions":["library.*"]}]`, `custom role "x": "library.*" grants library.delete, which is not allowed in custom roles (they may hold library.view, library.edit)`},
		{`[{"name":"x","permissions":["*", "org.manage"]}]`, "custom role \"x\": \"*\" grants library.delete, which is not allowed in custom roles (they may hold library.view, library.edit)\n" +
			`custom role "x": permission "org.manage" is not allowed in custom roles (they may hold library.view, library.edit)`},
		{`[{"name":"x","permissions":["library.view"],"scopes":["global","org","nope"]}]`, "custom role \"x\": scope \"global\" is not allowed for custom roles (they may be assigned at org, libraries)\n" +
			`custom role "x": unknown scope "nope"`},
		{`[{"name":"x","permissions":[],"scopes":[]}]`, "custom role \"x\": permissions is empty: a role needs at least one permission\n" +
			`custom role "x": scopes is empty: list the scopes it may be assigned at, or leave scopes out for the spec's default`},
		{`[{"name":"editor","permissions":["library.view","library.edit"],"scopes":["org","libraries"]},{"name":"viewer","permissions":["library.view"]}]`, ""},
	} {
		err := a.LoadRoles(ctx, []byte(c.roles))
		if fmt.Sprint(err) != c.want && !(err == nil && c.want == "") {
			t.Errorf("%s:\n%v\nwant\n%s", c.roles, err, c.want)
		}
		if err := d.LoadRoles([]byte(c.roles)); fmt.Sprint(err) != c.want && !(err == nil && c.want == "") {
			t.Errorf("%s: the generated Go says\n%v\nwant\n%s", c.roles, err, c.want)
		}
	}
	for _, c := range []struct{ req, want string }{
		{`{"principal":{"id":"p","roles":[{"role":"editor","scope":{"type":"org","org":"mit"}}]},"resource":{"type":"library","id":"l1","attributes":{"org":"mit"}},"permission":"library.edit"}`,
			`{"allowed":true,"permission":"library.edit","reason":{"kind":"role","role":"editor","assignment":0},"errors":[],"warnings":[]}`},
		{`{"principal":{"id":"p","roles":[{"role":"viewer","scope":{"type":"libraries","ids":["l1"]}}]},"resource":{"type":"library","id":"l1","attributes":{"org":"mit"}},"permission":"library.view"}`,
			`{"allowed":true,"permission":"library.view","reason":{"kind":"role","role":"viewer","assignment":0},"errors":[],"warnings":[]}`},
		{`{"principal":{"id":"p","roles":[{"role":"viewer","scope":{"type":"org","org":"mit"}}]},"resource":{"type":"library","id":"l1","attributes":{"org":"mit"}},"permission":"library.view"}`,
			`{"allowed":false,"permission":"library.view","reason":{"kind":"no_grant"},"errors":[],"warnings":[{"assignment":0,"message":"role \"viewer\" cannot be assigned at scope \"org\" (only at libraries)"}]}`},
		{`{"principal":{"id":"p","roles":[{"role":"viewer","scope":{"type":"global"}}]},"resource":{"type":"library","id":"l1","attributes":{"org":"mit"}},"permission":"library.view"}`,
			`{"allowed":false,"permission":"library.view","reason":{"kind":"no_grant"},"errors":[],"warnings":[{"assignment":0,"message":"role \"viewer\" cannot be assigned at scope \"global\" (only at libraries)"}]}`},
		{`{"principal":{"id":"p","roles":[{"role":"editor","scope":{"type":"org","org":"mit"}}]},"resource":{"type":"library","id":"l1","attributes":{"org":"mit"}},"permission":"library.delete"}`,
			`{"allowed":false,"permission":"library.delete","reason":{"kind":"no_grant"},"errors":[],"warnings":[]}`},
		{`{"principal":{"id":"p","roles":[{"role":"admin","scope":{"type":"global"}}]},"resource":{"type":"org","id":"mit"},"permission":"org.manage"}`,
			`{"allowed":true,"permission":"org.manage","reason":{"kind":"role","role":"admin","assignment":0},"errors":[],"warnings":[]}`},
	} {
		out, err := a.CheckJSON(ctx, nil, []byte(c.req))
		if err != nil || string(out) != c.want {
			t.Errorf("%s:\n%s %v\nwant %s", c.req, out, err, c.want)
		}
		if out := d.DecideAll([][]byte{[]byte(c.req)})[0]; string(out) != c.want {
			t.Errorf("%s: the generated Go says\n%s\nwant %s", c.req, out, c.want)
		}
	}

	// custom_roles: false.
	s, err = spec.Load("none.yaml", []byte(bounds+"custom_roles: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	none, dnone := module(t, s), driver(t, s)
	const refused = "custom roles: the spec accepts none (custom_roles: false)"
	if err := none.LoadRoles(ctx, []byte(`[{"name":"x","permissions":["library.view"]}]`)); fmt.Sprint(err) != refused {
		t.Errorf("none: %v", err)
	}
	if err := dnone.LoadRoles([]byte(`[{"name":"x","permissions":["library.view"]}]`)); fmt.Sprint(err) != refused {
		t.Errorf("none: the generated Go says %v", err)
	}
	if err := none.LoadRoles(ctx, []byte(`[]`)); err != nil {
		t.Errorf("none, no role: %v", err)
	}
}
