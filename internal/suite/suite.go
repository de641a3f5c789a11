// Package suite reads permc's YAML test suites and runs them against any backend.
//
// A suite names a spec, defines principals, resources, credentials and contexts once,
// then lists tests: for a principal and a resource, which permissions are allowed and
// which denied, and optionally why.
package suite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Suite is one test suite file.
type Suite struct {
	// Path is the suite file; Spec and Roles are resolved against its folder.
	Path        string                    `yaml:"-"`
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
	line       int
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
	Name       string
	Line       int
	Request    []byte
	Permission string
	Allowed    bool
	Reason     *Reason
}

// Load reads a suite file strictly: unknown keys are errors.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Suite
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %v", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// Record each test's line for failure messages.
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) > 0 {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "tests" {
				for j, t := range root.Content[i+1].Content {
					if j < len(s.Tests) {
						s.Tests[j].line = t.Line
					}
				}
			}
		}
	}
	s.Path = path
	if s.Spec == "" {
		return nil, fmt.Errorf("%s: the suite needs `spec: FILE` (relative to the suite)", path)
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), ".yaml")
	}
	return &s, nil
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

// Cases expands the suite's tests into requests.
func (s *Suite) Cases() ([]Case, error) {
	var out []Case
	for ti, t := range s.Tests {
		at := fmt.Sprintf("%s:%d", s.Path, t.line)
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("test %d", ti+1)
		}
		principals := append([]string{}, t.Principals...)
		if t.Principal != "" {
			principals = append(principals, t.Principal)
		}
		resources := append([]string{}, t.Resources...)
		if t.Resource != "" {
			resources = append(resources, t.Resource)
		}
		if len(principals) == 0 || len(resources) == 0 {
			return nil, fmt.Errorf("%s: test %q needs a principal and a resource", at, name)
		}
		if len(t.Allow)+len(t.Deny) == 0 {
			return nil, fmt.Errorf("%s: test %q expects nothing: list permissions under allow or deny", at, name)
		}
		cred, err := s.named(&t.Credential, s.Credentials, "credential")
		if err != nil {
			return nil, fmt.Errorf("%s: %v", at, err)
		}
		ctx, err := s.named(&t.Context, s.Contexts, "context")
		if err != nil {
			return nil, fmt.Errorf("%s: %v", at, err)
		}
		for p := range t.Reasons {
			if !contains(t.Allow, p) && !contains(t.Deny, p) {
				return nil, fmt.Errorf("%s: reasons names %q, which is under neither allow nor deny", at, p)
			}
		}
		for _, pn := range principals {
			principal, ok := s.Principals[pn]
			if !ok {
				return nil, fmt.Errorf("%s: unknown principal %q (define it under principals)", at, pn)
			}
			principal = withDefaultID(principal, pn)
			for _, rn := range resources {
				resource, ok := s.Resources[rn]
				if !ok {
					return nil, fmt.Errorf("%s: unknown resource %q (define it under resources)", at, rn)
				}
				resource = withDefaultID(resource, rn)
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
						return nil, fmt.Errorf("%s: %v", at, err)
					}
					c := Case{Name: fmt.Sprintf("%s/%s/%s/%s", name, pn, rn, perm), Line: t.line, Request: data, Permission: perm, Allowed: i < len(t.Allow)}
					if r, ok := t.Reasons[perm]; ok {
						r := r
						c.Reason = &r
					}
					out = append(out, c)
				}
			}
		}
	}
	return out, nil
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
func (s *Suite) named(n *yaml.Node, defs map[string]map[string]any, what string) (map[string]any, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		v, ok := defs[n.Value]
		if !ok {
			var names []string
			for k := range defs {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("unknown %s %q (defined: %s)", what, n.Value, strings.Join(names, ", "))
		}
		return v, nil
	case yaml.MappingNode:
		var v map[string]any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		if v == nil {
			v = map[string]any{}
		}
		return v, nil
	}
	return nil, fmt.Errorf("%s must be a name or a mapping", what)
}
