package gen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/spec"
)

// The CEL compiler. Each expression becomes a Go function returning (bool,
// runtime.Err). Inside a function, an error always propagates to the function's
// result, so a failing operation returns at once. The only places where CEL absorbs
// an error are the operands of && and || and the predicates of exists and all: an
// operand there that can fail is compiled into a helper function of its own, whose
// result (value, error) the caller combines as CEL does.

// constantBool reports whether a checked expression is the literal true or false.
func constantBool(a *cel.Ast) (bool, bool) {
	e := a.NativeRep().Expr()
	if e.Kind() == celast.LiteralKind {
		if b, ok := e.AsLiteral().(types.Bool); ok {
			return bool(b), true
		}
	}
	return false, false
}

// param is a parameter of a compiled expression's function.
type param struct {
	name string
	typ  jen.Code
}

// binding is an iteration variable in scope.
type binding struct {
	cel    string
	goName string
	t      *types.Type
	used   bool
}

// unit is what every function compiled from one expression shares.
type unit struct {
	g        *generator
	x        *spec.Expr
	ast      *celast.AST
	types    map[int64]*types.Type
	params   []param // the environment: principal, resource, context, credential, scope or filter
	vars     map[string]string
	base     string // name of the expression's function, prefix of its helpers
	code     *[]jen.Code
	failMemo map[failKey]bool
}

// fn compiles into one Go function body.
type fn struct {
	u        *unit
	ns       *namespace
	stmts    *[]jen.Code
	result   *types.Type // type of the function's value, for zero values on error
	scope    []*binding
	handlers []*failHandler
	// operands holds the operands of a charged operation, compiled (in order) before
	// its charge, for the operation's own compile to pick up.
	operands map[int64]val
}

type val struct {
	c    jen.Code
	cnst bool // a Go constant expression
	op   bool // an operator expression, which needs parentheses as an operand
	name bool // a variable or a field: cheap to read twice
}

// p returns v's code ready to be an operand.
func (v val) p() jen.Code {
	if v.op {
		return jen.Parens(v.c)
	}
	return v.c
}

// bind declares the parameters of f's function and the CEL variables they hold: the
// principal, the resource when withResource, the context, the credential, and the
// scope's parameters or the filter's value when f has them.
func (u *unit) bind(f *exprFunc, withResource bool) {
	u.params = []param{{"budget", jen.Op("*").Qual(rt, "Budget")}, {"p", jen.Op("*").Id("Principal")}}
	u.vars["principal"] = "p"
	if withResource {
		u.params = append(u.params, param{"r", jen.Op("*").Id(u.g.resStruct[f.res])})
		u.vars["resource"] = "r"
	}
	u.params = append(u.params, param{"ctx", jen.Op("*").Id("Context")}, param{"cred", jen.Op("*").Id("Credential")})
	u.vars["context"], u.vars["credential"] = "ctx", "cred"
	if f.scope != nil && u.g.scopeType[f.scope] != "" {
		u.params = append(u.params, param{"s", jen.Op("*").Id(u.g.scopeType[f.scope])})
		u.vars["scope"] = "s"
	}
	if f.filter {
		u.params = append(u.params, param{"filter", jen.String()})
		u.vars["filter"] = "filter"
	}
}

// compileExpr compiles x (checked as a) into f's function and any helpers it needs.
func (g *generator) compileExpr(x *spec.Expr, a *cel.Ast, f *exprFunc) []jen.Code {
	native := a.NativeRep()
	var code []jen.Code
	u := &unit{g: g, x: x, ast: native, types: native.TypeMap(), base: f.name, code: &code, failMemo: map[failKey]bool{}, vars: map[string]string{}}
	u.bind(f, f.res != nil && a == x.Checked[f.res.Name])
	pos := fmt.Sprintf("%s:%d:%d", g.source, x.Pos.Line, x.Pos.Col)
	text := f.name + " evaluates, at " + pos + ":\n"
	for _, line := range strings.Split(strings.TrimRight(x.Source, "\n"), "\n") {
		for _, part := range breakLine(strings.TrimSpace(line), 80) {
			text += "\n\t" + part
		}
	}
	doc := []jen.Code{cmt(text)}
	slot := len(code)
	code = append(code, nil)
	body := u.function(native.Expr(), types.BoolType, nil)
	code[slot] = jen.Add(append(doc, jen.Line(), jen.Func().Id(f.name).Params(u.paramList(nil)...).Params(jen.Bool(), jen.Qual(rt, "Err")).Block(body...))...)
	return code
}

// breakLine breaks a long line of CEL before its top-level && and || (outside strings
// and brackets), so that the doc comment of its function stays readable.
func breakLine(line string, width int) []string {
	if len(line) <= width {
		return []string{line}
	}
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case depth == 0 && i > start && i+3 < len(line) && (line[i:i+4] == " && " || line[i:i+4] == " || "):
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}

func (u *unit) paramList(scope []*binding) []jen.Code {
	var out []jen.Code
	for _, p := range u.params {
		out = append(out, jen.Id(p.name).Add(p.typ))
	}
	for _, b := range scope {
		out = append(out, jen.Id(b.goName).Add(u.g.goType(b.t)))
	}
	return out
}

// function compiles n as the body of a function returning (T, runtime.Err), with the
// iteration variables in scope as parameters.
func (u *unit) function(n celast.Expr, t *types.Type, scope []*binding) []jen.Code {
	var stmts []jen.Code
	reserved := []string{"e", "runtime", "time", "strings", "regexp", "bytes", "math"}
	for _, p := range u.params {
		reserved = append(reserved, p.name)
	}
	f := &fn{u: u, ns: newNamespace(u.g.ns, reserved...), stmts: &stmts, result: t}
	for _, b := range scope {
		f.ns.taken[b.goName] = true
		f.scope = append(f.scope, &binding{cel: b.cel, goName: b.goName, t: b.t})
	}
	v := f.compile(n)
	stmts = append(stmts, jen.Return(v.c, jen.Qual(rt, "OK")))
	return stmts
}

