package parity

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/toolchain"
	"github.com/permc/permc/spec"
)

var randomSpecs = flag.Int("specs", 6, "random specs in TestRandomSpecs")

// TestRandomSpecs generates random specs (resource types, scopes with and without
// parameters, roles with and without scope limits and conditions, allow and deny rules,
// credential scopes and filters, custom roles) and answers random requests for each with
// the generated code and the reference evaluator.
func TestRandomSpecs(t *testing.T) {
	for i := 0; i < *randomSpecs; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 2026))
		src, roles := randomSpec(r)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, err := spec.Load("random.yaml", []byte(src))
			if err != nil {
				t.Fatalf("the random spec does not load: %v\n%s", err, src)
			}
			ev, err := eval.New(s)
			if err != nil {
				t.Fatal(err)
			}
			d := startDriver(t, s)
			var custom []string
			errEval, errGo := ev.LoadRoles(roles), d.LoadRoles(roles)
			if (errEval == nil) != (errGo == nil) || errEval != nil && errEval.Error() != errGo.Error() {
				t.Fatalf("custom roles %s: eval %v, go %v", roles, errEval, errGo)
			}
			if errEval == nil {
				var rs []struct{ Name string }
				json.Unmarshal(roles, &rs)
				for _, x := range rs {
					custom = append(custom, x.Name)
				}
			}
			g := &reqGen{s: s, r: rand.New(rand.NewPCG(uint64(i), 3)), custom: custom}
			reqs := make([][]byte, 400)
			for n := range reqs {
				reqs[n] = g.request()
			}
			answers := d.DecideAll(reqs)
			for n, req := range reqs {
				same(t, fmt.Sprintf("spec %d request %d", i, n), req, ev.DecideJSON(req), answers[n])
				if t.Failed() {
					t.Logf("spec:\n%s", src)
					return
				}
			}
		})
	}
}

// iterVarNames are names for the variables of random macros that generated code must
// not confuse with its own: names it makes up, Go keywords and predeclared
// identifiers, and the packages it imports.
var iterVarNames = []string{
	"x", "list1", "ts1", "re1", "bytes1", "dict1", "v1", "e", "e1", "L1", "p", "r", "s", "ctx", "cred",
	"budget", "func", "type", "range", "len", "string", "nil", "append", "runtime", "time", "strings", "cond",
}

