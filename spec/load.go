package spec

import (
	"bytes"
	"fmt"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadFile reads and checks the spec at path. Errors are an ErrorList whose positions
// name path.
func LoadFile(path string) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(path, src)
}

// Load parses, validates and type-checks a spec. file names the source in positions.
//
// # Errors
//
// Every problem found is reported, in file order, as an ErrorList of
// FILE:LINE:COL errors; the returned *Spec is nil whenever the list is not empty.
func Load(file string, src []byte) (*Spec, error) {
	l := &loader{file: file, src: src, spec: &Spec{File: file, Source: src}}
	l.indexLines()
	if l.load() {
		l.checkExprs()
	}
	if len(l.errs) > 0 {
		return nil, l.errs.sortAndDedup()
	}
	return l.spec, nil
}

type loader struct {
	file       string
	src        []byte
	lineStarts []int
	errs       ErrorList
	spec       *Spec
	// pending role scope references, resolved once every scope is known.
}

func (l *loader) indexLines() {
	l.lineStarts = []int{0}
	for i, c := range l.src {
		if c == '\n' {
			l.lineStarts = append(l.lineStarts, i+1)
		}
	}
}

func (l *loader) lineText(line int) string {
	if line < 1 || line > len(l.lineStarts) {
		return ""
	}
	start := l.lineStarts[line-1]
	end := len(l.src)
	if line < len(l.lineStarts) {
		end = l.lineStarts[line] - 1
	}
	return strings.TrimRight(string(l.src[start:end]), "\r")
}

func (l *loader) pos(n *yaml.Node) Pos { return Pos{File: l.file, Line: n.Line, Col: n.Column} }

func (l *loader) errorAt(p Pos, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...), Source: l.lineText(p.Line)})
}

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	l.errorAt(l.pos(n), format, args...)
}

// load reads the YAML into the model; it reports false when the file could not be read
// far enough for its expressions to be checked.
func (l *loader) load() bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(l.src, &doc); err != nil {
		l.syntaxError(err)
		return false
	}
	if len(doc.Content) == 0 {
		l.errorAt(Pos{File: l.file, Line: 1, Col: 1}, "empty spec: expected a mapping with version, resources, roles, ...")
		return false
	}
	root := doc.Content[0]
	fields := l.mapping(root, "spec", "version", "package", "principal", "context", "resources", "scopes", "roles", "rules", "credentials", "custom_roles")
	if fields == nil {
		return false
	}
	s := l.spec
	if v := fields.get("version"); v == nil {
		l.errorf(root, "missing version (write `version: 1`)")
	} else if n, err := strconv.Atoi(v.Value); err != nil || v.Kind != yaml.ScalarNode || n != 1 {
		l.errorf(v, "unsupported version %q: this permc reads version 1", v.Value)
	} else {
		s.Version = n
	}
	s.Package = "authz"
	if v := fields.get("package"); v != nil {
		if name, ok := l.scalar(v, "package"); ok {
			if !goPackageRE.MatchString(name) || token.IsKeyword(name) {
				l.errorf(v, "package %q is not a valid Go package name (lower case letters, digits and _)", name)
			} else {
				s.Package = name
			}
		}
	}
	s.Principal = l.attributes(fields.get("principal"), "principal", true)
	s.Context = l.attributes(fields.get("context"), "context", false)
	l.resources(fields.get("resources"))
	l.credentials(fields.get("credentials"))
	l.scopes(fields.get("scopes"))
	l.roles(fields.get("roles"))
	l.rules(fields.get("rules"))
	l.customRoles(fields.get("custom_roles"))
	return true
}

