// Package plantest generates random requests and resources for any spec, to test
// query plans against checks: the plan for a random principal, credential and context
// must allow exactly the resources a check allows.
package plantest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"time"

	"github.com/permc/permc/spec"
)

// Gen draws values from small pools, so that random principals and resources match
// each other often: strings come from the literals of the spec's expressions plus a few
// of its own.
type Gen struct {
	Spec *spec.Spec
	R    *rand.Rand
	// Strings is the pool of strings; IDs the pool of resource ids.
	Strings, IDs []string
	// CustomRoles are the names of custom roles that assignments may use.
	CustomRoles []string
	// MicroTimestamps keeps timestamps at microsecond precision (PostgreSQL's).
	MicroTimestamps bool
}

var literalRE = regexp.MustCompile(`"([^"\\]*)"|'([^'\\]*)'`)

// New returns a generator for s seeded with seed.
func New(s *spec.Spec, seed uint64) *Gen {
	g := &Gen{Spec: s, R: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	seen := map[string]bool{}
	add := func(x string) {
		if !seen[x] {
			seen[x] = true
			g.Strings = append(g.Strings, x)
		}
	}
	// Besides plain strings: LIKE's wildcards and escape, case that sorts differently
	// in a linguistic collation, and IP addresses for inIPAddrRange.
	for _, x := range []string{"", "a", "ab", "b", "B", "MITx", "HarvardX", "a_", "_", "%b", `\`, "10.1.2.3", "10.0.0.0/8", "192.168.1.1"} {
		add(x)
	}
	var srcs []string
	for _, sc := range s.Scopes {
		for _, x := range sc.Match {
			srcs = append(srcs, x.Source)
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, x := range f.Match {
			srcs = append(srcs, x.Source)
		}
	}
	for _, r := range s.Roles {
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	for _, r := range s.Rules {
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		for _, m := range literalRE.FindAllStringSubmatch(src, -1) {
			if len(m[1]) < 40 && len(m[2]) < 40 {
				add(m[1] + m[2])
			}
		}
	}
	for i := 0; i < 8; i++ {
		g.IDs = append(g.IDs, fmt.Sprintf("r%d", i))
	}
	g.IDs = append(g.IDs, "MITx", "a")
	return g
}

func (g *Gen) pick(xs []string) string { return xs[g.R.IntN(len(xs))] }

// Value returns a random value of type t in the evaluator's Go representation.
func (g *Gen) Value(t *spec.Type) any {
	switch t.Kind {
	case spec.Bool:
		return g.R.IntN(2) == 0
	case spec.Int:
		return int64(g.R.IntN(7) - 3)
	case spec.Uint:
		return uint64(g.R.IntN(5))
	case spec.Double:
		return []float64{-1.5, 0, 0.5, 1, 2.25, 1e300}[g.R.IntN(6)]
	case spec.String:
		return g.pick(g.Strings)
	case spec.Bytes:
		return []byte(g.pick(g.Strings))
	case spec.Timestamp:
		base := time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)
		// Few distinct seconds, so that timestamps are often equal.
		d := time.Duration(g.R.IntN(121)-60) * time.Second
		if !g.MicroTimestamps && g.R.IntN(3) == 0 {
			d += time.Duration(g.R.IntN(1000))
		}
		return base.Add(d)
	case spec.Duration:
		return time.Duration(g.R.IntN(7)-3) * time.Minute
	case spec.List:
		n := g.R.IntN(4)
		out := make([]any, n)
		for i := range out {
			out[i] = g.Value(t.Elem)
		}
		return out
	case spec.Map:
		out := map[string]any{}
		for i := g.R.IntN(3); i > 0; i-- {
			out[g.pick(g.Strings)] = g.Value(t.Elem)
		}
		return out
	}
	return nil
}

// Attributes returns random values for some or all of attrs.
func (g *Gen) Attributes(attrs []*spec.Attribute) map[string]any {
	out := map[string]any{}
	for _, a := range attrs {
		if g.R.IntN(6) > 0 {
			out[a.Name] = g.Value(a.Type)
		}
	}
	return out
}

// Full returns attrs with every attribute given: omitted ones get their zero values,
// as the evaluator fills them.
func Full(attrs []*spec.Attribute, given map[string]any) map[string]any {
	out := map[string]any{}
	for _, a := range attrs {
		if v, ok := given[a.Name]; ok {
			out[a.Name] = v
		} else {
			out[a.Name] = zero(a.Type)
		}
	}
	return out
}

func zero(t *spec.Type) any {
	switch t.Kind {
	case spec.Bool:
		return false
	case spec.Int:
		return int64(0)
	case spec.Uint:
		return uint64(0)
	case spec.Double:
		return float64(0)
	case spec.String:
		return ""
	case spec.Bytes:
		return []byte{}
	case spec.Timestamp:
		return time.Time{}
	case spec.Duration:
		return time.Duration(0)
	case spec.List:
		return []any{}
	case spec.Map:
		return map[string]any{}
	}
	return nil
}

// Resource returns a random resource of type r: its id and attributes (all of them).
func (g *Gen) Resource(r *spec.Resource) (string, map[string]any) {
	attrs := Full(r.Attributes, g.Attributes(r.Attributes))
	return g.pick(g.IDs), attrs
}

// Request returns a random request without a resource, as JSON-ready values: a
// principal with up to maxAssignments role assignments, sometimes a credential,
// a context.
func (g *Gen) Request(maxAssignments int) map[string]any {
	s := g.Spec
	principal := map[string]any{"id": g.pick(g.IDs), "attributes": g.Attributes(s.Principal)}
	var roles []any
	var roleNames []string
	for _, r := range s.Roles {
		roleNames = append(roleNames, r.Name)
	}
	roleNames = append(roleNames, g.CustomRoles...)
	for n := g.R.IntN(maxAssignments + 1); n > 0; n-- {
		role := g.pick(roleNames)
		if g.R.IntN(20) == 0 {
			role = "ghost"
		}
		var sc *spec.Scope
		if r := s.Role(role); r != nil && r.Scopes != nil && g.R.IntN(5) > 0 {
			sc = r.Scopes[g.R.IntN(len(r.Scopes))]
		} else if len(s.Scopes) > 0 {
			sc = s.Scopes[g.R.IntN(len(s.Scopes))]
		}
		scope := map[string]any{"type": "nowhere"}
		if sc != nil && g.R.IntN(20) > 0 {
			scope["type"] = sc.Name
			for _, p := range sc.Params {
				if g.R.IntN(15) > 0 {
					v := g.Value(p.Type)
					if p.Type.Kind == spec.List && g.R.IntN(2) == 0 {
						// Scope lists name resources: draw from the id pool.
						ids := []any{}
						for i := g.R.IntN(4); i > 0; i-- {
							ids = append(ids, g.pick(g.IDs))
						}
						if p.Type.Elem.Kind == spec.String {
							v = ids
						}
					}
					scope[p.Name] = v
				}
			}
		}
		roles = append(roles, map[string]any{"role": role, "scope": scope})
	}
	principal["roles"] = roles
	req := map[string]any{"principal": principal, "context": g.Attributes(s.Context)}
	if g.R.IntN(3) == 0 {
		req["credential"] = g.credential()
	}
	return req
}

func (g *Gen) credential() map[string]any {
	s := g.Spec
	c := map[string]any{}
	if g.R.IntN(2) == 0 {
		var names []any
		for n := g.R.IntN(3); n > 0; n-- {
			if len(s.Credentials.Scopes) > 0 && g.R.IntN(10) > 0 {
				names = append(names, s.Credentials.Scopes[g.R.IntN(len(s.Credentials.Scopes))].Name)
			} else {
				names = append(names, "nope:read")
			}
		}
		c["scopes"] = nonNil(names)
	}
	if g.R.IntN(3) == 0 {
		var pats []any
		for n := g.R.IntN(3); n > 0; n-- {
			switch g.R.IntN(4) {
			case 0:
				pats = append(pats, "*")
			case 1:
				p := s.Permissions[g.R.IntN(len(s.Permissions))]
				pats = append(pats, p.Resource.Name+".*")
			case 2:
				pats = append(pats, s.Permissions[g.R.IntN(len(s.Permissions))].Name)
			default:
				pats = append(pats, "bogus.perm")
			}
		}
		c["permissions"] = nonNil(pats)
	}
	if g.R.IntN(4) == 0 {
		var names []any
		for n := g.R.IntN(2); n > 0; n-- {
			if len(s.Roles) > 0 && g.R.IntN(6) > 0 {
				names = append(names, s.Roles[g.R.IntN(len(s.Roles))].Name)
			} else if len(g.CustomRoles) > 0 {
				names = append(names, g.pick(g.CustomRoles))
			} else {
				names = append(names, "ghost")
			}
		}
		c["roles"] = nonNil(names)
	}
	if g.R.IntN(2) == 0 {
		var fs []any
		for n := g.R.IntN(3); n > 0; n-- {
			switch {
			case len(s.Credentials.Filters) > 0 && g.R.IntN(8) > 0:
				fs = append(fs, s.Credentials.Filters[g.R.IntN(len(s.Credentials.Filters))].Name+":"+g.pick(g.Strings))
			case g.R.IntN(2) == 0:
				fs = append(fs, "nofilter:x")
			default:
				fs = append(fs, "malformed")
			}
		}
		c["filters"] = nonNil(fs)
	}
	if len(s.Credentials.Attributes) > 0 {
		c["attributes"] = g.Attributes(s.Credentials.Attributes)
	}
	return c
}

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

// JSON encodes a request or attributes map in the request encoding: timestamps as
// RFC 3339, durations as Go duration strings, bytes as base64.
func JSON(v any) []byte {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		panic(err) // only test code builds these values
	}
	return b
}

func jsonable(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	}
	return v
}

// CheckRequest returns the JSON check request for a plan request, a permission and one
// resource.
func CheckRequest(req map[string]any, perm *spec.Permission, id string, attrs map[string]any) []byte {
	full := make(map[string]any, len(req)+2)
	for k, v := range req {
		full[k] = v
	}
	full["permission"] = perm.Name
	full["resource"] = map[string]any{"type": perm.Resource.Name, "id": id, "attributes": attrs}
	return JSON(full)
}

// ResourceJSON returns the JSON of a check request's resource.
func ResourceJSON(r *spec.Resource, id string, attrs map[string]any) []byte {
	return JSON(map[string]any{"type": r.Name, "id": id, "attributes": attrs})
}

// CheckRequestJSON splices a permission and a resource (see ResourceJSON) into the
// JSON of a plan request, without re-encoding either: the fast way to check one
// request against many resources.
func CheckRequestJSON(req []byte, perm *spec.Permission, resource []byte) []byte {
	out := make([]byte, 0, len(req)+len(resource)+len(perm.Name)+32)
	out = append(out, `{"permission":"`...)
	out = append(out, perm.Name...)
	out = append(out, `","resource":`...)
	out = append(out, resource...)
	rest := req[1:] // req is a JSON object: drop its '{'
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}
