package ir

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/permc/permc/spec"
)

// Options adjust Lower.
type Options struct {
	// Package and Source name the spec in the program's metadata; the spec's package
	// and its file's base name when empty.
	Package, Source string
	// Metadata is the spec's metadata JSON (gen.MetadataJSON).
	Metadata []byte
}

// Lower lowers a checked spec into a Program.
//
// # Errors
//
// Lower fails on an expression the spec loader accepted but this package cannot
// lower, which is a bug in permc; the error names its position.
func Lower(s *spec.Spec, opts Options) (*Program, error) {
	l := &lowerer{s: s, funcs: map[funcKey]*Func{}}
	p := &Program{Package: opts.Package, Source: opts.Source, Metadata: opts.Metadata, Limits: DefaultLimits}
	if p.Package == "" {
		p.Package = s.Package
	}
	if p.Source == "" {
		p.Source = baseName(s.File)
	}
	l.p = p
	p.Principal = object("principal.attributes", s.Principal, true)
	p.Context = object("context", s.Context, false)
	p.Credential = object("credential.attributes", s.Credentials.Attributes, false)
	for _, sc := range s.Scopes {
		p.Scopes = append(p.Scopes, &Scope{Name: sc.Name, Index: sc.Index, Params: object("", sc.Params, false)})
	}
	for _, r := range s.Resources {
		res := &Resource{Name: r.Name, Index: r.Index, Attrs: object("resource.attributes", r.Attributes, true),
			ScopeMatch: make([]*Func, len(s.Scopes)), FilterMatch: make([]*Func, len(s.Credentials.Filters)),
			RoleWhen: make([]*Func, len(s.Roles))}
		for _, perm := range r.Permissions {
			res.Perms = append(res.Perms, perm.Index)
		}
		p.Resources = append(p.Resources, res)
	}
	for i := range p.Resources {
		p.SortedResources = append(p.SortedResources, i)
	}
	sort.Slice(p.SortedResources, func(i, j int) bool {
		return p.Resources[p.SortedResources[i]].Name < p.Resources[p.SortedResources[j]].Name
	})
	for _, perm := range s.Permissions {
		p.Permissions = append(p.Permissions, &Permission{Name: perm.Name, Resource: perm.Resource.Index})
	}
	for _, f := range s.Credentials.Filters {
		p.Filters = append(p.Filters, &Filter{Name: f.Name, Index: f.Index})
	}
	for _, o := range s.Credentials.Scopes {
		p.OAuthScopes = append(p.OAuthScopes, &OAuthScope{Name: o.Name, Perms: permIndexes(o.Permissions)})
	}
	for _, r := range s.Roles {
		role := &Role{Name: r.Name, Index: r.Index, Perms: permIndexes(r.Permissions)}
		if r.Scopes != nil {
			role.Scopes = []int{}
			var names []string
			for _, sc := range r.Scopes {
				role.Scopes = append(role.Scopes, sc.Index)
				names = append(names, sc.Name)
			}
			role.OnlyAt = strings.Join(names, ", ")
		}
		p.Roles = append(p.Roles, role)
	}
	if b := s.CustomRoles; b.None {
		p.CustomRoles.None = true
	} else {
		if b.Permissions != nil {
			p.CustomRoles.Perms = permIndexes(b.Permissions)
			p.CustomRoles.Patterns = b.Patterns
		}
		p.CustomRoles.Scopes = scopeIndexes(b.Scopes)
		p.CustomRoles.DefaultScopes = scopeIndexes(b.DefaultScopes)
	}
	for _, r := range s.Rules {
		p.Rules = append(p.Rules, &Rule{ID: r.ID, Index: r.Index, Deny: r.Effect == spec.Deny})
	}

	// The expressions, in the order the generator compiles them.
	for _, sc := range s.Scopes {
		for _, r := range sc.Resources {
			p.Resources[r.Index].ScopeMatch[sc.Index] = l.fn(sc.Match[r.Name], r, ScopeFunc, sc.Name, sc)
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, r := range f.Resources {
			p.Resources[r.Index].FilterMatch[f.Index] = l.fn(f.Match[r.Name], r, FilterFunc, f.Name, nil)
		}
	}
	for _, role := range s.Roles {
		if role.When == nil {
			continue
		}
		for _, r := range spec.ResourcesOf(role.Permissions) {
			p.Resources[r.Index].RoleWhen[role.Index] = l.fn(role.When, r, RoleFunc, role.Name, nil)
		}
	}
	for _, rule := range s.Rules {
		for _, perm := range rule.Permissions {
			step := RuleStep{Rule: rule.Index}
			if rule.When != nil {
				step.Func = l.fn(rule.When, perm.Resource, RuleFunc, rule.ID, nil)
			}
			pp := p.Permissions[perm.Index]
			if rule.Effect == spec.Deny {
				pp.Deny = append(pp.Deny, step)
			} else {
				pp.Allow = append(pp.Allow, step)
			}
		}
	}
	if len(l.errs) > 0 {
		return nil, l.errs[0]
	}
	return p, nil
}

// scopeIndexes returns the indexes of scopes, nil for nil.
func scopeIndexes(scopes []*spec.Scope) []int {
	if scopes == nil {
		return nil
	}
	out := make([]int, 0, len(scopes))
	for _, sc := range scopes {
		out = append(out, sc.Index)
	}
	return out
}

func object(where string, attrs []*spec.Attribute, implicitID bool) *Object {
	o := &Object{Where: where}
	if implicitID {
		o.Attrs = append(o.Attrs, &Attr{Name: "id", Type: StringType, Implicit: true, Required: true})
	}
	for _, a := range attrs {
		o.Attrs = append(o.Attrs, &Attr{Name: a.Name, Type: specType(a.Type), Required: a.Required, Slot: len(o.Attrs)})
	}
	return o
}

// specType is the Type of a declared type.
func specType(t *spec.Type) *Type {
	switch t.Kind {
	case spec.List:
		return ListOf(specType(t.Elem))
	case spec.Map:
		return MapOf(StringType, specType(t.Elem))
	}
	return scalarTypes[t.Kind]
}

var scalarTypes = map[spec.Kind]*Type{
	spec.Bool: BoolType, spec.Int: IntType, spec.Uint: UintType, spec.Double: DoubleType, spec.String: StringType,
	spec.Bytes: BytesType, spec.Timestamp: TimestampType, spec.Duration: DurationType,
}

func permIndexes(perms []*spec.Permission) []int {
	out := []int{}
	for _, p := range perms {
		out = append(out, p.Index)
	}
	return out
}

type funcKey struct {
	x   *spec.Expr
	res int
}

type lowerer struct {
	s     *spec.Spec
	p     *Program
	funcs map[funcKey]*Func
	errs  []error
}

func (l *lowerer) errorf(pos spec.Pos, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("%s: ir: %s", pos, fmt.Sprintf(format, args...)))
}

