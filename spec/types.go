package spec

import (
	"fmt"
	"strings"
)

// Kind is the kind of an attribute or parameter type.
type Kind int

// The kinds of type a spec may declare, named as in CEL.
const (
	Bool Kind = iota + 1
	Int
	Uint
	Double
	String
	Bytes
	Timestamp
	Duration
	List
	Map
)

var kindNames = map[Kind]string{
	Bool: "bool", Int: "int", Uint: "uint", Double: "double", String: "string",
	Bytes: "bytes", Timestamp: "timestamp", Duration: "duration", List: "list", Map: "map",
}

// Type is a declared type in CEL notation: a scalar, list(T) or map(string, T).
type Type struct {
	Kind Kind
	// Elem is the element type of a list or the value type of a map (keys are strings).
	Elem *Type
}

// String returns the type in CEL notation, as a spec would write it.
func (t *Type) String() string {
	switch t.Kind {
	case List:
		return "list(" + t.Elem.String() + ")"
	case Map:
		return "map(string, " + t.Elem.String() + ")"
	}
	return kindNames[t.Kind]
}

// Equal reports whether two types are the same.
func (t *Type) Equal(u *Type) bool {
	if t.Kind != u.Kind {
		return false
	}
	if t.Elem == nil || u.Elem == nil {
		return t.Elem == nil && u.Elem == nil
	}
	return t.Elem.Equal(u.Elem)
}

// ParseType parses CEL type notation: bool, int, uint, double, string, bytes,
// timestamp, duration, list(T), map(string, T).
func ParseType(s string) (*Type, error) {
	p := typeParser{s: s}
	t, err := p.parse()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after type in %q", p.s[p.i:], s)
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *typeParser) word() string {
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '_') {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("expected %q in type %q", c, p.s)
	}
	p.i++
	return nil
}

var scalarKinds = map[string]Kind{
	"bool": Bool, "int": Int, "uint": Uint, "double": Double, "string": String,
	"bytes": Bytes, "timestamp": Timestamp, "duration": Duration,
}

func (p *typeParser) parse() (*Type, error) {
	w := p.word()
	if k, ok := scalarKinds[w]; ok {
		return &Type{Kind: k}, nil
	}
	switch w {
	case "list":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		elem, err := p.parse()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return &Type{Kind: List, Elem: elem}, nil
	case "map":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		if k := p.word(); k != "string" {
			return nil, fmt.Errorf("map keys must be string, not %q", k)
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		elem, err := p.parse()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return &Type{Kind: Map, Elem: elem}, nil
	case "":
		return nil, fmt.Errorf("missing type in %q", p.s)
	}
	names := []string{"bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration", "list(T)", "map(string, T)"}
	msg := fmt.Sprintf("unknown type %q (types are %s)", w, strings.Join(names, ", "))
	if s := suggest(w, names); s != "" {
		msg = fmt.Sprintf("unknown type %q (did you mean %q?)", w, s)
	}
	return nil, fmt.Errorf("%s", msg)
}
