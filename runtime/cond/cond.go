// Package cond is the condition a resource must satisfy for a permission to be granted:
// what a query plan (package plan) computes for a principal, a credential and a
// context, and what the SQL translator (package runtime/cond/pgsql) turns into a WHERE clause.
//
// A Cond is two-valued and total: for every resource it is true or false, never an
// error. The planner has already decided what an evaluation error means in each place
// (a deny rule that fails denies, an allow rule, scope or role condition that fails does
// not grant), so no error handling is left for the consumer. The only node whose truth
// is not given by the tree itself is Residual, a part of the spec the planner could not
// express as a tree; it carries a test function for in-memory use and has no SQL.
//
// Trees are built with the constructors (AndOf, OrOf, NotOf, Cmp, Member, ...), which
// simplify as they go: constants fold, nested and/or flatten, equal terms merge,
// negation is pushed down to the atoms, and comparisons of one value with several
// constants become one membership test. The package has no dependencies outside the
// standard library, so that generated code may build conditions without cel-go.
package cond

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a value's type, named as in CEL.
type Kind uint8

// The kinds of type an attribute may have.
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

var kindNames = [...]string{"", "bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration", "list", "map"}

// Type is a value's type: a scalar, a list of Elem or a map from strings to Elem.
type Type struct {
	Kind Kind
	Elem *Type
}

// The scalar types.
var (
	BoolType      = &Type{Kind: Bool}
	IntType       = &Type{Kind: Int}
	UintType      = &Type{Kind: Uint}
	DoubleType    = &Type{Kind: Double}
	StringType    = &Type{Kind: String}
	BytesType     = &Type{Kind: Bytes}
	TimestampType = &Type{Kind: Timestamp}
	DurationType  = &Type{Kind: Duration}
)

// ListOf returns the type list(elem).
func ListOf(elem *Type) *Type { return &Type{Kind: List, Elem: elem} }

// MapOf returns the type map(string, elem).
func MapOf(elem *Type) *Type { return &Type{Kind: Map, Elem: elem} }

// String returns the type in CEL notation.
func (t *Type) String() string {
	if t == nil {
		return "dyn"
	}
	switch t.Kind {
	case List:
		return "list(" + t.Elem.String() + ")"
	case Map:
		return "map(string, " + t.Elem.String() + ")"
	}
	if int(t.Kind) < len(kindNames) && t.Kind > 0 {
		return kindNames[t.Kind]
	}
	return "dyn"
}

// Equal reports whether t and u are the same type.
func (t *Type) Equal(u *Type) bool {
	if t == nil || u == nil {
		return t == u
	}
	if t.Kind != u.Kind {
		return false
	}
	if t.Kind == List || t.Kind == Map {
		return t.Elem.Equal(u.Elem)
	}
	return true
}

// Ordered reports whether CEL orders values of the type with < and >.
func (t *Type) Ordered() bool {
	switch t.Kind {
	case Bool, Int, Uint, Double, String, Bytes, Timestamp, Duration:
		return true
	}
	return false
}

// Value is an operand of a condition: an attribute of the resource, a constant, a
// quantifier's variable, or the size of one of those.
type Value interface {
	// Type returns the value's type.
	Type() *Type
	// String renders the value in CEL syntax.
	String() string
	isValue()
}

// Attr is the resource's attribute Name ("id" or a declared attribute).
type Attr struct {
	Name string
	T    *Type
}

// Var is the variable of an enclosing Quant: one element of its list.
type Var struct {
	Name string
	T    *Type
}

// Lit is a constant. V holds the Go value of its type: bool, int64, uint64, float64,
// string, []byte, time.Time, time.Duration, []any (list) or map[string]any (map).
type Lit struct {
	V any
	T *Type
}

// Size is size(Of): the number of code points of a string, bytes of a bytes, elements
// of a list or entries of a map. Its type is int.
type Size struct{ Of Value }

func (a *Attr) Type() *Type { return a.T }
func (v *Var) Type() *Type  { return v.T }
func (l *Lit) Type() *Type  { return l.T }
func (s *Size) Type() *Type { return IntType }

func (a *Attr) String() string { return "resource." + a.Name }
func (v *Var) String() string  { return v.Name }
func (l *Lit) String() string  { return formatLit(l.V) }
func (s *Size) String() string { return "size(" + s.Of.String() + ")" }

func (*Attr) isValue() {}
func (*Var) isValue()  {}
func (*Lit) isValue()  {}
func (*Size) isValue() {}

// Origin says where in the spec a condition comes from, for error messages.
type Origin struct {
	// What names the spec object: `rule "archived-is-read-only"`, `scope "org"`, ...
	What string
	// Pos is the expression's position, FILE:LINE:COL.
	Pos string
	// Expr is the CEL source of the expression.
	Expr string
}

func (o *Origin) String() string {
	if o == nil {
		return "(unknown origin)"
	}
	s := o.Pos + ": " + o.What
	if o.Expr != "" {
		s += ": " + o.Expr
	}
	return s
}

// Cond is a condition on the resource. The concrete types are Const, And, Or, *Not,
// *Compare, *In, *StrTest, *Matches, *Quant and *Residual.
type Cond interface {
	// String renders the condition in CEL syntax (Residual excepted).
	String() string
	isCond()
}

// Const is a condition that does not depend on the resource.
type Const bool

// The constant conditions.
const (
	True  Const = true
	False Const = false
)

// And holds when all its terms do; an empty And is true.
type And []Cond

