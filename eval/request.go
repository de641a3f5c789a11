package eval

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// RequestError is a malformed request: it gets an error, never a decision.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

func reqErr(format string, args ...any) error {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// request is a decoded, validated request.
type request struct {
	principal   map[string]any
	assignments []assignment
	resource    *spec.Resource
	resAttrs    map[string]any
	perm        *spec.Permission
	context     map[string]any
	cred        credential
	budget      *runtime.Budget // the check's evaluation budget
}

type assignment struct {
	roleName  string
	scopeName string
	role      *spec.Role  // nil when unknown
	scope     *spec.Scope // nil when unknown
	params    map[string]any
	valid     bool
}

type credential struct {
	present                       bool
	hasScopes, hasPerms, hasRoles bool
	scopes, perms, roles, filters []string
	attrs                         map[string]any
}

func keysOf(j *runtime.JSON, where string, allowed ...string) error {
	for _, k := range j.Keys {
		found := false
		for _, a := range allowed {
			if a == k {
				found = true
				break
			}
		}
		if !found {
			return reqErr("%s: unknown key %q%s", where, k, suggestion(k, allowed))
		}
	}
	return nil
}

func suggestion(name string, candidates []string) string {
	if s := spec.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func get(j *runtime.JSON, key string) *runtime.JSON {
	if v, ok := j.Get(key); ok && v.Kind != runtime.JSONNull {
		return v
	}
	return nil
}

func wantString(j *runtime.JSON, where string) (string, error) {
	if j == nil {
		return "", reqErr("%s is required", where)
	}
	if j.Kind != runtime.JSONString {
		return "", reqErr("%s: want a string, not %s", where, j.Kind)
	}
	return j.Str, nil
}

func wantObject(j *runtime.JSON, where string) error {
	if j.Kind != runtime.JSONObject {
		return reqErr("%s: want an object, not %s", where, j.Kind)
	}
	return nil
}

func wantStrings(j *runtime.JSON, where string) ([]string, error) {
	if j.Kind != runtime.JSONArray {
		return nil, reqErr("%s: want an array of strings, not %s", where, j.Kind)
	}
	out := make([]string, 0, len(j.Elems))
	for i := range j.Elems {
		if j.Elems[i].Kind != runtime.JSONString {
			return nil, reqErr("%s[%d]: want a string, not %s", where, i, j.Elems[i].Kind)
		}
		out = append(out, j.Elems[i].Str)
	}
	return out, nil
}

// parse parses a request, after checking its length against the limit: the memory
// parsing takes grows with the input, so the limit comes first.
func (e *Evaluator) parse(data []byte) (runtime.JSON, error) {
	if err := runtime.CheckRequestLength(len(data), e.opts.MaxRequestBytes); err != nil {
		return runtime.JSON{}, reqErr("%v", err)
	}
	doc, err := runtime.ParseJSON(data)
	if err != nil {
		return runtime.JSON{}, reqErr("%v", err)
	}
	return doc, nil
}

// decodeRequest validates a request against the spec, strictly.
func (e *Evaluator) decodeRequest(data []byte) (*request, error) {
	doc, err := e.parse(data)
	if err != nil {
		return nil, err
	}
	if err := wantObject(&doc, "request"); err != nil {
		return nil, err
	}
	if err := keysOf(&doc, "request", "principal", "resource", "permission", "credential", "context"); err != nil {
		return nil, err
	}
	s := e.spec
	r := &request{}

	// The resource first: its type is needed to check the permission.
	rj := get(&doc, "resource")
	if rj == nil {
		return nil, reqErr("resource is required")
	}
	if err := wantObject(rj, "resource"); err != nil {
		return nil, err
	}
	if err := keysOf(rj, "resource", "type", "id", "attributes"); err != nil {
		return nil, err
	}
	typ, err := wantString(get(rj, "type"), "resource.type")
	if err != nil {
		return nil, err
	}
	if r.resource = s.Resource(typ); r.resource == nil {
		return nil, reqErr("unknown resource type %q%s", typ, suggestion(typ, resourceNames(s)))
	}
	id, err := wantString(get(rj, "id"), "resource.id")
	if err != nil {
		return nil, err
	}
	if r.resAttrs, err = decodeAttrs(get(rj, "attributes"), r.resource.Attributes, "resource.attributes"); err != nil {
		return nil, err
	}
	r.resAttrs["id"] = id

	perm, err := wantString(get(&doc, "permission"), "permission")
	if err != nil {
		return nil, err
	}
	if r.perm = s.Permission(perm); r.perm == nil || r.perm.Resource != r.resource {
		var names []string
		for _, p := range r.resource.Permissions {
			names = append(names, p.Name)
		}
		if r.perm != nil {
			return nil, reqErr("permission %q is not a permission of resource type %q (it has %s)", perm, typ, strings.Join(names, ", "))
		}
		return nil, reqErr("unknown permission %q%s", perm, suggestion(perm, names))
	}

	if err := e.decodeKnown(&doc, r); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeKnown decodes what a request says besides its resource and permission: the
// principal and its role assignments, the context and the credential.
func (e *Evaluator) decodeKnown(doc *runtime.JSON, r *request) error {
	s := e.spec
	pj := get(doc, "principal")
	if pj == nil {
		return reqErr("principal is required")
	}
	if err := wantObject(pj, "principal"); err != nil {
		return err
	}
	if err := keysOf(pj, "principal", "id", "attributes", "roles"); err != nil {
		return err
	}
	pid, err := wantString(get(pj, "id"), "principal.id")
	if err != nil {
		return err
	}
	if r.principal, err = decodeAttrs(get(pj, "attributes"), s.Principal, "principal.attributes"); err != nil {
		return err
	}
	r.principal["id"] = pid
	if roles := get(pj, "roles"); roles != nil {
		if roles.Kind != runtime.JSONArray {
			return reqErr("principal.roles: want an array, not %s", roles.Kind)
		}
		for i := range roles.Elems {
			a, err := e.decodeAssignment(&roles.Elems[i], fmt.Sprintf("principal.roles[%d]", i))
			if err != nil {
				return err
			}
			r.assignments = append(r.assignments, a)
		}
	}

	if r.context, err = decodeAttrs(get(doc, "context"), s.Context, "context"); err != nil {
		return err
	}
	if r.cred, err = decodeCredential(get(doc, "credential"), s); err != nil {
		return err
	}
	return nil
}

func (e *Evaluator) decodeAssignment(j *runtime.JSON, where string) (assignment, error) {
	var a assignment
	if err := wantObject(j, where); err != nil {
		return a, err
	}
	if err := keysOf(j, where, "role", "scope"); err != nil {
		return a, err
	}
	var err error
	if a.roleName, err = wantString(get(j, "role"), where+".role"); err != nil {
		return a, err
	}
	sj := get(j, "scope")
	if sj == nil {
		return a, reqErr("%s.scope is required", where)
	}
	if err := wantObject(sj, where+".scope"); err != nil {
		return a, err
	}
	if a.scopeName, err = wantString(get(sj, "type"), where+".scope.type"); err != nil {
		return a, err
	}
	a.role = e.role(a.roleName)
	a.scope = e.spec.Scope(a.scopeName)
	if a.scope == nil {
		return a, nil
	}
	a.params = map[string]any{}
	for k, key := range sj.Keys {
		if key == "type" {
			continue
		}
		p := a.scope.Param(key)
		if p == nil {
			var names []string
			for _, q := range a.scope.Params {
				names = append(names, q.Name)
			}
			return a, reqErr("%s.scope: scope %q has no parameter %q%s", where, a.scopeName, key, suggestion(key, names))
		}
		if sj.Elems[k].Kind == runtime.JSONNull {
			continue
		}
		v, err := decodeValue(p.Type, &sj.Elems[k], where+".scope."+key)
		if err != nil {
			return a, err
		}
		a.params[key] = v
	}
	return a, nil
}

func decodeCredential(j *runtime.JSON, s *spec.Spec) (credential, error) {
	var c credential
	var err error
	if j == nil {
		// Without a credential its attributes, required or not, have zero values.
		c.attrs = zeroAttrs(s.Credentials.Attributes)
		return c, nil
	}
	if err := wantObject(j, "credential"); err != nil {
		return c, err
	}
	if err := keysOf(j, "credential", "scopes", "permissions", "roles", "filters", "attributes"); err != nil {
		return c, err
	}
	c.present = true
	lists := []struct {
		key string
		has *bool
		dst *[]string
	}{{"scopes", &c.hasScopes, &c.scopes}, {"permissions", &c.hasPerms, &c.perms}, {"roles", &c.hasRoles, &c.roles}, {"filters", nil, &c.filters}}
	for _, l := range lists {
		// null is not an absent key: a host writing a nil list as null must not
		// widen the credential.
		v, ok := j.Get(l.key)
		if !ok {
			continue
		}
		if *l.dst, err = wantStrings(v, "credential."+l.key); err != nil {
			return c, err
		}
		if l.has != nil {
			*l.has = true
		}
	}
	c.attrs, err = decodeAttrs(get(j, "attributes"), s.Credentials.Attributes, "credential.attributes")
	return c, err
}

// zeroAttrs returns the zero value of every attribute of decl.
func zeroAttrs(decl []*spec.Attribute) map[string]any {
	out := make(map[string]any, len(decl)+1)
	for _, a := range decl {
		out[a.Name] = zero(a.Type)
	}
	return out
}

// decodeAttrs decodes an attributes object (nil when absent or null); omitted
// attributes get zero values, unless they are required: then the request is malformed,
// and null is a value of the wrong kind.
func decodeAttrs(j *runtime.JSON, decl []*spec.Attribute, where string) (map[string]any, error) {
	out := zeroAttrs(decl)
	if j == nil {
		return out, missingRequired(j, decl, where)
	}
	if err := wantObject(j, where); err != nil {
		return nil, err
	}
	for i, k := range j.Keys {
		var a *spec.Attribute
		for _, d := range decl {
			if d.Name == k {
				a = d
				break
			}
		}
		if a == nil {
			var names []string
			for _, d := range decl {
				names = append(names, d.Name)
			}
			if k == "id" {
				return nil, reqErr("%s: \"id\" goes beside attributes, not inside them", where)
			}
			return nil, reqErr("%s: undeclared attribute %q%s", where, k, suggestion(k, names))
		}
		if j.Elems[i].Kind == runtime.JSONNull && !a.Required {
			continue
		}
		v, err := decodeValue(a.Type, &j.Elems[i], where+"."+k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, missingRequired(j, decl, where)
}

// missingRequired reports the first required attribute of decl, in declaration order,
// that the attributes object j (nil when absent) does not give.
func missingRequired(j *runtime.JSON, decl []*spec.Attribute, where string) error {
	for _, a := range decl {
		if !a.Required {
			continue
		}
		if j != nil {
			if _, ok := j.Get(a.Name); ok {
				continue
			}
		}
		return reqErr("%s.%s is required", where, a.Name)
	}
	return nil
}

// zero returns the zero value of a type as the evaluator represents it.
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
		return time.Time{}.UTC()
	case spec.Duration:
		return time.Duration(0)
	case spec.List:
		return []any{}
	case spec.Map:
		return map[string]any{}
	}
	return nil
}

func decodeValue(t *spec.Type, j *runtime.JSON, where string) (any, error) {
	bad := func(want string) error { return reqErr("%s: want %s, not %s", where, want, j.Kind) }
	wrap := func(v any, err error) (any, error) {
		if err != nil {
			return nil, reqErr("%s: %v", where, err)
		}
		return v, nil
	}
	switch t.Kind {
	case spec.Bool:
		if j.Kind != runtime.JSONBool {
			return nil, bad("a boolean")
		}
		return j.Bool, nil
	case spec.Int, spec.Uint, spec.Double:
		if j.Kind != runtime.JSONNumber {
			return nil, bad("a number")
		}
		switch t.Kind {
		case spec.Int:
			return wrap(runtime.ParseInt(j.Str))
		case spec.Uint:
			return wrap(runtime.ParseUint(j.Str))
		}
		return wrap(runtime.ParseDouble(j.Str))
	case spec.String, spec.Bytes, spec.Timestamp, spec.Duration:
		if j.Kind != runtime.JSONString {
			return nil, bad("a string")
		}
		switch t.Kind {
		case spec.Bytes:
			return wrap(runtime.ParseBytes(j.Str))
		case spec.Timestamp:
			return wrap(runtime.ParseTimestamp(j.Str))
		case spec.Duration:
			return wrap(runtime.ParseDuration(j.Str))
		}
		return j.Str, nil
	case spec.List:
		if j.Kind != runtime.JSONArray {
			return nil, bad("an array")
		}
		out := make([]any, len(j.Elems))
		for i := range j.Elems {
			v, err := decodeValue(t.Elem, &j.Elems[i], fmt.Sprintf("%s[%d]", where, i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case spec.Map:
		if j.Kind != runtime.JSONObject {
			return nil, bad("an object")
		}
		out := make(map[string]any, len(j.Keys))
		for i, k := range j.Keys {
			v, err := decodeValue(t.Elem, &j.Elems[i], fmt.Sprintf("%s[%q]", where, k))
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return nil, reqErr("%s: unsupported type %s", where, t)
}

func resourceNames(s *spec.Spec) []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}
