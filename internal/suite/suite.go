// Package suite reads permc's YAML test suites and runs them against any backend.
//
// A suite names a spec, defines principals, resources, credentials and contexts once,
// then lists tests: for a principal and a resource, which permissions are allowed and
// which denied, and optionally why.
package suite

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// Suite is one test suite file.
type Suite struct {
	// Path is the suite file; Spec and Roles are resolved against its folder.
	Path        string `yaml:"-"`
	src         []byte
	Name        string                    `yaml:"name"`
	Description string                    `yaml:"description"`
	Spec        string                    `yaml:"spec"`
	Roles       string                    `yaml:"roles"`
	Principals  map[string]map[string]any `yaml:"principals"`
	Resources   map[string]map[string]any `yaml:"resources"`
	Credentials map[string]map[string]any `yaml:"credentials"`
	Contexts    map[string]map[string]any `yaml:"contexts"`
	Tests       []Test                    `yaml:"tests"`
}

// Test is one row of a suite: every principal against every resource, for each
// permission listed in Allow or Deny.
type Test struct {
	Name       string            `yaml:"name"`
	Principal  string            `yaml:"principal"`
	Principals []string          `yaml:"principals"`
	Resource   string            `yaml:"resource"`
	Resources  []string          `yaml:"resources"`
	Credential yaml.Node         `yaml:"credential"`
	Context    yaml.Node         `yaml:"context"`
	Allow      []string          `yaml:"allow"`
	Deny       []string          `yaml:"deny"`
	Reasons    map[string]Reason `yaml:"reasons"`
	node       *yaml.Node
}

// Reason is an expected decision reason; empty fields are not compared.
type Reason struct {
	Kind       string `yaml:"kind" json:"kind"`
	Rule       string `yaml:"rule" json:"rule,omitempty"`
	Role       string `yaml:"role" json:"role,omitempty"`
	Assignment *int   `yaml:"assignment" json:"assignment,omitempty"`
}

// Case is one request of a suite and its expected answer.
type Case struct {
	// Name reads "test name/principal/resource/permission".
	Name string
	// At is the test's position, FILE:LINE:COL.
	At         string
	Request    []byte
	Permission string
	Allowed    bool
	Reason     *Reason
}

// The keys of a suite, of a test and of an expected reason.
var (
	suiteKeys  = []string{"name", "description", "spec", "roles", "principals", "resources", "credentials", "contexts", "tests"}
	testKeys   = []string{"name", "principal", "principals", "resource", "resources", "credential", "context", "allow", "deny", "reasons"}
	reasonKeys = []string{"kind", "rule", "role", "assignment"}
)

// Load reads a suite file. Unknown keys, values of the wrong shape and a spec given in
// place of a suite are errors.
//
// # Errors
//
// A file that cannot be read, or a spec.ErrorList whose errors each name their
// FILE:LINE:COL.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a suite from data; path names it in errors and resolves its files.
//
// # Errors
//
// As Load.
func Parse(path string, data []byte) (*Suite, error) {
	s := &Suite{Path: path, src: data}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, spec.ErrorList{spec.SyntaxError(path, data, err)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		n := &doc
		if len(doc.Content) > 0 {
			n = doc.Content[0]
		}
		return nil, spec.ErrorList{s.errorAt(n, "a test suite is a mapping with spec, principals, resources and tests (see docs/testing.md)")}
	}
	root := doc.Content[0]
	if key(root, "tests") == nil && key(root, "version") != nil && (key(root, "resources") != nil || key(root, "roles") != nil || key(root, "rules") != nil) {
		return nil, spec.ErrorList{s.errorAt(root, "this is a spec, not a test suite: run permc vet --spec %s, or give *_test.yaml suites", path)}
	}
	var errs spec.ErrorList
	fail := func(e *spec.Error) { errs = append(errs, e) }
	s.checkKeys(root, "the test suite", suiteKeys, fail)
	for _, k := range []string{"name", "description", "spec", "roles"} {
		if v := key(root, k); v != nil && v.Kind != yaml.ScalarNode {
			fail(s.errorAt(v, "%s must be a single value", k))
		}
	}
	for _, k := range []string{"principals", "resources", "credentials", "contexts"} {
		v := key(root, k)
		if v == nil || v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			fail(s.errorAt(v, "%s must be a mapping from a name to its definition", k))
			continue
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			if d := v.Content[i+1]; d.Kind != yaml.MappingNode {
				fail(s.errorAt(d, "%s %q must be a mapping (such as {id: x, attributes: {...}})", strings.TrimSuffix(k, "s"), v.Content[i].Value))
			}
		}
	}
	var tests []*yaml.Node
	if v := key(root, "tests"); v == nil || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		at := root
		if v != nil {
			at = v
		}
		fail(s.errorAt(at, "the suite needs tests: a list of {principal, resource, allow, deny}"))
	} else {
		for _, t := range v.Content {
			if t.Kind != yaml.MappingNode {
				fail(s.errorAt(t, "a test must be a mapping with principal, resource and allow or deny"))
				continue
			}
			s.checkTest(t, fail)
			tests = append(tests, t)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := root.Decode(s); err != nil {
		return nil, s.decodeErrors(root, err)
	}
	s.Path, s.src = path, data
	for i := range s.Tests {
		s.Tests[i].node = tests[i]
	}
	if s.Spec == "" {
		return nil, spec.ErrorList{s.errorAt(root, "the suite needs spec: FILE, the spec it tests (relative to the suite)")}
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), ".yaml")
	}
	return s, nil
}