// fn lowers x for resource type r once, and returns its Func.
func (l *lowerer) fn(x *spec.Expr, r *spec.Resource, kind FuncKind, name string, sc *spec.Scope) *Func {
	if f := l.funcs[funcKey{x, r.Index}]; f != nil {
		return f
	}
	ast := x.Checked[r.Name]
	withResource := ast != nil
	if ast == nil {
		ast = x.Checked[""]
	}
	f := &Func{Index: len(l.p.Funcs), Kind: kind, Name: name, Resource: r.Index,
		Source: strings.TrimSpace(x.Source), Pos: fmt.Sprintf("%s:%d:%d", l.fileName(), x.Pos.Line, x.Pos.Col),
		What: fmt.Sprintf("%s %q", kind, name)}
	l.funcs[funcKey{x, r.Index}] = f
	l.p.Funcs = append(l.p.Funcs, f)
	if ast == nil {
		l.errorf(x.Pos, "expression was not checked for resource type %q", r.Name)
		f.Body = &Expr{Op: OpConst, Type: BoolType, Value: false}
		return f
	}
	native := ast.NativeRep()
	e := &exprLowerer{l: l, x: x, ast: native, types: native.TypeMap(), res: r, withResource: withResource, scope: sc}
	f.Body = e.lower(native.Expr())
	f.Locals = e.locals
	f.Const = f.Body.Op == OpConst
	f.Plan = e.plan(native.Expr(), f)
	return f
}

