package parity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/spec"
)

var randomRequests = flag.Int("requests", 1500, "random requests per spec in TestRandomRequests")

// TestRandomRequests sends random requests, well formed or not, for every example
// spec and test spec to the generated code and to the reference evaluator.
func TestRandomRequests(t *testing.T) {
	var specs []string
	for _, pat := range []string{"../../examples/*/spec.yaml", "../../eval/testdata/*.yaml", "../../testdata/corpus/*/spec.yaml", "../../gen/testdata/*/spec.yaml"} {
		m, _ := filepath.Glob(pat)
		specs = append(specs, m...)
	}
	for i, path := range specs {
		t.Run(path, func(t *testing.T) {
			s, err := spec.LoadFile(path)
			if err != nil {
				t.Skipf("does not load: %v", err)
			}
			ev, err := eval.New(s)
			if err != nil {
				t.Fatal(err)
			}
			d := startDriver(t, s)
			var custom []string
			if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "roles.json")); err == nil {
				if ev.LoadRoles(data) == nil && d.LoadRoles(data) == nil {
					var roles []struct{ Name string }
					json.Unmarshal(data, &roles)
					for _, r := range roles {
						custom = append(custom, r.Name)
					}
				}
			}
			g := &reqGen{s: s, r: rand.New(rand.NewPCG(uint64(i), 7)), custom: custom}
			var errs, allowed, evalErrs, warnings int
			reqs := make([][]byte, *randomRequests)
			for n := range reqs {
				reqs[n] = g.request()
				if n%10 == 9 {
					reqs[n] = g.mutate(reqs[n])
				}
			}
			answers := d.DecideAll(reqs)
			for n, req := range reqs {
				want := ev.DecideJSON(req)
				same(t, fmt.Sprintf("request %d", n), req, want, answers[n])
				if t.Failed() {
					return
				}
				switch {
				case bytes.HasPrefix(want, []byte(`{"error"`)):
					errs++
				case bytes.HasPrefix(want, []byte(`{"allowed":true`)):
					allowed++
				}
				if bytes.Contains(want, []byte(`"errors":[{`)) {
					evalErrs++
				}
				if !bytes.HasSuffix(want, []byte(`"warnings":[]}`)) {
					warnings++
				}
			}
			t.Logf("%d requests: %d malformed, %d allowed, %d with evaluation errors, %d with warnings", *randomRequests, errs, allowed, evalErrs, warnings)
		})
	}
}

type reqGen struct {
	s      *spec.Spec
	r      *rand.Rand
	custom []string
}

func (g *reqGen) chance(p float64) bool { return g.r.Float64() < p }

var stringPool = []string{"", "a", "b", "MITx", "HarvardX", "archived", "public", "red", "blue", "lib1", "lib2",
	"10.0.0.0/8", "10.1.2.3", "192.0.2.1", "2001:db8::1", "2001:db8::/32", "::ffff:10.1.2.3", "bad", "10.0.0.0/33",
	"x:y", "org:MITx", "héllo", "admin", "p1", "school-a", "saml-ubc", "tpa:read"}

func (g *reqGen) str() string {
	if g.chance(0.05) {
		return fmt.Sprintf("s%d", g.r.IntN(1000))
	}
	return stringPool[g.r.IntN(len(stringPool))]
}

func (g *reqGen) value(t *spec.Type, depth int) any {
	if g.chance(0.02) {
		return []any{true, "x", 1.5, nil, map[string]any{}}[g.r.IntN(5)] // often the wrong type
	}
	switch t.Kind {
	case spec.Bool:
		return g.chance(0.5)
	case spec.Int:
		return []any{0, 1, -1, 2, 10, 100, json.Number("9223372036854775807"), json.Number("-9223372036854775808"), json.Number("1.5"), g.r.IntN(50) - 25}[g.r.IntN(10)]
	case spec.Uint:
		return []any{0, 1, 2, 10, json.Number("18446744073709551615"), -1, g.r.IntN(50)}[g.r.IntN(7)]
	case spec.Double:
		return []any{0.0, 1.5, -2.25, 1e300, json.Number("1e400"), 3, g.r.Float64()}[g.r.IntN(7)]
	case spec.String:
		return g.str()
	case spec.Bytes:
		return []any{"", base64.StdEncoding.EncodeToString([]byte(g.str())), "not base64!"}[g.r.IntN(3)]
	case spec.Timestamp:
		return []any{"2026-11-22T10:00:00Z", "2031-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-22", "2029-12-31T23:59:59.999999999+01:00"}[g.r.IntN(6)]
	case spec.Duration:
		return []any{"0s", "90s", "1h30m", "-1.5h", "2562047h", "forever"}[g.r.IntN(6)]
	case spec.List:
		n := g.r.IntN(4)
		if depth > 2 {
			n = 0
		}
		l := []any{}
		for i := 0; i < n; i++ {
			l = append(l, g.value(t.Elem, depth+1))
		}
		return l
	case spec.Map:
		n := g.r.IntN(3)
		m := map[string]any{}
		for i := 0; i < n; i++ {
			m[g.str()] = g.value(t.Elem, depth+1)
		}
		return m
	}
	return nil
}

func (g *reqGen) attrs(decl []*spec.Attribute) any {
	if g.chance(0.02) {
		return "not an object"
	}
	m := map[string]any{}
	for _, a := range decl {
		switch {
		case g.chance(0.2):
		case g.chance(0.05):
			m[a.Name] = nil
		default:
			m[a.Name] = g.value(a.Type, 0)
		}
	}
	if g.chance(0.01) {
		m["undeclared"] = 1
	}
	if g.chance(0.005) {
		m["id"] = "x"
	}
	return m
}