// checkTest checks a test's keys and the shape of their values.
func (s *Suite) checkTest(t *yaml.Node, fail func(*spec.Error)) {
	s.checkKeys(t, "test", testKeys, fail)
	if v := key(t, "name"); v != nil && v.Kind != yaml.ScalarNode {
		fail(s.errorAt(v, "name must be a single value"))
	}
	for _, k := range []string{"principal", "resource"} {
		if v := key(t, k); v != nil && v.Kind != yaml.ScalarNode {
			fail(s.errorAt(v, "%s must be a single name (%ss: [a, b] lists several)", k, k))
		}
	}
	for _, k := range []string{"principals", "resources", "allow", "deny"} {
		if v := key(t, k); v != nil && v.Kind != yaml.SequenceNode {
			fail(s.errorAt(v, "%s must be a list, such as [a, b]", k))
		} else if v != nil {
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					fail(s.errorAt(e, "%s lists names, not %s", k, kindName(e)))
				}
			}
		}
	}
	if v := key(t, "reasons"); v != nil {
		if v.Kind != yaml.MappingNode {
			fail(s.errorAt(v, "reasons must map a permission to its expected reason, such as library.edit: {kind: role}"))
			return
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			r := v.Content[i+1]
			if r.Kind != yaml.MappingNode {
				fail(s.errorAt(r, "the reason for %s must be a mapping, such as {kind: role, role: NAME}", v.Content[i].Value))
				continue
			}
			s.checkKeys(r, "reason", reasonKeys, fail)
		}
	}
}

// checkKeys reports the keys of mapping n that are not in allowed.
func (s *Suite) checkKeys(n *yaml.Node, what string, allowed []string, fail func(*spec.Error)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !contains(allowed, k.Value) {
			fail(s.errorAt(k, "unknown key %q in %s%s", k.Value, what, runtime.DidYouMean(k.Value, allowed)))
		}
	}
}

// key returns the value of key k in mapping n, or nil.
func key(n *yaml.Node, k string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mappings"
	case yaml.SequenceNode:
		return "lists"
	}
	return "values"
}

var (
	decodeLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
	unmarshalRE  = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\w+)$")
	goTypeWords  = map[string]string{"int": "a number", "bool": "true or false", "string": "a single value"}
)

// decodeErrors turns the errors of decoding the checked suite (a value of the wrong
// type, such as assignment: first) into errors at their lines.
func (s *Suite) decodeErrors(root *yaml.Node, err error) spec.ErrorList {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return spec.ErrorList{s.errorAt(root, "%s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	lines := strings.Split(string(s.src), "\n")
	var errs spec.ErrorList
	for _, msg := range te.Errors {
		at := root
		if m := decodeLineRE.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			col := 1
			if n >= 1 && n <= len(lines) {
				col += len(lines[n-1]) - len(strings.TrimLeft(lines[n-1], " "))
			}
			at, msg = &yaml.Node{Line: n, Column: col}, m[2]
		}
		if m := unmarshalRE.FindStringSubmatch(msg); m != nil && goTypeWords[m[2]] != "" {
			msg = fmt.Sprintf("expected %s, not %q", goTypeWords[m[2]], m[1])
		}
		errs = append(errs, s.errorAt(at, "%s", msg))
	}
	return errs
}

// errorAt returns an error at node n of the suite, with its source line.
func (s *Suite) errorAt(n *yaml.Node, format string, args ...any) *spec.Error {
	line, col := max(n.Line, 1), max(n.Column, 1)
	source := ""
	if lines := strings.Split(string(s.src), "\n"); line <= len(lines) {
		source = strings.TrimRight(lines[line-1], "\r")
	}
	return &spec.Error{Pos: spec.Pos{File: s.Path, Line: line, Col: col}, Msg: fmt.Sprintf(format, args...), Source: source}
}

// SpecPath is the suite's spec file.
func (s *Suite) SpecPath() string { return s.rel(s.Spec) }

// RolesPath is the suite's custom roles file, or "".
func (s *Suite) RolesPath() string {
	if s.Roles == "" {
		return ""
	}
	return s.rel(s.Roles)
}

func (s *Suite) rel(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(s.Path), p)
}

// names returns the names a test gives under one and many (principal and principals),
// each with its node.
func names(t *yaml.Node, one, many string) []*yaml.Node {
	var out []*yaml.Node
	if v := key(t, many); v != nil {
		out = append(out, v.Content...)
	}
	if v := key(t, one); v != nil && v.Tag != "!!null" {
		out = append(out, v)
	}
	return out
}