func (l *lowerer) fileName() string { return l.p.Source }

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// exprLowerer lowers one checked expression.
type exprLowerer struct {
	l            *lowerer
	x            *spec.Expr
	ast          *celast.AST
	types        map[int64]*types.Type
	res          *spec.Resource
	withResource bool
	scope        *spec.Scope
	// vars are the macro variables in scope, innermost last, with their local slots.
	vars   []localVar
	locals int
}

type localVar struct {
	name string
	slot int
	t    *Type
}

func (e *exprLowerer) pos(n celast.Expr) spec.Pos {
	if r, ok := e.ast.SourceInfo().GetOffsetRange(n.ID()); ok {
		return e.x.PosAt(int(r.Start))
	}
	return e.x.Pos
}

func (e *exprLowerer) bug(n celast.Expr, format string, args ...any) *Expr {
	e.l.errorf(e.pos(n), format, args...)
	return &Expr{Op: OpConst, Type: BoolType, Value: false, Pos: e.pos(n)}
}

func (e *exprLowerer) celType(n celast.Expr) *types.Type {
	if t := e.types[n.ID()]; t != nil {
		return t
	}
	return types.DynType
}

// typeOf is the Type of a checked CEL type.
func typeOf(t *types.Type) *Type {
	switch t.Kind() {
	case types.BoolKind:
		return BoolType
	case types.IntKind:
		return IntType
	case types.UintKind:
		return UintType
	case types.DoubleKind:
		return DoubleType
	case types.StringKind:
		return StringType
	case types.BytesKind:
		return BytesType
	case types.TimestampKind:
		return TimestampType
	case types.DurationKind:
		return DurationType
	case types.ListKind:
		if ps := t.Parameters(); len(ps) == 1 {
			return ListOf(typeOf(ps[0]))
		}
		return ListOf(DynType)
	case types.MapKind:
		if ps := t.Parameters(); len(ps) == 2 {
			return MapOf(typeOf(ps[0]), typeOf(ps[1]))
		}
		return MapOf(DynType, DynType)
	}
	return DynType
}

func (e *exprLowerer) node(n celast.Expr, op Op, t *Type, args ...*Expr) *Expr {
	return &Expr{Op: op, Type: t, Args: args, Pos: e.pos(n)}
}

func (e *exprLowerer) lower(n celast.Expr) *Expr {
	t := typeOf(e.celType(n))
	switch n.Kind() {
	case celast.LiteralKind:
		return e.literal(n)
	case celast.IdentKind:
		name := n.AsIdent()
		for i := len(e.vars) - 1; i >= 0; i-- {
			if e.vars[i].name == name {
				x := e.node(n, OpLocal, e.vars[i].t)
				x.Slot = e.vars[i].slot
				return x
			}
		}
		if name == "filter" {
			x := e.node(n, OpAttr, StringType)
			x.Obj = ObjFilter
			return x
		}
		return e.bug(n, "the object %q is only read through its attributes", name)
	case celast.SelectKind:
		return e.selectExpr(n, t)
	case celast.ListKind:
		x := e.node(n, OpList, t)
		for _, el := range n.AsList().Elements() {
			x.Args = append(x.Args, e.lower(el))
		}
		return x
	case celast.MapKind:
		x := e.node(n, OpMap, t)
		for _, en := range n.AsMap().Entries() {
			me := en.AsMapEntry()
			x.Args = append(x.Args, e.lower(me.Key()), e.lower(me.Value()))
		}
		return x
	case celast.ComprehensionKind:
		return e.comprehension(n, t)
	case celast.CallKind:
		return e.call(n, t)
	}
	return e.bug(n, "unsupported expression")
}

func (e *exprLowerer) literal(n celast.Expr) *Expr {
	x := e.node(n, OpConst, nil)
	switch v := n.AsLiteral().(type) {
	case types.Bool:
		x.Type, x.Value = BoolType, bool(v)
	case types.Int:
		x.Type, x.Value = IntType, int64(v)
	case types.Uint:
		x.Type, x.Value = UintType, uint64(v)
	case types.Double:
		x.Type, x.Value = DoubleType, float64(v)
	case types.String:
		x.Type, x.Value = StringType, string(v)
	case types.Bytes:
		x.Type, x.Value = BytesType, []byte(v)
	default:
		return e.bug(n, "unsupported literal %v", n.AsLiteral())
	}
	return x
}