// Or holds when any of its terms does; an empty Or is false.
type Or []Cond

// Not holds when X does not.
type Not struct{ X Cond }

// Op is a comparison operator.
type Op uint8

// The comparison operators. Ne never appears in a simplified tree: it is Not(Eq).
const (
	Eq Op = iota + 1
	Ne
	Lt
	Le
	Gt
	Ge
)

var opNames = [...]string{"", "==", "!=", "<", "<=", ">", ">="}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "?"
}

// flip returns the operator with its operands swapped: a < b is b > a.
func (o Op) flip() Op {
	switch o {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return o
}

// negate returns the operator of !(a op b) for types without NaN.
func (o Op) negate() Op {
	return [...]Op{0, Ne, Eq, Ge, Gt, Le, Lt}[o]
}

// Compare is L Op R with CEL's semantics for values of one type: strings and bytes
// compare by byte (code point) order, false < true, doubles by IEEE 754 (NaN is
// unordered and unequal to everything), lists and maps by element equality (== only).
type Compare struct {
	Op   Op
	L, R Value
	At   *Origin
}

// In is `Elem in Coll`: Coll is a list holding an element equal to Elem, or a map
// with Elem as a key.
type In struct {
	Elem, Coll Value
	At         *Origin
}

// StrFn is a string test.
type StrFn uint8

// The string tests, as CEL's string functions.
const (
	StartsWith StrFn = iota + 1
	EndsWith
	Contains
)

var strFnNames = [...]string{"", "startsWith", "endsWith", "contains"}

func (f StrFn) String() string {
	if int(f) < len(strFnNames) {
		return strFnNames[f]
	}
	return "?"
}

// StrTest is S.Fn(Arg) on strings.
type StrTest struct {
	Fn     StrFn
	S, Arg Value
	At     *Origin
}

// Matches is S.matches(Pattern): Pattern (RE2 syntax) matches somewhere in S.
type Matches struct {
	S       Value
	Pattern string
	At      *Origin
}

// Quant is List.exists(Var, Body) or, when All is set, List.all(Var, Body). Body may
// use Var (a *Var named Var) for the element.
type Quant struct {
	All  bool
	Var  string
	List Value
	Body Cond
	At   *Origin
}

// Residual is a spec expression the planner could not express as a tree: it holds
// when the expression, evaluated with the request's known values and the resource,
// gives Want (an evaluation error gives neither true nor false). Test evaluates it for
// one resource, given as the check request's resource attributes plus "id".
type Residual struct {
	// Expr is the expression's CEL source; Why says what could not be planned.
	Expr string
	Why  string
	Want bool
	At   *Origin
	Test func(resource map[string]any) bool
}

func (Const) isCond()     {}
func (And) isCond()       {}
func (Or) isCond()        {}
func (*Not) isCond()      {}
func (*Compare) isCond()  {}
func (*In) isCond()       {}
func (*StrTest) isCond()  {}
func (*Matches) isCond()  {}
func (*Quant) isCond()    {}
func (*Residual) isCond() {}

func (c Const) String() string {
	if c {
		return "true"
	}
	return "false"
}

func (c And) String() string { return join(c, " && ", "true") }
func (c Or) String() string  { return join(c, " || ", "false") }

func join(cs []Cond, sep, empty string) string {
	if len(cs) == 0 {
		return empty
	}
	parts := make([]string, len(cs))
	for i, x := range cs {
		parts[i] = x.String()
		switch x.(type) {
		case And, Or:
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

func (c *Not) String() string {
	switch x := c.X.(type) {
	case *Compare:
		if l, ok := x.R.(*Lit); ok && x.Op == Eq && l.V == true {
			return "!" + x.L.String()
		}
		if x.Op == Eq {
			return x.L.String() + " != " + x.R.String()
		}
	case *Residual:
		return x.String()
	}
	return "!(" + c.X.String() + ")"
}

func (c *Compare) String() string {
	if c.Op == Eq {
		if l, ok := c.R.(*Lit); ok && l.V == true {
			return c.L.String()
		}
	}
	return c.L.String() + " " + c.Op.String() + " " + c.R.String()
}

func (c *In) String() string { return c.Elem.String() + " in " + c.Coll.String() }

func (c *StrTest) String() string {
	return c.S.String() + "." + c.Fn.String() + "(" + c.Arg.String() + ")"
}

func (c *Matches) String() string {
	return c.S.String() + ".matches(" + quote(c.Pattern) + ")"
}

func (c *Quant) String() string {
	fn := "exists"
	if c.All {
		fn = "all"
	}
	return c.List.String() + "." + fn + "(" + c.Var + ", " + c.Body.String() + ")"
}

// String renders a residual as a pseudo call that names the expression: it is not CEL,
// because the expression still refers to the request's known values.
func (c *Residual) String() string {
	return fmt.Sprintf("unplanned(%s, %t)", quote(c.Expr), c.Want)
}

func quote(s string) string { return strconv.Quote(s) }

// formatLit renders a Go value in CEL syntax.
func formatLit(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10) + "u"
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
		if strings.ContainsAny(s, "IN") {
			s = `double("` + s + `")`
		}
		return s
	case string:
		return quote(x)
	case []byte:
		return "b" + quote(string(x))
	case time.Time:
		return `timestamp("` + x.UTC().Format(time.RFC3339Nano) + `")`
	case time.Duration:
		return `duration("` + x.String() + `")`
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatLit(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = quote(k) + ": " + formatLit(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("<%T>", v)
}
