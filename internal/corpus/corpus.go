// Package corpus reads the decision corpus under testdata/corpus: groups of requests
// with their expected decisions, which every backend (the reference evaluator,
// generated Go, Wasm) must answer identically.
//
// A group is a folder holding spec.yaml, an optional roles.json (custom roles) and
// cases.jsonl: one JSON object a line, {"name", "request", "want"}, where want is
// {"error": true} for a malformed request or the expected decision's allowed, reason,
// errors (kind, name, assignment) and warnings (assignment). Messages are not compared:
// backends may word them differently.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
)

// Group is one folder of the corpus.
type Group struct {
	Name  string
	Dir   string
	Spec  string // path of spec.yaml
	Roles []byte // custom roles JSON, or nil
	Cases []Case
}

// Case is one request and its expected answer.
type Case struct {
	Name    string          `json:"name"`
	Line    int             `json:"-"`
	Request json.RawMessage `json:"request"`
	Want    Want            `json:"want"`
}

// Want is an expected answer.
type Want struct {
	Error    bool           `json:"error,omitempty"`
	Allowed  bool           `json:"allowed"`
	Reason   map[string]any `json:"reason,omitempty"`
	Errors   []EvalError    `json:"errors"`
	Warnings []Warning      `json:"warnings"`
}

// EvalError is the comparable part of a decision's error entry.
type EvalError struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Assignment *int   `json:"assignment,omitempty"`
}

// Warning is the comparable part of a decision's warning.
type Warning struct {
	Assignment int `json:"assignment"`
}

// Load reads every group under root (testdata/corpus).
func Load(root string) ([]Group, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "*", "cases.jsonl"))
	if err != nil {
		return nil, err
	}
	var groups []Group
	for _, f := range dirs {
		dir := filepath.Dir(f)
		g := Group{Name: filepath.Base(dir), Dir: dir, Spec: filepath.Join(dir, "spec.yaml")}
		if data, err := os.ReadFile(filepath.Join(dir, "roles.json")); err == nil {
			g.Roles = data
		} else if !os.IsNotExist(err) {
			return nil, err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 16<<20)
		line := 0
		for sc.Scan() {
			line++
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var c Case
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", f, line, err)
			}
			c.Line = line
			g.Cases = append(g.Cases, c)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// Answer is a backend's answer, decoded for comparison.
type Answer struct {
	Error    *string        `json:"error"`
	Allowed  bool           `json:"allowed"`
	Reason   map[string]any `json:"reason"`
	Errors   []EvalError    `json:"errors"`
	Warnings []Warning      `json:"warnings"`
}

// Check compares a backend's answer (decision or error JSON) with the expectation and
// describes the first difference, or returns nil.
func Check(got []byte, want Want) error {
	var a Answer
	if err := json.Unmarshal(got, &a); err != nil {
		return fmt.Errorf("unreadable answer %s: %v", got, err)
	}
	if want.Error {
		if a.Error == nil {
			return fmt.Errorf("want a request error, got %s", got)
		}
		return nil
	}
	if a.Error != nil {
		return fmt.Errorf("want a decision, got error %q", *a.Error)
	}
	if a.Allowed != want.Allowed {
		return fmt.Errorf("allowed = %v, want %v (answer %s)", a.Allowed, want.Allowed, got)
	}
	if !reflect.DeepEqual(a.Reason, want.Reason) {
		return fmt.Errorf("reason = %v, want %v (answer %s)", a.Reason, want.Reason, got)
	}
	if !sameErrors(a.Errors, want.Errors) {
		return fmt.Errorf("errors = %s, want %s (answer %s)", show(a.Errors), show(want.Errors), got)
	}
	if !reflect.DeepEqual(nonNil(a.Warnings), nonNil(want.Warnings)) {
		return fmt.Errorf("warnings = %v, want %v (answer %s)", a.Warnings, want.Warnings, got)
	}
	return nil
}

func sameErrors(a, b []EvalError) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Name != b[i].Name {
			return false
		}
		if (a[i].Assignment == nil) != (b[i].Assignment == nil) {
			return false
		}
		if a[i].Assignment != nil && *a[i].Assignment != *b[i].Assignment {
			return false
		}
	}
	return true
}

func show(errs []EvalError) string {
	b, _ := json.Marshal(errs)
	return string(b)
}

func nonNil(w []Warning) []Warning {
	if w == nil {
		return []Warning{}
	}
	return w
}

// Same reports whether two backends' answers agree on everything a user can act on:
// request error or not, allowed, reason, warnings (with messages), and errors (kind,
// name, assignment; messages may differ).
func Same(a, b []byte) error {
	var x, y Answer
	if err := json.Unmarshal(a, &x); err != nil {
		return fmt.Errorf("unreadable answer %s", a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return fmt.Errorf("unreadable answer %s", b)
	}
	if (x.Error == nil) != (y.Error == nil) {
		return fmt.Errorf("answers differ:\n  %s\n  %s", a, b)
	}
	if x.Error != nil {
		return nil
	}
	if x.Allowed != y.Allowed || !reflect.DeepEqual(x.Reason, y.Reason) || !sameErrors(x.Errors, y.Errors) || !reflect.DeepEqual(nonNil(x.Warnings), nonNil(y.Warnings)) {
		return fmt.Errorf("answers differ:\n  %s\n  %s", a, b)
	}
	return nil
}