func (f *fn) emit(c ...jen.Code) { *f.stmts = append(*f.stmts, c...) }

// sub compiles into a nested block and returns its statements.
func (f *fn) sub(do func()) []jen.Code {
	var stmts []jen.Code
	saved := f.stmts
	f.stmts = &stmts
	do()
	f.stmts = saved
	return stmts
}

// failHandler receives the errors of an exists or all predicate compiled inline in its
// loop: the first is kept in errVar and the loop goes on with the next element.
type failHandler struct {
	label, errVar string
	used          bool
}

// fail returns the statements that propagate the error e: a return from the function,
// or, inside the predicate of an exists or all, its record and the next element.
func (f *fn) fail(e jen.Code) []jen.Code {
	if n := len(f.handlers); n > 0 {
		h := f.handlers[n-1]
		h.used = true
		return []jen.Code{
			jen.If(jen.Id(h.errVar).Op("==").Qual(rt, "OK")).Block(jen.Id(h.errVar).Op("=").Add(e)),
			jen.Continue().Id(h.label),
		}
	}
	return []jen.Code{jen.Return(f.u.g.zero(f.result), e)}
}

// check emits the propagation of an error held in e.
func (f *fn) check(e string) {
	f.emit(jen.If(jen.Id(e).Op("!=").Qual(rt, "OK")).Block(f.fail(jen.Id(e))...))
}

func (f *fn) typeOf(n celast.Expr) *types.Type { return f.u.typeOf(n) }

func (u *unit) typeOf(n celast.Expr) *types.Type {
	if t := u.types[n.ID()]; t != nil {
		return t
	}
	return types.DynType
}

func (f *fn) bug(n celast.Expr, format string, args ...any) val {
	pos := f.u.x.Pos
	if r, ok := f.u.ast.SourceInfo().GetOffsetRange(n.ID()); ok {
		pos = f.u.x.PosAt(int(r.Start))
	}
	f.u.g.errorf(pos, format, args...)
	return val{c: jen.Id("nil")}
}

// fallible reports whether evaluating n can fail.
func (u *unit) fallible(n celast.Expr) bool { return u.failures(n, true) }

// fallibleBesidesBudget reports whether evaluating n can fail with another error than
// the budget's.
func (u *unit) fallibleBesidesBudget(n celast.Expr) bool { return u.failures(n, false) }

type failKey struct {
	id     int64
	budget bool
}

func (u *unit) failures(n celast.Expr, budget bool) bool {
	k := failKey{n.ID(), budget}
	if v, ok := u.failMemo[k]; ok {
		return v
	}
	v := u.failures1(n, budget)
	u.failMemo[k] = v
	return v
}

// failures1 reports whether evaluating n can fail: with any error, or, unless budget,
// with another error than the budget's.
func (u *unit) failures1(n celast.Expr, budget bool) bool {
	kindOf := func(x celast.Expr) types.Kind { return u.typeOf(x).Kind() }
	any := func(xs ...celast.Expr) bool {
		for _, x := range xs {
			if x != nil && u.failures(x, budget) {
				return true
			}
		}
		return false
	}
	switch n.Kind() {
	case celast.LiteralKind, celast.IdentKind:
		return false
	case celast.SelectKind:
		return kindOf(n.AsSelect().Operand()) == types.MapKind || any(n.AsSelect().Operand())
	case celast.ListKind:
		return any(n.AsList().Elements()...)
	case celast.MapKind:
		for _, e := range n.AsMap().Entries() {
			me := e.AsMapEntry()
			if any(me.Key(), me.Value()) {
				return true
			}
		}
		return false
	case celast.ComprehensionKind:
		m, ok := spec.MacroOf(n)
		if !ok {
			return true
		}
		// Every iteration is charged to the budget.
		return budget || any(m.Parts(n)...)
	case celast.CallKind:
		if budget && spec.ChargeOf(n, u.typeOf) != spec.NoCharge {
			return true
		}
		call := n.AsCall()
		switch call.FunctionName() {
		case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo, operators.Negate:
			switch kindOf(n) {
			case types.IntKind, types.UintKind, types.DurationKind, types.TimestampKind:
				return true
			}
		case operators.Index, "inIPAddrRange":
			return true
		case "timestamp", "duration":
			_, err := constantTime(call)
			return err != nil
		}
		return any(spec.Children(n)...)
	}
	return true
}

// failsWhenExhausted reports whether evaluating n fails, whatever its operands hold,
// when the budget is exhausted as it starts: an operation that charges (its operands
// fail first, or its charge does), a strict operation of such an operand, && and ||
// of two such operands.
func (u *unit) failsWhenExhausted(n celast.Expr) bool {
	switch n.Kind() {
	case celast.ComprehensionKind:
		// An empty range has no iteration to charge.
		return u.failsWhenExhausted(n.AsComprehension().IterRange())
	case celast.CallKind:
		if spec.ChargeOf(n, u.typeOf) != spec.NoCharge {
			return true
		}
		args := n.AsCall().Args()
		switch n.AsCall().FunctionName() {
		case operators.LogicalAnd, operators.LogicalOr:
			return u.failsWhenExhausted(args[0]) && u.failsWhenExhausted(args[1])
		case operators.Conditional:
			return u.failsWhenExhausted(args[0]) || u.failsWhenExhausted(args[1]) && u.failsWhenExhausted(args[2])
		}
	}
	for _, c := range spec.Children(n) {
		if u.failsWhenExhausted(c) {
			return true
		}
	}
	return false
}

// constantTime is the constant value of timestamp("...") or duration("...").
func constantTime(call celast.CallExpr) (any, error) {
	lit := call.Args()[0].AsLiteral().(types.String)
	return spec.TimeLiteral(call.FunctionName(), string(lit))
}