// randomSpec writes a random spec that loads, and custom roles for it.
func randomSpec(r *rand.Rand) (string, []byte) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	chance := func(p float64) bool { return r.Float64() < p }
	var b strings.Builder
	b.WriteString("version: 1\npackage: " + pick("authz", "random", "strings", "runtime") + "\n")

	type attr struct{ name, typ string }
	pool := []attr{{"org", "string"}, {"level", "int"}, {"staff", "bool"}, {"tags", "list(string)"}, {"quota", "uint"}, {"labels", "map(string, string)"}, {"type", "string"}}
	someAttrs := func() []attr {
		var out []attr
		for _, a := range pool {
			if chance(0.4) {
				out = append(out, a)
			}
		}
		return out
	}
	writeAttrs := func(indent string, as []attr) {
		for _, a := range as {
			if chance(0.15) {
				fmt.Fprintf(&b, "%s%s: {type: %q, required: true}\n", indent, a.name, a.typ)
				continue
			}
			fmt.Fprintf(&b, "%s%s: %q\n", indent, a.name, a.typ)
		}
	}
	has := func(as []attr, name string) bool {
		for _, a := range as {
			if a.name == name {
				return true
			}
		}
		return false
	}
	principal, context := someAttrs(), someAttrs()
	b.WriteString("principal:\n")
	writeAttrs("  ", principal)
	b.WriteString("context:\n")
	writeAttrs("  ", context)

	// A condition over the principal and the context only, valid for every resource type.
	cond := func() string {
		var parts []string
		for _, a := range principal {
			switch a.typ {
			case "bool":
				parts = append(parts, "principal."+a.name)
			case "int":
				parts = append(parts, fmt.Sprintf("principal.%s > %d", a.name, r.IntN(5)))
			case "string":
				parts = append(parts, fmt.Sprintf("principal.%s == %q", a.name, pick("a", "MITx", "red")))
			case "list(string)":
				parts = append(parts, fmt.Sprintf("%q in principal.%s", pick("a", "archived", "red"), a.name))
			}
		}
		for _, a := range context {
			if a.typ == "int" {
				parts = append(parts, fmt.Sprintf("10 / context.%s > 1", a.name))
			}
		}
		// Macros whose variables are named like generated code's own names, Go keywords
		// and predeclared identifiers.
		for _, a := range append(append([]attr{}, principal...), context...) {
			obj := "principal"
			if !has(principal, a.name) {
				obj = "context"
			}
			v := pick(iterVarNames...)
			switch a.typ {
			case "list(string)":
				parts = append(parts, fmt.Sprintf("%s.%s.exists(%s, %s == %q || %s.startsWith('r'))", obj, a.name, v, v, pick("a", "red"), v))
			case "map(string, string)":
				parts = append(parts, fmt.Sprintf("%s.%s.all(%s, %s.%s[%s] != %q)", obj, a.name, v, obj, a.name, v, pick("a", "red")))
			}
		}
		parts = append(parts, pick("true", "false", "principal.id == 'a'", "principal.id.startsWith('p')"))
		r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		n := 1 + r.IntN(min(2, len(parts)))
		return strings.Join(parts[:n], pick(" && ", " || "))
	}

	type resource struct {
		name  string
		attrs []attr
		perms []string
	}
	var resources []resource
	b.WriteString("resources:\n")
	names := []string{"doc", "folder", "principal", "org_unit", "permission"}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, name := range names[:1+r.IntN(3)] {
		res := resource{name: name, attrs: someAttrs()}
		actions := []string{"read", "write", "go", "delete"}
		r.Shuffle(len(actions), func(i, j int) { actions[i], actions[j] = actions[j], actions[i] })
		res.perms = actions[:1+r.IntN(3)]
		fmt.Fprintf(&b, "  %s:\n    attributes:\n", name)
		writeAttrs("      ", res.attrs)
		fmt.Fprintf(&b, "    permissions: [%s]\n", strings.Join(res.perms, ", "))
		resources = append(resources, res)
	}
	anyRes := func() resource { return resources[r.IntN(len(resources))] }
	pattern := func() string {
		res := anyRes()
		switch r.IntN(4) {
		case 0:
			return `"*"`
		case 1:
			return res.name + ".*"
		}
		return res.name + "." + res.perms[r.IntN(len(res.perms))]
	}

	// Scopes.
	var scopes []string
	b.WriteString("scopes:\n")
	for i := 0; i < 1+r.IntN(4); i++ {
		name := []string{"global", "team", "ids", "tenant"}[i]
		scopes = append(scopes, name)
		fmt.Fprintf(&b, "  %s:\n", name)
		switch name {
		case "global":
			b.WriteString("    match: \"true\"\n")
		case "team":
			b.WriteString("    params: {team: string}\n")
			var rs []string
			for _, res := range resources {
				if has(res.attrs, "org") && chance(0.8) {
					rs = append(rs, res.name)
				}
			}
			if len(rs) == 0 {
				b.WriteString("    match: resource.id == scope.team\n")
			} else {
				fmt.Fprintf(&b, "    resources: [%s]\n    match: resource.org == scope.team\n", strings.Join(rs, ", "))
			}
		case "ids":
			b.WriteString("    params: {ids: list(string), limit: int}\n    match: resource.id in scope.ids && size(scope.ids) <= 10 / scope.limit\n")
		case "tenant":
			b.WriteString("    params: {org: string}\n    match:\n")
			n := 0
			for _, res := range resources {
				if chance(0.7) {
					fmt.Fprintf(&b, "      %s: resource.id == scope.org || scope.org == \"*\"\n", res.name)
					n++
				}
			}
			if n == 0 {
				fmt.Fprintf(&b, "      %s: \"true\"\n", resources[0].name)
			}
		}
	}

	// Roles.
	b.WriteString("roles:\n")
	for i := 0; i < 1+r.IntN(5); i++ {
		name := []string{"reader", "writer", "admin", "type", "go_role"}[i]
		fmt.Fprintf(&b, "  %s:\n    permissions: [%s]\n", name, pattern())
		if len(scopes) > 0 && chance(0.5) {
			var ss []string
			for _, sc := range scopes {
				if chance(0.5) {
					ss = append(ss, sc)
				}
			}
			fmt.Fprintf(&b, "    scopes: [%s]\n", strings.Join(ss, ", "))
		}
		if chance(0.3) {
			fmt.Fprintf(&b, "    when: %q\n", cond())
		}
	}

	// Rules.
	b.WriteString("rules:\n")
	for i := 0; i < 1+r.IntN(5); i++ {
		fmt.Fprintf(&b, "  - id: rule-%d\n    %s: [%s]\n", i, pick("allow", "deny"), pattern())
		if chance(0.8) {
			fmt.Fprintf(&b, "    when: %q\n", cond())
		}
	}

	// Credentials.
	b.WriteString("credentials:\n  attributes:\n")
	credAttrs := someAttrs()
	writeAttrs("    ", credAttrs)
	b.WriteString("  scopes:\n")
	for i := 0; i < r.IntN(3); i++ {
		fmt.Fprintf(&b, "    \"s%d:x\": [%s]\n", i, pattern())
	}
	b.WriteString("  filters:\n")
	for i := 0; i < r.IntN(3); i++ {
		fmt.Fprintf(&b, "    f%d:\n", i)
		res := anyRes()
		if chance(0.5) {
			fmt.Fprintf(&b, "      resources: [%s]\n", res.name)
		}
		fmt.Fprintf(&b, "      match: %q\n", pick("resource.id == filter", "resource.id.startsWith(filter)", "filter.size() > 1 && resource.id != filter"))
	}

	// The custom roles' bounds: none, false, or some of permissions, scopes and
	// default scopes.
	var boundPerms, boundScopes []string
	switch r.IntN(4) {
	case 0:
	case 1:
		b.WriteString("custom_roles: false\n")
	default:
		b.WriteString("custom_roles:\n")
		perms := chance(0.7)
		if perms || !chance(0.7) {
			boundPerms = []string{pattern()}
			if p := pattern(); chance(0.5) && p != boundPerms[0] {
				boundPerms = append(boundPerms, p)
			}
			fmt.Fprintf(&b, "  permissions: [%s]\n", strings.Join(boundPerms, ", "))
		}
		if chance(0.7) {
			for _, sc := range scopes {
				if chance(0.6) {
					boundScopes = append(boundScopes, sc)
				}
			}
			if len(boundScopes) == 0 {
				boundScopes = scopes[:1]
			}
			fmt.Fprintf(&b, "  scopes: [%s]\n", strings.Join(boundScopes, ", "))
		}
		if chance(0.5) {
			from := boundScopes
			if from == nil {
				from = scopes
			}
			fmt.Fprintf(&b, "  default_scopes: [%s]\n", from[r.IntN(len(from))])
		}
	}

	// Custom roles, most within the bounds; some with an empty list.
	var custom []map[string]any
	for i := 0; i < r.IntN(3); i++ {
		p := pattern()
		if boundPerms != nil && chance(0.7) {
			p = boundPerms[r.IntN(len(boundPerms))]
		}
		role := map[string]any{"name": fmt.Sprintf("custom_%d", i), "permissions": []string{strings.Trim(p, `"`)}}
		if len(scopes) > 0 && chance(0.5) {
			sc := scopes[r.IntN(len(scopes))]
			if boundScopes != nil && chance(0.7) {
				sc = boundScopes[r.IntN(len(boundScopes))]
			}
			role["scopes"] = []string{sc}
		}
		if chance(0.05) {
			role["permissions"] = []string{}
		}
		if chance(0.05) {
			role["scopes"] = []string{}
		}
		custom = append(custom, role)
	}
	if custom == nil {
		custom = []map[string]any{}
	}
	roles, _ := json.Marshal(custom)
	return b.String(), roles
}

// TestRandomSpecsVet vets the packages generated for random specs, so that no shape of
// spec makes generated code that go vet rejects (unreachable code, unused variables).
func TestRandomSpecsVet(t *testing.T) {
	files := map[string][]byte{}
	for i := 0; i < 3*(*randomSpecs); i++ {
		src, _ := randomSpec(rand.New(rand.NewPCG(uint64(i), 2026)))
		s, err := spec.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("the random spec does not load: %v\n%s", err, src)
		}
		pkg := fmt.Sprintf("p%d", i)
		out, err := gen.Generate(s, gen.Options{Package: pkg})
		if err != nil {
			t.Fatal(err)
		}
		for n, b := range out {
			files[pkg+"/"+n] = b
		}
	}
	dir := t.TempDir()
	if err := toolchain.WriteModule(dir, files); err != nil {
		t.Fatal(err)
	}
	if err := toolchain.Go(context.Background(), dir, toolchain.Env(), "vet", "./..."); err != nil {
		t.Fatal(err)
	}
}