// objects maps the CEL variables that are objects to what they read.
var objects = map[string]ObjectRef{
	"principal": ObjPrincipal, "resource": ObjResource, "context": ObjContext, "credential": ObjCredential, "scope": ObjScope,
}

func (e *exprLowerer) selectExpr(n celast.Expr, t *Type) *Expr {
	sel := n.AsSelect()
	op := sel.Operand()
	if sel.IsTestOnly() {
		return e.bug(n, "has() is not supported")
	}
	if e.celType(op).Kind() == types.MapKind {
		key := &Expr{Op: OpConst, Type: StringType, Value: sel.FieldName(), Pos: e.pos(n)}
		return e.node(n, OpIndex, t, e.lower(op), key)
	}
	if op.Kind() != celast.IdentKind {
		return e.bug(n, "selection from a computed object")
	}
	obj, ok := objects[op.AsIdent()]
	if !ok {
		return e.bug(n, "unknown object %q", op.AsIdent())
	}
	var layout *Object
	switch obj {
	case ObjPrincipal:
		layout = e.l.p.Principal
	case ObjContext:
		layout = e.l.p.Context
	case ObjCredential:
		layout = e.l.p.Credential
	case ObjResource:
		if !e.withResource {
			return e.bug(n, "resource outside a resource type's expression")
		}
		layout = e.l.p.Resources[e.res.Index].Attrs
	case ObjScope:
		if e.scope == nil {
			return e.bug(n, "scope outside a scope's match")
		}
		layout = e.l.p.Scopes[e.scope.Index].Params
	}
	for _, a := range layout.Attrs {
		if a.Name == sel.FieldName() {
			x := e.node(n, OpAttr, a.Type)
			x.Obj, x.Slot = obj, a.Slot
			return x
		}
	}
	return e.bug(n, "unknown attribute %q of %s", sel.FieldName(), op.AsIdent())
}

// comprehension lowers the macros exists, all, exists_one, map and filter, told apart
// by cel-go's expansions (parser/macro.go): exists and all start from false and true
// and step with || and &&, exists_one counts from 0, map and filter build a list.
func (e *exprLowerer) comprehension(n celast.Expr, t *Type) *Expr {
	comp := n.AsComprehension()
	if comp.HasIterVar2() {
		return e.bug(n, "two-variable comprehensions are not supported")
	}
	step := comp.LoopStep()
	if step.Kind() != celast.CallKind {
		return e.bug(n, "unexpected comprehension")
	}
	sargs := step.AsCall().Args()
	init := comp.AccuInit()
	fn := step.AsCall().FunctionName()
	var op Op
	switch {
	case init.Kind() == celast.LiteralKind && init.AsLiteral() == types.True && fn == operators.LogicalAnd:
		op = OpAll
	case init.Kind() == celast.LiteralKind && init.AsLiteral() == types.False && fn == operators.LogicalOr:
		op = OpExists
	case init.Kind() == celast.LiteralKind && init.AsLiteral() == types.IntZero && fn == operators.Conditional:
		op = OpExistsOne
	case init.Kind() == celast.ListKind && fn == operators.Add:
		op = OpMapList
	case init.Kind() == celast.ListKind && fn == operators.Conditional:
		op = OpFilter
	default:
		return e.bug(n, "unexpected comprehension")
	}
	rng := e.lower(comp.IterRange())
	var elem *Type
	switch rng.Type.Kind {
	case List:
		elem = rng.Type.Elem
	case Map:
		elem = rng.Type.Key
	default:
		return e.bug(n, "a macro over %s", rng.Type)
	}
	slot := e.locals
	e.locals++
	e.vars = append(e.vars, localVar{name: comp.IterVar(), slot: slot, t: elem})
	defer func() { e.vars = e.vars[:len(e.vars)-1] }()
	var body *Expr
	switch op {
	case OpExists, OpAll:
		if len(sargs) != 2 {
			return e.bug(n, "unexpected %s expansion", op)
		}
		body = e.lower(sargs[1])
	case OpExistsOne:
		if len(sargs) != 3 {
			return e.bug(n, "unexpected exists_one expansion")
		}
		body = e.lower(sargs[0])
	case OpMapList:
		x, ok := singleElem(sargs, 1)
		if len(sargs) != 2 || !ok {
			return e.bug(n, "unexpected map expansion")
		}
		body = e.lower(x)
	case OpFilter:
		if len(sargs) != 3 || sargs[1].Kind() != celast.CallKind {
			return e.bug(n, "unexpected filter expansion")
		}
		add := sargs[1].AsCall().Args()
		if len(add) != 2 {
			return e.bug(n, "unexpected filter expansion")
		}
		elem, ok := singleElem(add, 1)
		if !ok {
			return e.bug(n, "unexpected filter expansion")
		}
		body = e.lower(sargs[0])
		if elem.Kind() != celast.IdentKind || elem.AsIdent() != comp.IterVar() {
			// map(x, predicate, transform) expands as filter does, but appends the
			// transform of the elements that satisfy the predicate.
			x := e.node(n, OpMapList, t, rng, body, e.lower(elem))
			x.Slot = slot
			return x
		}
	}
	x := e.node(n, op, t, rng, body)
	x.Slot = slot
	return x
}