// temp assigns c to a new variable and returns it.
func (f *fn) temp(c jen.Code) val {
	name := f.ns.fresh("v")
	f.emit(jen.Id(name).Op(":=").Add(c))
	return val{c: jen.Id(name), name: true}
}

// call emits a fallible call returning (value, runtime.Err) and propagates its error.
func (f *fn) call(c jen.Code) val {
	name := f.ns.fresh("v")
	f.emit(jen.List(jen.Id(name), jen.Id("e")).Op(":=").Add(c))
	f.check("e")
	return val{c: jen.Id(name), name: true}
}

func (f *fn) lookupVar(name string) (jen.Code, *binding) {
	for i := len(f.scope) - 1; i >= 0; i-- {
		if f.scope[i].cel == name {
			f.scope[i].used = true
			return jen.Id(f.scope[i].goName), f.scope[i]
		}
	}
	if v, ok := f.u.vars[name]; ok {
		return jen.Id(v), nil
	}
	return nil, nil
}

// visible returns the bindings a helper must receive: the innermost of each name.
func (f *fn) visible() []*binding {
	var out []*binding
	seen := map[string]bool{}
	for i := len(f.scope) - 1; i >= 0; i-- {
		b := f.scope[i]
		if seen[b.cel] {
			continue
		}
		seen[b.cel] = true
		out = append([]*binding{b}, out...)
	}
	return out
}

// helper compiles n into a function of its own and returns the call, whose results
// are (value, runtime.Err).
func (f *fn) helper(n celast.Expr) jen.Code {
	u := f.u
	name := u.g.ns.fresh(u.base + "Sub")
	scope := f.visible()
	t := f.typeOf(n)
	slot := len(*u.code)
	*u.code = append(*u.code, nil)
	body := u.function(n, t, scope)
	(*u.code)[slot] = jen.Add(jen.Line(), jen.Func().Id(name).Params(u.paramList(scope)...).Params(u.g.goType(t), jen.Qual(rt, "Err")).Block(body...))
	var args []jen.Code
	for _, p := range u.params {
		args = append(args, jen.Id(p.name))
	}
	for _, b := range scope {
		b.used = true
		args = append(args, jen.Id(b.goName))
	}
	return jen.Id(name).Call(args...)
}

// operand evaluates n where CEL may absorb its error: the value and error variables.
func (f *fn) operand(n celast.Expr) (v, e string) {
	v = f.ns.fresh("v")
	if f.u.fallible(n) {
		e = f.ns.fresh("e")
		f.emit(jen.List(jen.Id(v), jen.Id(e)).Op(":=").Add(f.helper(n)))
		return v, e
	}
	x := f.compile(n)
	c := x.c
	if k := f.typeOf(n).Kind(); x.cnst && (k == types.IntKind || k == types.UintKind || k == types.DoubleKind) {
		// An untyped constant would make an int or a float64 of the variable, and
		// 18446744073709551615u overflows an int.
		c = jen.Add(f.u.g.goType(f.typeOf(n))).Parens(x.c)
	}
	f.emit(jen.Id(v).Op(":=").Add(c))
	return v, ""
}

func (f *fn) compile(n celast.Expr) val {
	if v, ok := f.operands[n.ID()]; ok {
		delete(f.operands, n.ID())
		return v
	}
	switch n.Kind() {
	case celast.LiteralKind:
		return f.literal(n)
	case celast.IdentKind:
		c, _ := f.lookupVar(n.AsIdent())
		if c == nil {
			return f.bug(n, "unknown name %q", n.AsIdent())
		}
		return val{c: c, name: true}
	case celast.SelectKind:
		return f.selectExpr(n)
	case celast.ListKind:
		return f.listLit(n)
	case celast.MapKind:
		return f.mapLit(n)
	case celast.ComprehensionKind:
		return f.comprehension(n)
	case celast.CallKind:
		return f.callExpr(n)
	}
	return f.bug(n, "unsupported expression")
}

func (f *fn) literal(n celast.Expr) val {
	switch v := n.AsLiteral().(type) {
	case types.Bool:
		return val{c: jen.Lit(bool(v)), cnst: true}
	case types.Int:
		return val{c: jen.Id(strconv.FormatInt(int64(v), 10)), cnst: true}
	case types.Uint:
		return val{c: jen.Id(strconv.FormatUint(uint64(v), 10)), cnst: true}
	case types.Double:
		f := float64(v)
		return val{c: doubleLit(f), cnst: !math.IsInf(f, 0) && !math.IsNaN(f) && !(f == 0 && math.Signbit(f))}
	case types.String:
		return val{c: jen.Lit(string(v)), cnst: true}
	case types.Bytes:
		return val{c: jen.Id(f.u.g.literalVar("bytes", jen.Index().Byte().Parens(jen.Lit(string(v))))), name: true}
	}
	return f.bug(n, "unsupported literal %v", n.AsLiteral())
}