// Cases expands the suite's tests into requests. A resource's id is its name in the
// suite unless it gives one; so is a principal's.
//
// # Errors
//
// A spec.ErrorList: a test without a principal, a resource or permissions, or naming
// a principal, resource, credential or context the suite does not define.
func (s *Suite) Cases() ([]Case, error) {
	var out []Case
	var errs spec.ErrorList
	for ti, t := range s.Tests {
		n := t.node
		at := s.errorAt(n, "").Pos.String()
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("test %d", ti+1)
		}
		principals, resources := names(n, "principal", "principals"), names(n, "resource", "resources")
		if len(principals) == 0 {
			errs = append(errs, s.errorAt(n, "test %q needs a principal (principal: NAME, or principals: [NAMES])", name))
		}
		if len(resources) == 0 {
			errs = append(errs, s.errorAt(n, "test %q needs a resource (resource: NAME, or resources: [NAMES])", name))
		}
		if len(t.Allow)+len(t.Deny) == 0 {
			errs = append(errs, s.errorAt(n, "test %q expects nothing: list permissions under allow or deny", name))
		}
		cred, err := s.named(key(n, "credential"), s.Credentials, "credential")
		if err != nil {
			errs = append(errs, err)
		}
		ctx, err := s.named(key(n, "context"), s.Contexts, "context")
		if err != nil {
			errs = append(errs, err)
		}
		if r := key(n, "reasons"); r != nil {
			for i := 0; i+1 < len(r.Content); i += 2 {
				if p := r.Content[i].Value; !contains(t.Allow, p) && !contains(t.Deny, p) {
					errs = append(errs, s.errorAt(r.Content[i], "reasons names %q, which is under neither allow nor deny", p))
				}
			}
		}
		for _, pn := range principals {
			if _, ok := s.Principals[pn.Value]; !ok {
				errs = append(errs, s.errorAt(pn, "unknown principal %q%s", pn.Value, defined(pn.Value, s.Principals, "principals")))
			}
		}
		for _, rn := range resources {
			if _, ok := s.Resources[rn.Value]; !ok {
				errs = append(errs, s.errorAt(rn, "unknown resource %q%s", rn.Value, defined(rn.Value, s.Resources, "resources")))
			}
		}
		if len(errs) > 0 {
			continue
		}
		for _, pn := range principals {
			principal := withDefaultID(s.Principals[pn.Value], pn.Value)
			for _, rn := range resources {
				resource := withDefaultID(s.Resources[rn.Value], rn.Value)
				perms := append(append([]string{}, t.Allow...), t.Deny...)
				for i, perm := range perms {
					req := map[string]any{"principal": principal, "resource": resource, "permission": perm}
					if cred != nil {
						req["credential"] = cred
					}
					if ctx != nil {
						req["context"] = ctx
					}
					data, err := json.Marshal(req)
					if err != nil {
						errs = append(errs, s.errorAt(n, "%v", err))
						continue
					}
					c := Case{Name: fmt.Sprintf("%s/%s/%s/%s", name, pn.Value, rn.Value, perm), At: at, Request: data, Permission: perm, Allowed: i < len(t.Allow)}
					if r, ok := t.Reasons[perm]; ok {
						c.Reason = &r
					}
					out = append(out, c)
				}
			}
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			a, b := errs[i].Pos, errs[j].Pos
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, errs
	}
	return out, nil
}

// defined says which names a suite defines under what, with the closest one.
func defined(name string, defs map[string]map[string]any, what string) string {
	if len(defs) == 0 {
		return fmt.Sprintf(" (the suite defines no %s)", what)
	}
	list := make([]string, 0, len(defs))
	for k := range defs {
		list = append(list, k)
	}
	sort.Strings(list)
	if sug := runtime.Suggest(name, list); sug != "" {
		return fmt.Sprintf(" (did you mean %q?)", sug)
	}
	return fmt.Sprintf(" (define it under %s: %s)", what, strings.Join(list, ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func withDefaultID(m map[string]any, id string) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if _, ok := out["id"]; !ok {
		out["id"] = id
	}
	return out
}

// named resolves a test's credential or context: a name defined in the suite, or an
// inline mapping.
func (s *Suite) named(n *yaml.Node, defs map[string]map[string]any, what string) (map[string]any, *spec.Error) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		v, ok := defs[n.Value]
		if !ok {
			return nil, s.errorAt(n, "unknown %s %q%s", what, n.Value, defined(n.Value, defs, what+"s"))
		}
		return v, nil
	case yaml.MappingNode:
		var v map[string]any
		if err := n.Decode(&v); err != nil {
			return nil, s.errorAt(n, "%s: %v", what, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if v == nil {
			v = map[string]any{}
		}
		return v, nil
	}
	return nil, s.errorAt(n, "%s must be the name of one the suite defines, or a mapping", what)
}
