// Package ir is permc's intermediate representation: a checked spec lowered for a
// backend that does not interpret CEL itself. Every attribute is resolved to a slot of
// its object, every expression is a typed tree of operations whose semantics are
// fixed (no overload resolution, no dynamic types), the query plan of every expression
// is decided ahead of time, and the decision order of the spec's contract is spelled
// out once, per permission, as the steps a check takes.
//
// The Wasm backend (internal/wasmc) encodes a Program into the data its runtime
// interprets. The Go generator (gen) still compiles cel-go's checked ASTs directly;
// this package is built so that it could move onto it.
package ir

import (
	"github.com/permc/permc/spec"
)

// Kind is the kind of a value's type.
type Kind uint8

// The kinds of value an expression computes, named as in CEL. Dyn is the element type
// of an empty list or map literal, the only values whose type CEL leaves open.
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
	Dyn
)

var kindNames = [...]string{"", "bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration", "list", "map", "dyn"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Type is a value's type: a scalar, list(Elem) or map(Key, Elem). Attributes' maps
// have string keys; map literals may also have bool, int or uint keys.
type Type struct {
	Kind Kind
	Key  *Type // a map's key type
	Elem *Type // a list's element type, a map's value type
}

// The scalar types, shared.
var (
	BoolType      = &Type{Kind: Bool}
	IntType       = &Type{Kind: Int}
	UintType      = &Type{Kind: Uint}
	DoubleType    = &Type{Kind: Double}
	StringType    = &Type{Kind: String}
	BytesType     = &Type{Kind: Bytes}
	TimestampType = &Type{Kind: Timestamp}
	DurationType  = &Type{Kind: Duration}
	DynType       = &Type{Kind: Dyn}
)

// ListOf returns list(elem).
func ListOf(elem *Type) *Type { return &Type{Kind: List, Elem: elem} }

// MapOf returns map(key, elem).
func MapOf(key, elem *Type) *Type { return &Type{Kind: Map, Key: key, Elem: elem} }

// String returns the type in CEL notation.
func (t *Type) String() string {
	switch t.Kind {
	case List:
		return "list(" + t.Elem.String() + ")"
	case Map:
		return "map(" + t.Key.String() + ", " + t.Elem.String() + ")"
	}
	return t.Kind.String()
}

// Equal reports whether t and u are the same type.
func (t *Type) Equal(u *Type) bool {
	if t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case List:
		return t.Elem.Equal(u.Elem)
	case Map:
		return t.Key.Equal(u.Key) && t.Elem.Equal(u.Elem)
	}
	return true
}

// Program is a spec lowered for a backend.
type Program struct {
	// Package and Source name the generated code and the spec file, as in the
	// metadata; Metadata is the JSON a generated package's MetadataJSON returns.
	Package, Source string
	Metadata        []byte

	// The objects of a request: the attributes each one carries, by slot. The
	// principal's and every resource's slot 0 is the implicit id.
	Principal, Context, Credential *Object

	Resources   []*Resource
	Permissions []*Permission
	Scopes      []*Scope
	Roles       []*Role // the built-in roles
	Rules       []*Rule
	OAuthScopes []*OAuthScope
	Filters     []*Filter

	// SortedResources are the resource type indexes in name order, for messages that
	// list them.
	SortedResources []int

	// CustomRoles bounds the custom roles an instance may load.
	CustomRoles CustomRoleBound

	// Funcs are every compiled expression, in spec order: scope matches, filter
	// matches, role conditions, rule conditions, each once per resource type.
	Funcs []*Func

	// Regexps are the constant patterns of matches(), in RE2 syntax; an Expr of op
	// OpMatches names one by index.
	Regexps []string

	// Limits are the defaults of the limits a host may change.
	Limits Limits
}

// Limits are the default limits of a check: the size of inputs and the evaluation
// budget (docs/spec.md).
type Limits struct {
	MaxRequestBytes  int
	MaxRolesBytes    int
	MaxBatchRequests int
	Budget           int64
}

// DefaultLimits are the limits of the contract.
var DefaultLimits = Limits{MaxRequestBytes: 1 << 20, MaxRolesBytes: 1 << 20, MaxBatchRequests: 4096, Budget: 10_000_000}