func (g *reqGen) roleName() string {
	s := g.s
	switch {
	case len(s.Roles) > 0 && g.chance(0.7):
		return s.Roles[g.r.IntN(len(s.Roles))].Name
	case len(g.custom) > 0 && g.chance(0.7):
		return g.custom[g.r.IntN(len(g.custom))]
	}
	return "ghost"
}

func (g *reqGen) assignment() any {
	s := g.s
	if g.chance(0.01) {
		return []any{"x", map[string]any{"role": 1, "scope": map[string]any{"type": "x"}}, map[string]any{"role": "r"}, map[string]any{"role": "r", "scope": map[string]any{}}, map[string]any{"role": "r", "scope": "x", "extra": 1}}[g.r.IntN(5)]
	}
	scope := map[string]any{}
	if len(s.Scopes) > 0 && g.chance(0.9) {
		sc := s.Scopes[g.r.IntN(len(s.Scopes))]
		scope["type"] = sc.Name
		for _, p := range sc.Params {
			switch {
			case g.chance(0.08):
			case g.chance(0.03):
				scope[p.Name] = nil
			default:
				scope[p.Name] = g.value(p.Type, 0)
			}
		}
		if g.chance(0.01) {
			scope["nope"] = 1
		}
	} else {
		scope["type"] = "nowhere"
		scope["anything"] = 1
	}
	return map[string]any{"role": g.roleName(), "scope": scope}
}

func (g *reqGen) credential() any {
	s := g.s
	c := map[string]any{}
	if g.chance(0.3) {
		var l []any
		for i := g.r.IntN(3); i > 0; i-- {
			if len(s.Credentials.Scopes) > 0 && g.chance(0.8) {
				l = append(l, s.Credentials.Scopes[g.r.IntN(len(s.Credentials.Scopes))].Name)
			} else {
				l = append(l, "unknown:scope")
			}
		}
		c["scopes"] = append([]any{}, l...)
	}
	if g.chance(0.2) {
		var l []any
		for i := g.r.IntN(3); i > 0; i-- {
			switch {
			case g.chance(0.5):
				l = append(l, s.Permissions[g.r.IntN(len(s.Permissions))].Name)
			case g.chance(0.5):
				l = append(l, s.Resources[g.r.IntN(len(s.Resources))].Name+".*")
			default:
				l = append(l, []string{"*", "nope", "x.y", "*.*"}[g.r.IntN(4)])
			}
		}
		c["permissions"] = append([]any{}, l...)
	}
	if g.chance(0.2) {
		var l []any
		for i := g.r.IntN(3); i > 0; i-- {
			l = append(l, g.roleName())
		}
		c["roles"] = append([]any{}, l...)
	}
	if g.chance(0.4) {
		var l []any
		for i := g.r.IntN(4); i > 0; i-- {
			switch {
			case len(s.Credentials.Filters) > 0 && g.chance(0.85):
				l = append(l, s.Credentials.Filters[g.r.IntN(len(s.Credentials.Filters))].Name+":"+g.str())
			case g.chance(0.5):
				l = append(l, "nocolon")
			default:
				l = append(l, "unknown:x")
			}
		}
		c["filters"] = append([]any{}, l...)
	}
	if g.chance(0.5) {
		c["attributes"] = g.attrs(s.Credentials.Attributes)
	}
	if g.chance(0.02) {
		c["scopes"] = "x"
	}
	return c
}

func (g *reqGen) request() []byte {
	s := g.s
	req := map[string]any{}
	res := s.Resources[g.r.IntN(len(s.Resources))]
	if !g.chance(0.01) {
		rj := map[string]any{"type": res.Name, "id": g.str(), "attributes": g.attrs(res.Attributes)}
		if g.chance(0.01) {
			rj["type"] = "nope"
		}
		if g.chance(0.01) {
			delete(rj, "id")
		}
		req["resource"] = rj
	}
	perm := res.Permissions[g.r.IntN(len(res.Permissions))].Name
	if g.chance(0.03) {
		perm = s.Permissions[g.r.IntN(len(s.Permissions))].Name
	}
	if g.chance(0.01) {
		perm = "nope.view"
	}
	req["permission"] = perm
	if !g.chance(0.01) {
		var roles []any
		for i := g.r.IntN(4); i > 0; i-- {
			roles = append(roles, g.assignment())
		}
		req["principal"] = map[string]any{"id": g.str(), "attributes": g.attrs(s.Principal), "roles": roles}
	}
	if g.chance(0.7) {
		req["context"] = g.attrs(s.Context)
	}
	if g.chance(0.5) {
		req["credential"] = g.credential()
	}
	if g.chance(0.005) {
		req["extra"] = true
	}
	b, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	return b
}

// mutate damages a request: truncates it, changes or inserts a byte, or nests it.
func (g *reqGen) mutate(req []byte) []byte {
	out := append([]byte{}, req...)
	switch g.r.IntN(5) {
	case 0:
		return out[:g.r.IntN(len(out))]
	case 1:
		const junk = "{}[]\",:0-\\ \xffa"
		out[g.r.IntN(len(out))] = junk[g.r.IntN(len(junk))]
		return out
	case 2:
		i := g.r.IntN(len(out))
		return append(out[:i], append([]byte(`"x":`), out[i:]...)...)
	case 3:
		return []byte(strings.Repeat("[", 70) + strings.Repeat("]", 70))
	}
	return append(append([]byte(`{"principal":`), out...), '}')
}