var (
	nameRE      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	goPackageRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	ruleIDRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

func (l *loader) checkName(n *yaml.Node, what, name string) bool {
	if !nameRE.MatchString(name) {
		l.errorf(n, "%s name %q must be lower_snake_case (a-z, 0-9, _; starting with a letter)", what, name)
		return false
	}
	return true
}

// fieldList is a YAML mapping's keys and values in file order.
type fieldList struct {
	keys   []*yaml.Node
	values []*yaml.Node
}

// orEmpty lets a caller range over a mapping that failed to read.
func (f *fieldList) orEmpty() *fieldList {
	if f == nil {
		return &fieldList{}
	}
	return f
}

func (f *fieldList) get(key string) *yaml.Node {
	for i, k := range f.keys {
		if k.Value == key {
			return f.values[i]
		}
	}
	return nil
}

// mapping reads a mapping node. With allowed keys given, any other key is an error;
// with none, every key is accepted. Duplicate keys are errors.
func (l *loader) mapping(n *yaml.Node, what string, allowed ...string) *fieldList {
	if n == nil {
		return &fieldList{}
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return &fieldList{}
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return nil
	}
	f := &fieldList{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, "%s keys must be plain names", what)
			continue
		}
		if seen[k.Value] {
			l.errorf(k, "duplicate key %q in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		if len(allowed) > 0 && !contains(allowed, k.Value) {
			l.errorf(k, "unknown key %q in %s%s", k.Value, what, didYouMean(k.Value, allowed))
			continue
		}
		f.keys = append(f.keys, k)
		f.values = append(f.values, v)
	}
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "this"
}

func (l *loader) scalar(n *yaml.Node, what string) (string, bool) {
	if l.tagged(n, what) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "%s must be a single value, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// tagged reports a value that YAML read as a tag: an unquoted value starting with
// "!", such as the CEL expression !resource.public, which would otherwise become an
// empty value or lose its "!".
func (l *loader) tagged(n *yaml.Node, what string) bool {
	// The node keeps no trace of a tag that resolves to a string ("! expr" is the
	// string "expr"), so look at the source. "!!" tags are YAML's own and harmless.
	if n.Line < 1 || n.Line > len(l.lineStarts) || n.Column < 1 {
		return false
	}
	text := l.lineText(n.Line)
	text = text[min(n.Column-1, len(text)):]
	if !strings.HasPrefix(text, "!") || strings.HasPrefix(text, "!!") {
		return false
	}
	if i := strings.Index(text, " #"); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSpace(text)
	quoted := "\"" + text + "\""
	if strings.Contains(text, "\"") {
		quoted = "'" + strings.ReplaceAll(text, "'", "''") + "'"
	}
	l.errorf(n, "%s starts with \"!\", which YAML reads as a tag: quote it, as in %s", what, quoted)
	return true
}

// list reads a sequence of scalars; a single scalar is accepted as a list of one.
func (l *loader) list(n *yaml.Node, what string) ([]string, []*yaml.Node) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, []*yaml.Node{n}
	}
	if n.Kind == yaml.ScalarNode {
		return []string{}, nil
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list, not %s", what, describe(n))
		return nil, nil
	}
	vals := []string{}
	var nodes []*yaml.Node
	for _, c := range n.Content {
		if v, ok := l.scalar(c, what+" entry"); ok {
			vals = append(vals, v)
			nodes = append(nodes, c)
		}
	}
	return vals, nodes
}

func (l *loader) description(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	v, _ := l.scalar(n, "description")
	return strings.TrimSpace(v)
}

// attributes reads `name: type` or `name: {type: T, description: D}` entries.
func (l *loader) attributes(n *yaml.Node, what string, implicitID bool) []*Attribute {
	f := l.mapping(n, what+" attributes")
	if f == nil {
		return nil
	}
	var out []*Attribute
	// In a flow mapping, {m: map(string, int)}, YAML cuts the type at its ','.
	cut := false
	for i, k := range f.keys {
		v := f.values[i]
		name := k.Value
		if cut {
			// The rest of the cut type, read as a key: reported with the type.
			cut = strings.Count(name, "(") >= strings.Count(name, ")")
			continue
		}
		if n.Style&yaml.FlowStyle != 0 && v.Kind == yaml.ScalarNode && strings.Count(v.Value, "(") > strings.Count(v.Value, ")") {
			full := l.balanced(v)
			l.errorf(v, "type %q is cut at its ',': in a {...} mapping ',' separates entries, so quote the type (%q) or write one attribute per line", full, full)
			cut = true
			continue
		}
		if !l.checkName(k, "attribute", name) {
			continue
		}
		if implicitID && name == "id" {
			l.errorf(k, "%s attribute \"id\" is implicit (always a string); remove it", what)
			continue
		}
		a := &Attribute{Name: name, Pos: l.pos(k)}
		typeNode := v
		if v.Kind == yaml.MappingNode {
			af := l.mapping(v, fmt.Sprintf("attribute %q", name), "type", "description", "required")
			if af == nil {
				continue
			}
			a.Description = l.description(af.get("description"))
			if rn := af.get("required"); rn != nil {
				a.requiredAt = l.pos(rn)
				if rn.Kind != yaml.ScalarNode || rn.Tag != "!!bool" {
					l.errorf(rn, "required must be true or false, not %s", describe(rn))
				} else {
					a.Required = rn.Value == "true"
				}
			}
			typeNode = af.get("type")
			if typeNode == nil {
				l.errorf(v, "attribute %q needs a type", name)
				continue
			}
		}
		ts, ok := l.scalar(typeNode, fmt.Sprintf("type of %q", name))
		if !ok {
			continue
		}
		t, err := ParseType(ts)
		if err != nil {
			l.errorf(typeNode, "%v", err)
			continue
		}
		a.Type = t
		out = append(out, a)
	}
	return out
}