func doubleLit(v float64) jen.Code {
	switch {
	case math.IsInf(v, 1):
		return jen.Qual("math", "Inf").Call(jen.Lit(1))
	case math.IsInf(v, -1):
		return jen.Qual("math", "Inf").Call(jen.Lit(-1))
	case math.IsNaN(v):
		return jen.Qual("math", "NaN").Call()
	case v == 0 && math.Signbit(v):
		// Go's constants have no negative zero: -0.0 would be 0.
		return jen.Qual("math", "Copysign").Call(jen.Lit(0), jen.Lit(-1))
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return jen.Id(s)
}

// literalVar declares a package-level variable holding c (once per distinct c) and
// returns its name.
func (g *generator) literalVar(prefix string, c jen.Code) string {
	key := fmt.Sprintf("%#v", c)
	if name, ok := g.lits[key]; ok {
		return name
	}
	name := g.ns.fresh(prefix)
	g.lits[key] = name
	g.litCode = append(g.litCode, jen.Var().Id(name).Op("=").Add(c))
	return name
}

func (f *fn) selectExpr(n celast.Expr) val {
	sel := n.AsSelect()
	op := sel.Operand()
	ot := f.typeOf(op)
	switch ot.Kind() {
	case types.StructKind:
		if op.Kind() != celast.IdentKind {
			return f.bug(n, "selection from a computed object")
		}
		c, _ := f.lookupVar(op.AsIdent())
		if c == nil {
			return f.bug(n, "unknown name %q", op.AsIdent())
		}
		field := f.u.g.fieldOf(ot.TypeName(), sel.FieldName())
		if field == "" {
			return f.bug(n, "unknown attribute %q of %s", sel.FieldName(), ot.TypeName())
		}
		return val{c: jen.Add(c).Dot(field), name: true}
	case types.MapKind:
		m := f.compile(op)
		return f.call(jen.Qual(rt, "Lookup").Call(m.c, jen.Lit(sel.FieldName())))
	}
	return f.bug(n, "selection from %s", ot)
}

// fieldOf returns the Go field of attribute attr of the CEL object type name.
func (g *generator) fieldOf(typeName, attr string) string {
	var obj any
	switch {
	case typeName == "permc.principal":
		obj = principalObj
	case typeName == "permc.context":
		obj = contextObj
	case typeName == "permc.credential":
		obj = credentialObj
	case strings.HasPrefix(typeName, "permc.resource."):
		obj = g.s.Resource(strings.TrimPrefix(typeName, "permc.resource."))
	case strings.HasPrefix(typeName, "permc.scope."):
		obj = g.s.Scope(strings.TrimPrefix(typeName, "permc.scope."))
	}
	if obj == nil {
		return ""
	}
	return g.fields[obj][attr]
}

func (f *fn) listLit(n celast.Expr) val {
	t := f.typeOf(n)
	var elems []jen.Code
	cnst := true
	for _, e := range n.AsList().Elements() {
		v := f.compile(e)
		cnst = cnst && v.cnst
		elems = append(elems, v.c)
	}
	lit := jen.Add(f.u.g.goType(t)).Values(elems...)
	if len(elems) == 0 {
		return val{c: jen.Add(f.u.g.goType(t)).Parens(jen.Nil())}
	}
	if cnst {
		return val{c: jen.Id(f.u.g.literalVar("list", lit)), name: true}
	}
	return val{c: lit}
}

func (f *fn) mapLit(n celast.Expr) val {
	t := f.typeOf(n)
	entries := n.AsMap().Entries()
	if len(entries) == 0 {
		return val{c: jen.Add(f.u.g.goType(t)).Parens(jen.Nil())}
	}
	// Constant keys: a later duplicate replaces an earlier one, as in cel-go.
	type kv struct{ k, v val }
	var kvs []kv
	cnst := true
	for _, e := range entries {
		me := e.AsMapEntry()
		k := f.compile(me.Key())
		v := f.compile(me.Value())
		cnst = cnst && k.cnst && v.cnst
		kvs = append(kvs, kv{k, v})
	}
	if cnst {
		var dict []jen.Code
		seen := map[string]int{}
		for _, e := range kvs {
			key := fmt.Sprintf("%#v", e.k.c)
			if i, ok := seen[key]; ok {
				dict[i] = jen.Add(e.k.c).Op(":").Add(e.v.c)
				continue
			}
			seen[key] = len(dict)
			dict = append(dict, jen.Add(e.k.c).Op(":").Add(e.v.c))
		}
		var lines []jen.Code
		for _, d := range dict {
			lines = append(lines, jen.Line().Add(d))
		}
		return val{c: jen.Id(f.u.g.literalVar("dict", jen.Add(f.u.g.goType(t)).Values(append(lines, jen.Line())...))), name: true}
	}
	m := f.ns.fresh("v")
	f.emit(jen.Id(m).Op(":=").Add(f.u.g.goType(t)).Values())
	for _, e := range kvs {
		f.emit(jen.Id(m).Index(e.k.c).Op("=").Add(e.v.c))
	}
	return val{c: jen.Id(m), name: true}
}

// comprehension compiles the macros exists, all, exists_one, map and filter. Each
// iteration first charges the budget one step; when that fails, the macro fails at
// once with the budget's error. exists and all go on past an element that fails, to
// one that decides them; exists_one, map and filter fail with the first failing
// element.
func (f *fn) comprehension(n celast.Expr) val {
	m, ok := spec.MacroOf(n)
	if !ok {
		return f.bug(n, "unexpected comprehension")
	}
	comp := n.AsComprehension()
	rt0 := f.typeOf(comp.IterRange())
	rng := f.compile(comp.IterRange())
	elemT := types.DynType
	if len(rt0.Parameters()) > 0 {
		elemT = rt0.Parameters()[0]
	}
	isMap := rt0.Kind() == types.MapKind
	b := &binding{cel: comp.IterVar(), goName: userVar(comp.IterVar()), t: elemT}
	// over is what the loop ranges over: the list, or a map's keys in sorted order,
	// which every backend iterates in (it decides which error a macro reports, and how
	// many steps it charges). Up to 16 keys are sorted in an array on the stack. over
	// is called right before the statements that lead into the loop.
	over := func() jen.Code {
		if !isMap || !b.used {
			return rng.c
		}
		buf := f.ns.fresh("keys")
		f.emit(jen.Var().Id(buf).Index(jen.Lit(16)).Add(f.u.g.goType(elemT)))
		sorted := "SortedKeys"
		if elemT.Kind() == types.BoolKind {
			sorted = "SortedBoolKeys"
		}
		return jen.Qual(rt, sorted).Call(rng.c, jen.Id(buf).Index(jen.Empty(), jen.Lit(0)))
	}
	// The iteration's charge fails the macro itself, not its predicate: it is made
	// before the predicate's fail handler, if any, is in place.
	charge := f.chargeStmt(jen.Id("budget").Dot("Charge").Call(jen.Lit(1)))
	loopHead := func(over jen.Code, body []jen.Code) jen.Code {
		body = append([]jen.Code{charge}, body...)
		if !b.used {
			return jen.For(jen.Range().Add(over)).Block(body...)
		}
		return jen.For(jen.List(jen.Id("_"), jen.Id(b.goName)).Op(":=").Range().Add(over)).Block(body...)
	}
	f.scope = append(f.scope, b)
	defer func() { f.scope = f.scope[:len(f.scope)-1] }()
	out := f.ns.fresh("v")
	switch m.Name {
	case "exists", "all":
		// exists: true at the first true; otherwise the first error; otherwise false.
		// all: false at the first false; otherwise the first error; otherwise true.
		stop := m.Name == "exists"
		var errVar string
		var h *failHandler
		if f.u.fallible(m.Pred) {
			// The predicate is compiled inline: an error records itself in errVar and
			// goes on with the next element (see fail).
			errVar = f.ns.fresh("e")
			h = &failHandler{label: f.ns.fresh("L"), errVar: errVar}
		}
		body := f.sub(func() {
			if h != nil {
				f.handlers = append(f.handlers, h)
			}
			pv := f.compile(m.Pred)
			if h != nil {
				f.handlers = f.handlers[:len(f.handlers)-1]
			}
			cond := jen.Add(pv.c)
			if !stop {
				cond = jen.Op("!").Add(pv.p())
			}
			f.emit(jen.If(cond).Block(jen.Id(out).Op("=").Lit(stop), jen.Break()))
		})
		rangeOver := over()
		f.emit(jen.Id(out).Op(":=").Lit(!stop))
		if errVar != "" {
			f.emit(jen.Var().Id(errVar).Qual(rt, "Err"))
		}
		if h != nil && h.used {
			f.emit(jen.Id(h.label).Op(":"))
		}
		f.emit(loopHead(rangeOver, body))
		if errVar != "" {
			cond := jen.Op("!").Id(out)
			if !stop {
				cond = jen.Id(out)
			}
			f.emit(jen.If(cond.Op("&&").Id(errVar).Op("!=").Qual(rt, "OK")).Block(f.fail(jen.Id(errVar))...))
		}
		return val{c: jen.Id(out), name: true}
	case "exists_one":
		count := f.ns.fresh("n")
		body := f.sub(func() {
			pv := f.compile(m.Pred)
			f.emit(jen.If(pv.c).Block(jen.Id(count).Op("++")))
		})
		rangeOver := over()
		f.emit(jen.Id(count).Op(":=").Lit(0))
		f.emit(loopHead(rangeOver, body))
		return val{c: jen.Id(count).Op("==").Lit(1), op: true}
	case "map", "filter":
		body := f.sub(func() {
			add := func() {
				v := f.compile(m.Transform)
				f.emit(jen.Id(out).Op("=").Append(jen.Id(out), v.c))
			}
			if m.Pred == nil {
				add()
				return
			}
			pv := f.compile(m.Pred)
			f.emit(jen.If(pv.c).Block(f.sub(add)...))
		})
		rangeOver := over()
		f.emit(jen.Var().Id(out).Add(f.u.g.goType(f.typeOf(n))))
		f.emit(loopHead(rangeOver, body))
		return val{c: jen.Id(out), name: true}
	}
	return f.bug(n, "unsupported macro %s", m.Name)
}

// chargeStmt is the statement charging the budget with call (a method call on it,
// returning a runtime.Err) and failing when that fails.
func (f *fn) chargeStmt(call jen.Code) jen.Code {
	return jen.If(jen.Id("e").Op(":=").Add(call), jen.Id("e").Op("!=").Qual(rt, "OK")).Block(f.fail(jen.Id("e"))...)
}

// charged compiles the operands of the call n, which charges the budget (ch), in
// order, emits the charge, and leaves the operands for the operation's own compile to
// pick up.
func (f *fn) charged(n celast.Expr, ch spec.Charge) {
	call := n.AsCall()
	ops := call.Args()
	if call.IsMemberFunction() {
		ops = append([]celast.Expr{call.Target()}, ops...)
	}
	extra := 0 // the length of constant operands
	var lens []jen.Code
	if call.FunctionName() == overloads.Matches {
		// The pattern is a constant, which matches compiles once.
		if lit, ok := ops[len(ops)-1].AsLiteral().(types.String); ok {
			extra += len(lit)
			ops = ops[:len(ops)-1]
		}
	}
	if f.operands == nil {
		f.operands = map[int64]val{}
	}
	vals := make([]val, len(ops))
	for i, o := range ops {
		v := f.compile(o)
		if !v.cnst && !v.name {
			v = f.temp(v.c)
		}
		vals[i] = v
		f.operands[o.ID()] = v
	}
	length := func(i int) {
		if ops[i].Kind() == celast.LiteralKind {
			switch lit := ops[i].AsLiteral().(type) {
			case types.String:
				extra += len(lit)
				return
			case types.Bytes:
				extra += len(lit)
				return
			}
		}
		lens = append(lens, jen.Len(vals[i].c))
	}
	method := "Charge"
	switch ch {
	case spec.ChargeInList:
		length(len(ops) - 1)
	case spec.ChargeLeftSize:
		length(0)
	case spec.ChargeSizes:
		length(0)
		length(1)
	case spec.ChargeText:
		method = "Text"
		for i := range ops {
			length(i)
		}
	}
	if extra > 0 || len(lens) == 0 {
		lens = append(lens, jen.Lit(extra))
	}
	sum := jen.Add(lens[0])
	for _, l := range lens[1:] {
		sum = sum.Op("+").Add(l)
	}
	f.emit(f.chargeStmt(jen.Id("budget").Dot(method).Call(sum)))
}

func (f *fn) callExpr(n celast.Expr) val {
	if ch := spec.ChargeOf(n, f.typeOf); ch != spec.NoCharge {
		f.charged(n, ch)
	}
	call := n.AsCall()
	args := call.Args()
	fnName := call.FunctionName()
	switch fnName {
	case operators.LogicalAnd, operators.LogicalOr:
		return f.logical(n, fnName == operators.LogicalAnd, args[0], args[1])
	case operators.Conditional:
		return f.conditional(n, args)
	case operators.LogicalNot:
		v := f.compile(args[0])
		return val{c: jen.Op("!").Add(v.p()), op: true}
	case operators.Equals, operators.NotEquals:
		a, b := f.compile(args[0]), f.compile(args[1])
		eq := f.u.g.equal(f.typeOf(args[0]), f.typeOf(args[1]), a, b)
		if fnName == operators.NotEquals {
			return val{c: jen.Op("!").Add(eq.p()), op: true}
		}
		return eq
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		return f.compare(n, fnName, args)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo:
		return f.arith(n, fnName, args)
	case operators.Negate:
		v := f.compile(args[0])
		switch f.typeOf(n).Kind() {
		case types.IntKind:
			return f.call(jen.Qual(rt, "NegInt").Call(v.c))
		case types.DoubleKind:
			if v.cnst {
				return val{c: jen.Op("-").Qual(rt, "Double").Call(v.c), op: true}
			}
			return val{c: jen.Op("-").Add(v.p()), op: true}
		}
		return f.bug(n, "negation of %s", f.typeOf(n))
	case operators.Index:
		c, i := f.compile(args[0]), f.compile(args[1])
		switch f.typeOf(args[0]).Kind() {
		case types.ListKind:
			return f.call(jen.Qual(rt, "Index").Call(c.c, i.c))
		case types.MapKind:
			return f.call(jen.Qual(rt, "Lookup").Call(c.c, i.c))
		}
		return f.bug(n, "index into %s", f.typeOf(args[0]))
	case operators.In:
		x, c := f.compile(args[0]), f.compile(args[1])
		ct := f.typeOf(args[1])
		switch ct.Kind() {
		case types.ListKind:
			et := ct.Parameters()[0]
			if simpleEq(et) {
				return val{c: jen.Qual(rt, "In").Call(c.c, x.c)}
			}
			return val{c: jen.Qual(rt, "InFunc").Call(c.c, x.c, f.u.g.eqFunc(et))}
		case types.MapKind:
			return val{c: jen.Qual(rt, "HasKey").Call(c.c, x.c)}
		}
		return f.bug(n, "in %s", ct)
	case "size":
		var x celast.Expr
		if call.IsMemberFunction() {
			x = call.Target()
		} else {
			x = args[0]
		}
		v := f.compile(x)
		if f.typeOf(x).Kind() == types.StringKind {
			return val{c: jen.Qual(rt, "StringSize").Call(v.c)}
		}
		return val{c: jen.Int64().Parens(jen.Len(v.c))}
	case "startsWith", "endsWith", "contains":
		s, a := f.compile(call.Target()), f.compile(args[0])
		fnGo := map[string]string{"startsWith": "HasPrefix", "endsWith": "HasSuffix", "contains": "Contains"}[fnName]
		return val{c: jen.Qual("strings", fnGo).Call(s.c, a.c)}
	case "matches":
		var s celast.Expr
		pat := args[len(args)-1]
		if call.IsMemberFunction() {
			s = call.Target()
		} else {
			s = args[0]
		}
		sv := f.compile(s)
		lit, ok := pat.AsLiteral().(types.String)
		if pat.Kind() != celast.LiteralKind || !ok {
			return f.bug(n, "matches needs a constant pattern")
		}
		re := f.u.g.literalVar("re", jen.Qual("regexp", "MustCompile").Call(jen.Lit(string(lit))))
		return val{c: jen.Id(re).Dot("MatchString").Call(sv.c)}
	case "timestamp", "duration":
		v, err := constantTime(call)
		if err != nil {
			code := "ErrBadTimestamp"
			if fnName == "duration" {
				code = "ErrBadDuration"
			}
			// Always an error, but tested, so that the code after it stays reachable.
			bad := f.u.g.literalVar("bad", jen.Qual(rt, code))
			f.emit(jen.If(jen.Id(bad).Op("!=").Qual(rt, "OK")).Block(f.fail(jen.Id(bad))...))
			return val{c: f.u.g.zero(f.typeOf(n))}
		}
		switch v := v.(type) {
		case time.Time:
			u := v.UTC()
			name := f.u.g.literalVar("ts", jen.Qual("time", "Unix").Call(jen.Lit(int(u.Unix())), jen.Lit(u.Nanosecond())).Dot("UTC").Call())
			return val{c: jen.Id(name)}
		case time.Duration:
			return val{c: jen.Qual("time", "Duration").Parens(jen.Id(strconv.FormatInt(int64(v), 10))), cnst: true}
		}
	case "inIPAddrRange":
		a, r := f.compile(call.Target()), f.compile(args[0])
		return f.call(jen.Qual(rt, "InIPAddrRangeErr").Call(a.c, r.c))
	}
	return f.bug(n, "unsupported function %s", fnName)
}

// logical compiles && and ||, which absorb an error when the other operand decides:
// false && error is false, true || error is true.
func (f *fn) logical(n celast.Expr, and bool, a, b celast.Expr) val {
	// notDecides is the condition that an operand's value does not decide the result:
	// true for &&, false for ||.
	notDecides := func(v string) *jen.Statement {
		if and {
			return jen.Id(v)
		}
		return jen.Op("!").Id(v)
	}
	// a's error never needs b to decide when a cannot fail, nor when a can fail only
	// on the budget and b cannot but fail then too: both are then compiled inline, and
	// an error of either is the result.
	if !f.u.fallible(a) || !f.u.fallibleBesidesBudget(a) && f.u.failsWhenExhausted(b) {
		av := f.compile(a)
		var bv val
		bs := f.sub(func() { bv = f.compile(b) })
		op := "||"
		if and {
			op = "&&"
		}
		if len(bs) == 0 {
			return val{c: jen.Add(av.p()).Op(op).Add(bv.p()), op: true}
		}
		out := f.temp(av.c)
		cond := jen.Add(out.c)
		if !and {
			cond = jen.Op("!").Add(out.c)
		}
		f.emit(jen.If(cond).Block(append(bs, jen.Add(out.c).Op("=").Add(bv.c))...))
		return out
	}
	av, ae := f.operand(a)
	// When a does not decide, the result is b's value, or an error: a's unless b
	// decides, else b's. When both fail, a's error is the one reported, as in cel-go.
	rest := f.sub(func() {
		bv, be := f.operand(b)
		if be != "" {
			var fail []jen.Code
			if ae != "" {
				fail = append(fail, jen.If(jen.Id(ae).Op("!=").Qual(rt, "OK")).Block(f.fail(jen.Id(ae))...))
			}
			fail = append(fail, f.fail(jen.Id(be))...)
			f.emit(jen.If(jen.Id(be).Op("!=").Qual(rt, "OK")).Block(fail...))
		}
		if ae != "" {
			f.emit(jen.If(jen.Id(ae).Op("!=").Qual(rt, "OK").Op("&&").Add(notDecides(bv))).Block(f.fail(jen.Id(ae))...))
		}
		f.emit(jen.Id(av).Op("=").Id(bv))
	})
	// a decides only when it has no error and has the deciding value.
	cond := notDecides(av)
	if ae != "" {
		cond = jen.Id(ae).Op("!=").Qual(rt, "OK").Op("||").Add(cond)
	}
	f.emit(jen.If(cond).Block(rest...))
	return val{c: jen.Id(av), name: true}
}

func (f *fn) conditional(n celast.Expr, args []celast.Expr) val {
	c := f.compile(args[0])
	out := f.ns.fresh("v")
	var a, b val
	as := f.sub(func() { a = f.compile(args[1]) })
	bs := f.sub(func() { b = f.compile(args[2]) })
	f.emit(jen.Var().Id(out).Add(f.u.g.goType(f.typeOf(n))))
	f.emit(jen.If(c.c).Block(append(as, jen.Id(out).Op("=").Add(a.c))...).Else().Block(append(bs, jen.Id(out).Op("=").Add(b.c))...))
	return val{c: jen.Id(out), name: true}
}

func (f *fn) compare(n celast.Expr, op string, args []celast.Expr) val {
	a, b := f.compile(args[0]), f.compile(args[1])
	goOp := map[string]string{operators.Less: "<", operators.LessEquals: "<=", operators.Greater: ">", operators.GreaterEquals: ">="}[op]
	t := f.typeOf(args[0])
	switch t.Kind() {
	case types.IntKind, types.UintKind, types.StringKind, types.DurationKind:
		return val{c: jen.Add(a.p()).Op(goOp).Add(b.p()), op: true}
	case types.DoubleKind:
		ac := a.p()
		if a.cnst && b.cnst {
			ac = jen.Qual(rt, "Double").Call(a.c)
		}
		return val{c: jen.Add(ac).Op(goOp).Add(b.p()), op: true}
	case types.BoolKind:
		return val{c: jen.Qual(rt, "CompareBool").Call(a.c, b.c).Op(goOp).Lit(0), op: true}
	case types.BytesKind:
		return val{c: jen.Qual("bytes", "Compare").Call(a.c, b.c).Op(goOp).Lit(0), op: true}
	case types.TimestampKind:
		return val{c: jen.Add(a.c).Dot("Compare").Call(b.c).Op(goOp).Lit(0), op: true}
	}
	return f.bug(n, "comparison of %s", t)
}

func (f *fn) arith(n celast.Expr, op string, args []celast.Expr) val {
	a, b := f.compile(args[0]), f.compile(args[1])
	ta, tb := f.typeOf(args[0]), f.typeOf(args[1])
	name := map[string]string{operators.Add: "Add", operators.Subtract: "Sub", operators.Multiply: "Mul", operators.Divide: "Div", operators.Modulo: "Mod"}[op]
	switch ta.Kind() {
	case types.IntKind:
		return f.call(jen.Qual(rt, name+"Int").Call(a.c, b.c))
	case types.UintKind:
		return f.call(jen.Qual(rt, name+"Uint").Call(a.c, b.c))
	case types.DoubleKind:
		goOp := map[string]string{operators.Add: "+", operators.Subtract: "-", operators.Multiply: "*", operators.Divide: "/"}[op]
		ac := a.p()
		if a.cnst && b.cnst {
			ac = jen.Qual(rt, "Double").Call(a.c)
		}
		return val{c: jen.Add(ac).Op(goOp).Add(b.p()), op: true}
	case types.StringKind:
		return val{c: jen.Add(a.p()).Op("+").Add(b.p()), cnst: a.cnst && b.cnst, op: true}
	case types.BytesKind, types.ListKind:
		if len(ta.Parameters()) > 0 && len(tb.Parameters()) > 0 && f.u.g.goTypeString(ta) != f.u.g.goTypeString(tb) {
			return f.bug(n, "concatenation of %s and %s", ta, tb)
		}
		return val{c: jen.Qual(rt, "Concat").Call(a.c, b.c)}
	case types.DurationKind:
		switch {
		case tb.Kind() == types.DurationKind:
			return f.call(jen.Qual(rt, name+"Duration").Call(a.c, b.c))
		case tb.Kind() == types.TimestampKind && op == operators.Add:
			return f.call(jen.Qual(rt, "AddTimeDuration").Call(b.c, a.c))
		}
	case types.TimestampKind:
		switch {
		case tb.Kind() == types.DurationKind && op == operators.Add:
			return f.call(jen.Qual(rt, "AddTimeDuration").Call(a.c, b.c))
		case tb.Kind() == types.DurationKind && op == operators.Subtract:
			return f.call(jen.Qual(rt, "SubTimeDuration").Call(a.c, b.c))
		case tb.Kind() == types.TimestampKind && op == operators.Subtract:
			return f.call(jen.Qual(rt, "SubTime").Call(a.c, b.c))
		}
	}
	return f.bug(n, "arithmetic %s on %s and %s", op, ta, tb)
}

// simpleEq reports whether Go's == is CEL equality for values of t.
func simpleEq(t *types.Type) bool {
	switch t.Kind() {
	case types.BoolKind, types.IntKind, types.UintKind, types.DoubleKind, types.StringKind, types.DurationKind, types.DynKind:
		return true
	}
	return false
}

// equal returns the CEL equality of a (type ta) and b (type tb).
func (g *generator) equal(ta, tb *types.Type, a, b val) val {
	if g.goTypeString(ta) != g.goTypeString(tb) {
		// An empty literal whose element type is unknown equals only an empty value.
		if (ta.Kind() == types.ListKind || ta.Kind() == types.MapKind) && ta.Kind() == tb.Kind() && (containsDynType(ta) || containsDynType(tb)) {
			return val{c: jen.Len(a.c).Op("==").Len(b.c), op: true}
		}
	}
	switch ta.Kind() {
	case types.DoubleKind:
		ac := a.p()
		if a.cnst && b.cnst {
			ac = jen.Qual(rt, "Double").Call(a.c)
		}
		return val{c: jen.Add(ac).Op("==").Add(b.p()), op: true}
	case types.BytesKind:
		return val{c: jen.Qual("bytes", "Equal").Call(a.c, b.c)}
	case types.TimestampKind:
		return val{c: jen.Add(a.c).Dot("Equal").Call(b.c)}
	case types.ListKind:
		et := ta.Parameters()[0]
		if simpleEq(et) {
			return val{c: jen.Qual(rt, "ListEq").Call(a.c, b.c)}
		}
		return val{c: jen.Qual(rt, "ListEqFunc").Call(a.c, b.c, g.eqFunc(et))}
	case types.MapKind:
		vt := ta.Parameters()[1]
		if simpleEq(vt) {
			return val{c: jen.Qual(rt, "MapEq").Call(a.c, b.c)}
		}
		return val{c: jen.Qual(rt, "MapEqFunc").Call(a.c, b.c, g.eqFunc(vt))}
	}
	return val{c: jen.Add(a.p()).Op("==").Add(b.p()), op: true}
}

// eqFunc returns a function value computing CEL equality of two values of t.
func (g *generator) eqFunc(t *types.Type) jen.Code {
	switch t.Kind() {
	case types.BytesKind:
		return jen.Qual("bytes", "Equal")
	case types.TimestampKind:
		return jen.Qual(rt, "TimeEq")
	case types.ListKind:
		et := t.Parameters()[0]
		if simpleEq(et) {
			return jen.Qual(rt, "ListEq").Types(g.goType(et))
		}
	case types.MapKind:
		kt, vt := t.Parameters()[0], t.Parameters()[1]
		if simpleEq(vt) {
			return jen.Qual(rt, "MapEq").Types(g.goType(kt), g.goType(vt))
		}
	default:
		if simpleEq(t) {
			return jen.Func().Params(jen.List(jen.Id("a"), jen.Id("b")).Add(g.goType(t))).Bool().Block(jen.Return(jen.Id("a").Op("==").Id("b")))
		}
	}
	return jen.Func().Params(jen.List(jen.Id("a"), jen.Id("b")).Add(g.goType(t))).Bool().Block(
		jen.Return(g.equal(t, t, val{c: jen.Id("a")}, val{c: jen.Id("b")}).c))
}

func containsDynType(t *types.Type) bool {
	if t.Kind() == types.DynKind {
		return true
	}
	for _, p := range t.Parameters() {
		if containsDynType(p) {
			return true
		}
	}
	return false
}

// goType is the Go type of values of the CEL type t.
func (g *generator) goType(t *types.Type) jen.Code {
	switch t.Kind() {
	case types.BoolKind:
		return jen.Bool()
	case types.IntKind:
		return jen.Int64()
	case types.UintKind:
		return jen.Uint64()
	case types.DoubleKind:
		return jen.Float64()
	case types.StringKind:
		return jen.String()
	case types.BytesKind:
		return jen.Index().Byte()
	case types.TimestampKind:
		return jen.Qual("time", "Time")
	case types.DurationKind:
		return jen.Qual("time", "Duration")
	case types.ListKind:
		return jen.Index().Add(g.goType(t.Parameters()[0]))
	case types.MapKind:
		return jen.Map(g.goType(t.Parameters()[0])).Add(g.goType(t.Parameters()[1]))
	case types.DynKind:
		return jen.Struct()
	}
	return jen.Any()
}

func (g *generator) goTypeString(t *types.Type) string { return fmt.Sprintf("%#v", g.goType(t)) }

// zero is the zero value of the CEL type t in Go.
func (g *generator) zero(t *types.Type) jen.Code {
	switch t.Kind() {
	case types.BoolKind:
		return jen.False()
	case types.IntKind, types.UintKind, types.DoubleKind, types.DurationKind:
		return jen.Lit(0)
	case types.StringKind:
		return jen.Lit("")
	case types.TimestampKind:
		// In parentheses: a composite literal may stand in an if condition.
		return jen.Parens(jen.Qual("time", "Time").Values())
	case types.DynKind:
		return jen.Parens(jen.Struct().Values())
	}
	return jen.Nil()
}