func singleElem(args []celast.Expr, i int) (celast.Expr, bool) {
	x := args[i]
	if x.Kind() != celast.ListKind || len(x.AsList().Elements()) != 1 {
		return nil, false
	}
	return x.AsList().Elements()[0], true
}

var arithOps = map[string]Op{operators.Add: OpAdd, operators.Subtract: OpSub, operators.Multiply: OpMul, operators.Divide: OpDiv, operators.Modulo: OpMod}

var compareOps = map[string]Op{operators.Equals: OpEq, operators.NotEquals: OpNe, operators.Less: OpLt, operators.LessEquals: OpLe,
	operators.Greater: OpGt, operators.GreaterEquals: OpGe}

func (e *exprLowerer) call(n celast.Expr, t *Type) *Expr {
	call := n.AsCall()
	fn := call.FunctionName()
	var args []celast.Expr
	if call.IsMemberFunction() {
		args = append(args, call.Target())
	}
	args = append(args, call.Args()...)
	lowerAll := func() []*Expr {
		out := make([]*Expr, len(args))
		for i, a := range args {
			out[i] = e.lower(a)
		}
		return out
	}
	switch fn {
	case operators.LogicalAnd:
		return e.node(n, OpAnd, BoolType, lowerAll()...)
	case operators.LogicalOr:
		return e.node(n, OpOr, BoolType, lowerAll()...)
	case operators.LogicalNot:
		return e.node(n, OpNot, BoolType, lowerAll()...)
	case operators.Conditional:
		return e.node(n, OpCond, t, lowerAll()...)
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		xs := lowerAll()
		// An empty literal compares as the other operand's type.
		u := unify(xs[0].Type, xs[1].Type)
		xs[0].Type, xs[1].Type = retype(xs[0], u), retype(xs[1], u)
		if op := compareOps[fn]; op != OpEq && op != OpNe && !ordered(u) {
			return e.bug(n, "comparison of %s", u)
		}
		return e.node(n, compareOps[fn], BoolType, xs...)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo:
		xs := lowerAll()
		if xs[0].Type.Kind == List && xs[1].Type.Kind == List {
			// Concatenating a list with an empty literal: one element type.
			xs[0].Type, xs[1].Type = retype(xs[0], t), retype(xs[1], t)
		}
		return e.node(n, arithOps[fn], t, xs...)
	case operators.Negate:
		return e.node(n, OpNeg, t, lowerAll()...)
	case operators.Index:
		return e.node(n, OpIndex, t, lowerAll()...)
	case operators.In:
		xs := lowerAll()
		if c := xs[1].Type; c.Kind == List {
			u := unify(xs[0].Type, c.Elem)
			xs[0].Type = retype(xs[0], u)
			xs[1].Type = retype(xs[1], ListOf(u))
		}
		return e.node(n, OpIn, BoolType, xs...)
	case "size":
		return e.node(n, OpSize, IntType, lowerAll()...)
	case "startsWith":
		return e.node(n, OpStartsWith, BoolType, lowerAll()...)
	case "endsWith":
		return e.node(n, OpEndsWith, BoolType, lowerAll()...)
	case "contains":
		return e.node(n, OpContains, BoolType, lowerAll()...)
	case "matches":
		pat := args[len(args)-1]
		lit, ok := pat.AsLiteral().(types.String)
		if pat.Kind() != celast.LiteralKind || !ok {
			return e.bug(n, "matches needs a constant pattern")
		}
		x := e.node(n, OpMatches, BoolType, e.lower(args[0]))
		x.Slot = e.l.regexp(string(lit))
		return x
	case "timestamp", "duration":
		return e.timeLiteral(n, fn, call)
	case "inIPAddrRange":
		return e.node(n, OpInIPAddrRange, BoolType, lowerAll()...)
	}
	return e.bug(n, "unsupported function %s", fn)
}