// balanced returns the source text from node n's position up to where its
// parentheses close, or to the end of its line.
func (l *loader) balanced(n *yaml.Node) string {
	text := l.lineText(n.Line)
	text = text[min(max(n.Column-1, 0), len(text)):]
	depth := 0
	for i, c := range text {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return text[:i+1]
			}
		}
	}
	return strings.TrimSpace(text)
}

func (l *loader) resources(n *yaml.Node) {
	s := l.spec
	s.resourceByName = map[string]*Resource{}
	s.permByName = map[string]*Permission{}
	f := l.mapping(n, "resources")
	if f == nil {
		return
	}
	if n == nil || len(f.keys) == 0 {
		l.errorAt(Pos{File: l.file, Line: 1, Col: 1}, "the spec declares no resources: add a `resources:` section")
		return
	}
	for i, k := range f.keys {
		name := k.Value
		if !l.checkName(k, "resource", name) {
			continue
		}
		rf := l.mapping(f.values[i], fmt.Sprintf("resource %q", name), "description", "attributes", "permissions")
		if rf == nil {
			continue
		}
		r := &Resource{Name: name, Pos: l.pos(k), Index: len(s.Resources), Description: l.description(rf.get("description"))}
		r.Attributes = l.attributes(rf.get("attributes"), fmt.Sprintf("resource %q", name), true)
		pn := rf.get("permissions")
		if pn == nil || pn.Kind != yaml.SequenceNode || len(pn.Content) == 0 {
			at := k
			if pn != nil {
				at = pn
			}
			l.errorf(at, "resource %q needs a list of permissions, such as [view, edit]", name)
		} else {
			for _, pe := range pn.Content {
				action, desc, at := "", "", pe
				if pe.Kind == yaml.MappingNode {
					pf := l.mapping(pe, "permission", "name", "description")
					if pf == nil || pf.get("name") == nil {
						l.errorf(pe, "a permission written as a mapping needs a name")
						continue
					}
					at = pf.get("name")
					action, _ = l.scalar(at, "permission name")
					desc = l.description(pf.get("description"))
				} else if v, ok := l.scalar(pe, "permission"); ok {
					action = v
				} else {
					continue
				}
				if !l.checkName(at, "permission", action) {
					continue
				}
				full := name + "." + action
				if s.permByName[full] != nil {
					l.errorf(at, "duplicate permission %q", full)
					continue
				}
				p := &Permission{Resource: r, Action: action, Name: full, Description: desc, Pos: l.pos(at), Index: len(s.Permissions)}
				r.Permissions = append(r.Permissions, p)
				s.Permissions = append(s.Permissions, p)
				s.permByName[full] = p
			}
		}
		s.Resources = append(s.Resources, r)
		s.resourceByName[name] = r
	}
}

func (s *Spec) resourceNames() []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Name)
	}
	return out
}

func (s *Spec) permissionNames() []string {
	var out []string
	for _, p := range s.Permissions {
		out = append(out, p.Name)
	}
	return out
}