// Object is the attribute layout of a principal, a context, a credential, a resource
// type or a scope's parameters.
type Object struct {
	// Where is the path of the object's attributes in a request, for messages:
	// "principal.attributes", "context", "credential.attributes",
	// "resource.attributes"; empty for a scope's parameters.
	Where string
	Attrs []*Attr
}

// Attr is one attribute of an object.
type Attr struct {
	Name     string
	Type     *Type
	Required bool
	// Implicit marks the id of a principal or a resource, which is not inside
	// "attributes" in a request.
	Implicit bool
	Slot     int
}

// Names returns the names of the object's declared attributes (without the implicit
// id), in declaration order, for "did you mean".
func (o *Object) Names() []string {
	var out []string
	for _, a := range o.Attrs {
		if !a.Implicit {
			out = append(out, a.Name)
		}
	}
	return out
}

// Resource is a resource type: its attributes, permissions, and which expression
// decides each scope, filter and role condition for it.
type Resource struct {
	Name  string
	Index int
	Attrs *Object
	// Perms are the indexes in Program.Permissions of the type's permissions.
	Perms []int
	// ScopeMatch[i] decides whether an assignment at Program.Scopes[i] covers a
	// resource of this type; nil when that scope does not apply to the type.
	ScopeMatch []*Func
	// FilterMatch[i] decides whether Program.Filters[i] admits a resource of this type
	// for one filter value; nil when that filter does not cover the type.
	FilterMatch []*Func
	// RoleWhen[i] is the condition of Program.Roles[i] for this type; nil when the role
	// has none or grants nothing on the type.
	RoleWhen []*Func
}

// Permission is one permission and the steps of its decision order.
type Permission struct {
	Name     string
	Resource int
	// Deny and Allow are the rules naming the permission, in file order.
	Deny, Allow []RuleStep
}

// RuleStep is one rule of a permission's decision order. Func is nil when the rule
// has no condition, and then it always applies.
type RuleStep struct {
	Rule int // index in Program.Rules
	Func *Func
}

// Scope is a scope type.
type Scope struct {
	Name   string
	Index  int
	Params *Object
}

// Role is a built-in role.
type Role struct {
	Name  string
	Index int
	// Perms are the indexes of the permissions the role grants, ascending.
	Perms []int
	// Scopes are the indexes of the scopes it may be assigned at; nil means any.
	Scopes []int
	// OnlyAt lists Scopes' names for the warning of an assignment elsewhere.
	OnlyAt string
}

// Rule is a rule of the spec.
type Rule struct {
	ID    string
	Index int
	Deny  bool
}

// OAuthScope is a credential's OAuth scope and the permissions it unlocks.
type OAuthScope struct {
	Name  string
	Perms []int
}

// Filter is a credential filter.
type Filter struct {
	Name  string
	Index int
}

// CustomRoleBound is what custom roles may contain. Perms nil means any permission;
// Scopes nil means any scope; DefaultScopes is what an omitted "scopes" means (nil:
// any scope).
type CustomRoleBound struct {
	Perms         []int
	Scopes        []int
	DefaultScopes []int
}

// FuncKind says which part of the decision order a Func serves, which names its
// errors in a decision.
type FuncKind uint8

// The kinds of Func, named as a decision's errors name them.
const (
	ScopeFunc FuncKind = iota + 1
	FilterFunc
	RoleFunc
	RuleFunc
)

var funcKindNames = [...]string{"", "scope", "filter", "role", "rule"}

func (k FuncKind) String() string { return funcKindNames[k] }

// Func is one expression compiled for one resource type.
type Func struct {
	Index int
	Kind  FuncKind
	// Name is the scope, filter or role name, or the rule id.
	Name     string
	Resource int
	// Body computes the expression's bool; Locals is the number of local slots its
	// macros bind.
	Body   *Expr
	Locals int
	// Const is set when the expression is the literal true or false: Body is that
	// constant.
	Const bool
	// Plan is the expression's query plan: the conditions on the resource under which
	// it is true and false.
	Plan *PExpr
	// Source, Pos and What describe the expression for plans' residuals: its text,
	// its position "FILE:LINE:COL", and "rule \"x\"", "scope \"org\"", ...
	Source, Pos, What string
}

// Op is an operation of an expression tree.
type Op uint8