// regexp returns the index of pattern in the program's regular expressions.
func (l *lowerer) regexp(pattern string) int {
	for i, p := range l.p.Regexps {
		if p == pattern {
			return i
		}
	}
	l.p.Regexps = append(l.p.Regexps, pattern)
	return len(l.p.Regexps) - 1
}

// timeLiteral evaluates timestamp("...") or duration("...") with cel-go, so that the
// constant is exactly what the reference evaluator computes; one that does not parse
// always fails.
func (e *exprLowerer) timeLiteral(n celast.Expr, fn string, call celast.CallExpr) *Expr {
	arg := call.Args()[0]
	lit, ok := arg.AsLiteral().(types.String)
	if arg.Kind() != celast.LiteralKind || !ok {
		return e.bug(n, "%s needs a constant argument", fn)
	}
	v, err := spec.TimeLiteral(fn, string(lit))
	if err != nil {
		code := ErrBadTimestamp
		if fn == "duration" {
			code = ErrBadDuration
		}
		x := e.node(n, OpFail, TimestampType)
		if fn == "duration" {
			x.Type = DurationType
		}
		x.Value = code
		return x
	}
	x := e.node(n, OpConst, nil)
	switch v := v.(type) {
	case time.Time:
		x.Type, x.Value = TimestampType, Time{Sec: v.Unix(), Nsec: int32(v.Nanosecond())}
	case time.Duration:
		x.Type, x.Value = DurationType, v
	}
	return x
}

// unify is the type of a comparison between values of types a and b: the two are
// the same but where one has dyn (an empty literal), which takes the other's type.
func unify(a, b *Type) *Type {
	switch {
	case a.Kind == Dyn:
		return b
	case b.Kind == Dyn:
		return a
	case a.Kind == List && b.Kind == List:
		return ListOf(unify(a.Elem, b.Elem))
	case a.Kind == Map && b.Kind == Map:
		return MapOf(unify(a.Key, b.Key), unify(a.Elem, b.Elem))
	}
	return a
}

// retype gives a literal (or the type of any other expression) the unified type u
// where its own type has dyn; elsewhere the types already agree.
func retype(x *Expr, u *Type) *Type {
	if !hasDyn(x.Type) {
		return x.Type
	}
	x.Type = u
	if x.Op == OpList {
		for _, a := range x.Args {
			a.Type = retype(a, u.Elem)
		}
	}
	if x.Op == OpMap {
		for i, a := range x.Args {
			if i%2 == 0 {
				a.Type = retype(a, u.Key)
			} else {
				a.Type = retype(a, u.Elem)
			}
		}
	}
	return u
}

func hasDyn(t *Type) bool {
	switch t.Kind {
	case Dyn:
		return true
	case List:
		return hasDyn(t.Elem)
	case Map:
		return hasDyn(t.Key) || hasDyn(t.Elem)
	}
	return false
}

func ordered(t *Type) bool {
	switch t.Kind {
	case Bool, Int, Uint, Double, String, Bytes, Timestamp, Duration:
		return true
	}
	return false
}

// checkedOf returns the checked AST x has for r, for tests.
func checkedOf(x *spec.Expr, r *spec.Resource) *cel.Ast {
	if a := x.Checked[r.Name]; a != nil {
		return a
	}
	return x.Checked[""]
}