func (s *Spec) expand(pat string) ([]*Permission, error) {
	if pat == "*" {
		return s.Permissions, nil
	}
	res, action, ok := strings.Cut(pat, ".")
	if !ok {
		return nil, fmt.Errorf("permission %q must be written <resource>.<action>, <resource>.* or *%s", pat, didYouMean(pat, s.permissionNames()))
	}
	r := s.resourceByName[res]
	if r == nil {
		return nil, fmt.Errorf("unknown resource type %q in permission %q%s", res, pat, didYouMean(res, s.resourceNames()))
	}
	if action == "*" {
		return r.Permissions, nil
	}
	if p := s.permByName[pat]; p != nil {
		return []*Permission{p}, nil
	}
	var actions []string
	for _, p := range r.Permissions {
		actions = append(actions, p.Action)
	}
	msg := fmt.Sprintf("unknown permission %q", pat)
	if sug := suggest(action, actions); sug != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", res+"."+sug)
	} else {
		msg += fmt.Sprintf(" (%s has %s)", res, strings.Join(actions, ", "))
	}
	return nil, fmt.Errorf("%s", msg)
}

// permissions reads a list of permission patterns and expands it.
func (l *loader) permissions(n *yaml.Node, what string) ([]string, []*Permission) {
	vals, nodes := l.list(n, what)
	var pats []string
	seen := map[int]bool{}
	for i, v := range vals {
		ps, err := l.spec.expand(v)
		if err != nil {
			l.errorf(nodes[i], "%v", err)
			continue
		}
		pats = append(pats, v)
		for _, p := range ps {
			seen[p.Index] = true
		}
	}
	var perms []*Permission
	for _, p := range l.spec.Permissions {
		if seen[p.Index] {
			perms = append(perms, p)
		}
	}
	return pats, perms
}

// resourceList resolves a `resources:` list of resource type names.
func (l *loader) resourceList(n *yaml.Node, what string) []*Resource {
	if n == nil {
		return nil
	}
	vals, nodes := l.list(n, what)
	out := []*Resource{}
	for i, v := range vals {
		r := l.spec.resourceByName[v]
		if r == nil {
			l.errorf(nodes[i], "unknown resource type %q%s", v, didYouMean(v, l.spec.resourceNames()))
			continue
		}
		out = append(out, r)
	}
	return out
}

// matchExprs reads a `match:` that is one expression or a map from resource type to
// expression, and returns the resource types it covers and one expression per type.
func (l *loader) matchExprs(owner *yaml.Node, what string, resNode, matchNode *yaml.Node) ([]*Resource, map[string]*Expr) {
	listed := l.resourceList(resNode, what+" resources")
	match := map[string]*Expr{}
	if matchNode == nil {
		l.errorf(owner, "%s needs a match expression", what)
		return listed, match
	}
	if matchNode.Kind == yaml.MappingNode {
		mf := l.mapping(matchNode, what+" match")
		var keys []*Resource
		for i, k := range mf.keys {
			r := l.spec.resourceByName[k.Value]
			if r == nil {
				l.errorf(k, "unknown resource type %q%s", k.Value, didYouMean(k.Value, l.spec.resourceNames()))
				continue
			}
			keys = append(keys, r)
			if e := l.expr(mf.values[i], what+" match"); e != nil {
				match[r.Name] = e
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].Index < keys[j].Index })
		if resNode != nil && !sameResources(listed, keys) {
			l.errorf(resNode, "%s lists resources that differ from the keys of its match map; omit resources or make them equal", what)
		}
		return keys, match
	}
	e := l.expr(matchNode, what+" match")
	rs := listed
	if resNode == nil {
		rs = l.spec.Resources
	}
	if e != nil {
		for _, r := range rs {
			match[r.Name] = e
		}
	}
	return rs, match
}

func sameResources(a, b []*Resource) bool {
	set := map[*Resource]bool{}
	for _, r := range a {
		set[r] = true
	}
	if len(set) != len(b) {
		return false
	}
	for _, r := range b {
		if !set[r] {
			return false
		}
	}
	return true
}