// The operations. Args lists the operands; unless said otherwise an operation fails
// (with its error) when an operand fails, evaluating operands left to right.
const (
	OpConst Op = iota + 1 // Value
	// OpAttr reads slot Slot of Obj; OpLocal reads local slot Slot (a macro's variable).
	OpAttr
	OpLocal
	// OpNot, OpAnd, OpOr, OpCond: !a, a && b, a || b, c ? a : b. && and || absorb an
	// operand's error when the other operand decides (false && error is false); with
	// both failing, the first operand's error wins. ?: evaluates only the branch chosen.
	OpNot
	OpAnd
	OpOr
	OpCond
	// Comparisons of two operands of type Args[0].Type. Lists and maps compare
	// element-wise; doubles as IEEE 754 (NaN is unequal to everything).
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	// Arithmetic on Type (int, uint, double, string, bytes, list, timestamp,
	// duration), with CEL's overflow and range errors. For timestamps and durations
	// the operand types say which: timestamp + duration, duration + timestamp,
	// timestamp - duration, timestamp - timestamp, duration ± duration.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpNeg
	// OpIndex: list[int] (an index out of range fails) or map[key] (a missing key
	// fails). A field selection m.f on a map is OpIndex with a constant key.
	OpIndex
	// OpIn: Args[0] in Args[1], a list (element equality) or a map (a key).
	OpIn
	// OpSize: size of a string (in code points), bytes, list or map.
	OpSize
	OpStartsWith
	OpEndsWith
	OpContains
	// OpMatches: whether Program.Regexps[Slot] matches somewhere in Args[0].
	OpMatches
	// OpInIPAddrRange: whether the address Args[0] lies in the CIDR range Args[1].
	OpInIPAddrRange
	// OpList and OpMap build literals; OpMap's Args alternate keys and values, a
	// later duplicate key replacing an earlier one.
	OpList
	OpMap
	// The macros over Args[0] (a list, or a map's keys in sorted order), binding each
	// element to local Slot: exists and all (Args[1] the predicate; they absorb a
	// predicate's error when another element decides), exists_one (Args[1]), map
	// (Args[1] the transform; or, with three arguments, Args[1] the predicate and
	// Args[2] the transform of the elements that satisfy it) and filter (Args[1] the
	// predicate).
	OpExists
	OpAll
	OpExistsOne
	OpMapList
	OpFilter
	// OpFail always fails with Value, an ErrCode: a timestamp or duration literal
	// that does not parse.
	OpFail
)

var opNames = [...]string{"", "const", "attr", "local", "not", "and", "or", "cond", "eq", "ne", "lt", "le", "gt", "ge",
	"add", "sub", "mul", "div", "mod", "neg", "index", "in", "size", "startsWith", "endsWith", "contains", "matches",
	"inIPAddrRange", "list", "map", "exists", "all", "exists_one", "map_list", "filter", "fail"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "invalid"
}

// ObjectRef names where an attribute lives.
type ObjectRef uint8

// The objects an expression reads.
const (
	ObjPrincipal ObjectRef = iota + 1
	ObjResource
	ObjContext
	ObjCredential
	// ObjScope is the parameters of the assignment's scope, in a scope's match.
	ObjScope
	// ObjFilter is the filter's value, a string, in a filter's match (Slot 0).
	ObjFilter
)

var objNames = [...]string{"", "principal", "resource", "context", "credential", "scope", "filter"}

func (o ObjectRef) String() string { return objNames[o] }

// ErrCode is an evaluation error an OpFail raises.
type ErrCode uint8

// The errors of constant literals that fail.
const (
	ErrBadTimestamp ErrCode = iota + 1
	ErrBadDuration
)

// Expr is one node of an expression tree.
type Expr struct {
	Op   Op
	Type *Type
	Args []*Expr
	// Value is an OpConst's value: bool, int64, uint64, float64, string, []byte,
	// Time, or time.Duration; an OpFail's ErrCode.
	Value any
	Obj   ObjectRef
	// Slot is an OpAttr's attribute slot, the local an OpLocal reads or a macro binds,
	// or an OpMatches' regular expression.
	Slot int
	// Pos is the position of the node in the spec, for errors of the lowering.
	Pos spec.Pos
}

// Time is a timestamp constant: seconds since the Unix epoch and nanoseconds, UTC.
type Time struct {
	Sec  int64
	Nsec int32
}