func (l *loader) scopes(n *yaml.Node) {
	s := l.spec
	s.scopeByName = map[string]*Scope{}
	f := l.mapping(n, "scopes")
	if f == nil {
		return
	}
	for i, k := range f.keys {
		name := k.Value
		if !l.checkName(k, "scope", name) {
			continue
		}
		what := fmt.Sprintf("scope %q", name)
		sf := l.mapping(f.values[i], what, "description", "params", "resources", "match")
		if sf == nil {
			continue
		}
		sc := &Scope{Name: name, Pos: l.pos(k), Index: len(s.Scopes), Description: l.description(sf.get("description"))}
		sc.Params = l.attributes(sf.get("params"), what+" params", false)
		for _, p := range sc.Params {
			if p.Name == "type" {
				l.errorAt(p.Pos, "scope parameter cannot be called \"type\": a scope object's \"type\" names its scope type")
			}
			if p.requiredAt.Line > 0 {
				l.errorAt(p.requiredAt, "scope parameter %q cannot be declared required: every scope parameter is (an assignment missing one grants nothing)", p.Name)
			}
		}
		sc.Resources, sc.Match = l.matchExprs(k, what, sf.get("resources"), sf.get("match"))
		s.Scopes = append(s.Scopes, sc)
		s.scopeByName[name] = sc
	}
}

func (s *Spec) scopeNames() []string {
	var out []string
	for _, sc := range s.Scopes {
		out = append(out, sc.Name)
	}
	return out
}

func (l *loader) roles(n *yaml.Node) {
	s := l.spec
	s.roleByName = map[string]*Role{}
	f := l.mapping(n, "roles")
	if f == nil {
		return
	}
	for i, k := range f.keys {
		name := k.Value
		if !l.checkName(k, "role", name) {
			continue
		}
		what := fmt.Sprintf("role %q", name)
		rf := l.mapping(f.values[i], what, "description", "permissions", "scopes", "when")
		if rf == nil {
			continue
		}
		r := &Role{Name: name, Pos: l.pos(k), Index: len(s.Roles), Description: l.description(rf.get("description"))}
		if rf.get("permissions") == nil {
			l.errorf(k, "%s needs permissions", what)
		}
		r.Patterns, r.Permissions = l.permissions(rf.get("permissions"), what+" permissions")
		if sn := rf.get("scopes"); sn != nil {
			r.Scopes = l.scopeRefs(sn, what+" scopes")
		}
		if w := rf.get("when"); w != nil {
			r.When = l.expr(w, what+" when")
		}
		s.Roles = append(s.Roles, r)
		s.roleByName[name] = r
	}
}

// scopeRefs resolves a list of scope type names; never nil.
func (l *loader) scopeRefs(n *yaml.Node, what string) []*Scope {
	s := l.spec
	vals, nodes := l.list(n, what)
	out := []*Scope{}
	for j, v := range vals {
		sc := s.scopeByName[v]
		if sc == nil {
			if len(s.Scopes) == 0 {
				l.errorf(nodes[j], "unknown scope %q (the spec declares no scopes)", v)
			} else {
				l.errorf(nodes[j], "unknown scope %q%s", v, didYouMean(v, s.scopeNames()))
			}
			continue
		}
		out = append(out, sc)
	}
	return out
}

func (l *loader) rules(n *yaml.Node) {
	s := l.spec
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "rules must be a list of rules, not %s", describe(n))
		return
	}
	ids := map[string]bool{}
	for _, rn := range n.Content {
		rf := l.mapping(rn, "rule", "id", "description", "allow", "deny", "when")
		if rf == nil {
			continue
		}
		r := &Rule{Pos: l.pos(rn), Index: len(s.Rules), Description: l.description(rf.get("description"))}
		if idn := rf.get("id"); idn == nil {
			l.errorf(rn, "rule needs an id")
		} else if id, ok := l.scalar(idn, "rule id"); ok {
			switch {
			case !ruleIDRE.MatchString(id):
				l.errorf(idn, "rule id %q may hold only letters, digits, '_', '-' and '.'", id)
			case ids[id]:
				l.errorf(idn, "duplicate rule id %q", id)
			}
			ids[id] = true
			r.ID = id
		}
		allow, deny := rf.get("allow"), rf.get("deny")
		switch {
		case allow != nil && deny != nil:
			l.errorf(deny, "a rule either allows or denies, not both")
		case allow != nil:
			r.Effect = Allow
			r.Patterns, r.Permissions = l.permissions(allow, "allow")
		case deny != nil:
			r.Effect = Deny
			r.Patterns, r.Permissions = l.permissions(deny, "deny")
		default:
			l.errorf(rn, "rule %q needs allow: [permissions] or deny: [permissions]", r.ID)
		}
		if w := rf.get("when"); w != nil {
			r.When = l.expr(w, fmt.Sprintf("rule %q when", r.ID))
		}
		s.Rules = append(s.Rules, r)
	}
}

func (l *loader) credentials(n *yaml.Node) {
	s := l.spec
	s.oauthByName = map[string]*OAuthScope{}
	s.filterByName = map[string]*Filter{}
	f := l.mapping(n, "credentials", "attributes", "scopes", "filters")
	if f == nil {
		return
	}
	s.Credentials.Attributes = l.attributes(f.get("attributes"), "credential", false)
	if sn := f.get("scopes"); sn != nil {
		sf := l.mapping(sn, "credential scopes")
		for i, k := range sf.orEmpty().keys {
			name := k.Value
			if name == "" || strings.ContainsAny(name, " \t\n") {
				l.errorf(k, "credential scope name %q may not be empty or hold spaces", name)
				continue
			}
			o := &OAuthScope{Name: name, Pos: l.pos(k)}
			v := sf.values[i]
			if v.Kind == yaml.MappingNode {
				of := l.mapping(v, fmt.Sprintf("credential scope %q", name), "description", "permissions")
				if of == nil {
					continue
				}
				o.Description = l.description(of.get("description"))
				v = of.get("permissions")
			}
			o.Patterns, o.Permissions = l.permissions(v, fmt.Sprintf("credential scope %q", name))
			s.Credentials.Scopes = append(s.Credentials.Scopes, o)
			s.oauthByName[name] = o
		}
	}
	if fn := f.get("filters"); fn != nil {
		ff := l.mapping(fn, "credential filters")
		for i, k := range ff.orEmpty().keys {
			name := k.Value
			if !l.checkName(k, "filter", name) {
				continue
			}
			what := fmt.Sprintf("filter %q", name)
			fl := l.mapping(ff.values[i], what, "description", "resources", "match")
			if fl == nil {
				continue
			}
			flt := &Filter{Name: name, Pos: l.pos(k), Index: len(s.Credentials.Filters), Description: l.description(fl.get("description"))}
			flt.Resources, flt.Match = l.matchExprs(k, what, fl.get("resources"), fl.get("match"))
			s.Credentials.Filters = append(s.Credentials.Filters, flt)
			s.filterByName[name] = flt
		}
	}
}

// expr reads a CEL expression from a scalar and records where each of its bytes is in
// the file, so that CEL's errors point into the YAML.
func (l *loader) expr(n *yaml.Node, what string) *Expr {
	if l.tagged(n, what) {
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "%s must be a CEL expression, not %s", what, describe(n))
		return nil
	}
	src := n.Value
	if strings.TrimSpace(src) == "" {
		l.errorf(n, "%s is empty", what)
		return nil
	}
	e := &Expr{Source: src, Pos: l.pos(n)}
	start := 0
	if n.Line >= 1 && n.Line <= len(l.lineStarts) {
		start = l.lineStarts[n.Line-1] + n.Column - 1
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && n.Line < len(l.lineStarts) {
			start = l.lineStarts[n.Line]
		}
	}
	e.offsets = make([]Pos, len(src))
	j := start
	for i := 0; i < len(src); i++ {
		c := src[i]
		k := bytes.IndexByte(l.src[min(j, len(l.src)):], c)
		if k < 0 {
			e.offsets[i] = e.Pos
			continue
		}
		j += k
		e.offsets[i] = l.posOf(j)
		j++
	}
	if len(src) > 0 {
		e.Pos = e.offsets[0]
	}
	return e
}

func (l *loader) posOf(off int) Pos {
	line := sort.Search(len(l.lineStarts), func(i int) bool { return l.lineStarts[i] > off })
	return Pos{File: l.file, Line: line, Col: off - l.lineStarts[line-1] + 1}
}
