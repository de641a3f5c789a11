package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/permc/permc/runtime"
)

// CEL type names of the objects expressions see. They live under "permc." so that no
// qualified name such as `scope.org` resolves to a type instead of a field.
const (
	principalType  = "permc.principal"
	contextType    = "permc.context"
	credentialType = "permc.credential"
)

func resourceTypeName(r *Resource) string { return "permc.resource." + r.Name }
func scopeTypeName(s *Scope) string       { return "permc.scope." + s.Name }

// CELType returns the CEL type of a declared type.
func CELType(t *Type) *cel.Type {
	switch t.Kind {
	case Bool:
		return cel.BoolType
	case Int:
		return cel.IntType
	case Uint:
		return cel.UintType
	case Double:
		return cel.DoubleType
	case String:
		return cel.StringType
	case Bytes:
		return cel.BytesType
	case Timestamp:
		return cel.TimestampType
	case Duration:
		return cel.DurationType
	case List:
		return cel.ListType(CELType(t.Elem))
	case Map:
		return cel.MapType(cel.StringType, CELType(t.Elem))
	}
	panic(fmt.Sprintf("spec: unknown type kind %d", t.Kind))
}

// objectProvider declares the spec's objects (principal, context, credential, each
// resource type, each scope's params) as CEL struct types, so that `resource.org` is
// typed per resource type. At run time the objects are maps: field selection falls back
// to map lookup because no GetFrom is given.
type objectProvider struct {
	types.Provider
	fields map[string]map[string]*types.Type
	order  map[string][]string
}

func (p *objectProvider) add(name string, attrs []*Attribute, implicitID bool) {
	m := map[string]*types.Type{}
	var order []string
	if implicitID {
		m["id"] = types.StringType
		order = append(order, "id")
	}
	for _, a := range attrs {
		m[a.Name] = CELType(a.Type)
		order = append(order, a.Name)
	}
	p.fields[name] = m
	p.order[name] = order
}

func (p *objectProvider) FindStructType(name string) (*types.Type, bool) {
	if _, ok := p.fields[name]; ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Provider.FindStructType(name)
}

func (p *objectProvider) FindStructFieldNames(name string) ([]string, bool) {
	if o, ok := p.order[name]; ok {
		return o, true
	}
	return p.Provider.FindStructFieldNames(name)
}

func (p *objectProvider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if m, ok := p.fields[name]; ok {
		t, ok := m[field]
		if !ok {
			return nil, false
		}
		return &types.FieldType{Type: t}, true
	}
	return p.Provider.FindStructFieldType(name, field)
}

// IPFunction is the declaration of string.inIPAddrRange(cidr) shared by the checker
// and the reference evaluator.
func IPFunction() cel.EnvOption {
	return cel.Function("inIPAddrRange",
		cel.MemberOverload("string_in_ip_addr_range_string", []*cel.Type{cel.StringType, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(a, r ref.Val) ref.Val {
				ok, err := runtime.InIPAddrRange(string(a.(types.String)), string(r.(types.String)))
				if err != nil {
					return types.NewErr("%s", err.Error())
				}
				return types.Bool(ok)
			})))
}

// envKey names one combination of variables an expression can see.
type envKey struct {
	resource string // resource type, or "" for none
	scope    string // scope type whose params are `scope`, or ""
	filter   bool   // `filter` is declared
}

// Env returns the CEL environment in which expressions see resource type r (nil for
// none), the params of scope sc (nil for none), and `filter` when filter is set.
// Environments are built once per combination and shared.
func (s *Spec) Env(r *Resource, sc *Scope, filter bool) (*cel.Env, error) {
	key := envKey{filter: filter}
	if r != nil {
		key.resource = r.Name
	}
	if sc != nil {
		key.scope = sc.Name
	}
	s.envMu.Lock()
	defer s.envMu.Unlock()
	if env, ok := s.envs[key]; ok {
		return env, nil
	}
	if s.provider == nil {
		reg, err := types.NewRegistry()
		if err != nil {
			return nil, err
		}
		p := &objectProvider{Provider: reg, fields: map[string]map[string]*types.Type{}, order: map[string][]string{}}
		p.add(principalType, s.Principal, true)
		p.add(contextType, s.Context, false)
		p.add(credentialType, s.Credentials.Attributes, false)
		for _, res := range s.Resources {
			p.add(resourceTypeName(res), res.Attributes, true)
		}
		for _, scope := range s.Scopes {
			p.add(scopeTypeName(scope), scope.Params, false)
		}
		s.provider = p
		s.envs = map[envKey]*cel.Env{}
	}
	opts := []cel.EnvOption{
		cel.CustomTypeProvider(s.provider),
		cel.Variable("principal", cel.ObjectType(principalType)),
		cel.Variable("context", cel.ObjectType(contextType)),
		cel.Variable("credential", cel.ObjectType(credentialType)),
		IPFunction(),
	}
	if r != nil {
		opts = append(opts, cel.Variable("resource", cel.ObjectType(resourceTypeName(r))))
	}
	if sc != nil {
		opts = append(opts, cel.Variable("scope", cel.ObjectType(scopeTypeName(sc))))
	}
	if filter {
		opts = append(opts, cel.Variable("filter", cel.StringType))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	s.envs[key] = env
	return env, nil
}

// checkExprs type-checks every expression of the spec in each environment it is
// evaluated in.
func (l *loader) checkExprs() {
	s := l.spec
	for _, sc := range s.Scopes {
		for _, r := range sc.Resources {
			l.check(sc.Match[r.Name], fmt.Sprintf("scope %q", sc.Name), []*Resource{r}, sc, false)
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, r := range f.Resources {
			l.check(f.Match[r.Name], fmt.Sprintf("filter %q", f.Name), []*Resource{r}, nil, true)
		}
	}
	for _, r := range s.Roles {
		l.check(r.When, fmt.Sprintf("role %q", r.Name), ResourcesOf(r.Permissions), nil, false)
	}
	for _, r := range s.Rules {
		l.check(r.When, fmt.Sprintf("rule %q", r.ID), ResourcesOf(r.Permissions), nil, false)
	}
}

// ResourcesOf returns the resource types that perms belong to, each once, in spec
// order.
func ResourcesOf(perms []*Permission) []*Resource {
	var out []*Resource
	seen := map[*Resource]bool{}
	for _, p := range perms {
		if !seen[p.Resource] {
			seen[p.Resource] = true
			out = append(out, p.Resource)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// check type-checks e once per resource type in rs (once without a resource when rs is
// empty) and stores the checked ASTs. A problem found for only some of several types
// says which.
func (l *loader) check(e *Expr, what string, rs []*Resource, sc *Scope, filter bool) {
	if e == nil {
		return
	}
	if e.Checked == nil {
		e.Checked = map[string]*cel.Ast{}
	}
	targets := rs
	if len(targets) == 0 {
		targets = []*Resource{nil}
	}
	type found struct {
		err   *Error
		types []string
	}
	var order []string
	byKey := map[string]*found{}
	for _, r := range targets {
		env, err := l.spec.Env(r, sc, filter)
		if err != nil {
			l.errorAt(e.Pos, "%s: %v", what, err)
			return
		}
		name := ""
		if r != nil {
			name = r.Name
		}
		errs := l.checkOne(e, env, what, r)
		if len(errs) == 0 {
			continue
		}
		for _, er := range errs {
			k := er.Error()
			if byKey[k] == nil {
				byKey[k] = &found{err: er}
				order = append(order, k)
			}
			byKey[k].types = append(byKey[k].types, name)
		}
	}
	for _, k := range order {
		f := byKey[k]
		if len(targets) > 1 && len(f.types) < len(targets) {
			f.err.Msg += fmt.Sprintf(" (with resource type %s)", quoteAll(f.types))
		}
		l.errs = append(l.errs, f.err)
	}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func (l *loader) checkOne(e *Expr, env *cel.Env, what string, r *Resource) []*Error {
	ast, iss := env.Compile(e.Source)
	var errs []*Error
	if iss != nil && iss.Err() != nil {
		for _, ce := range iss.Errors() {
			errs = append(errs, l.celError(e, ce, r))
		}
		return errs
	}
	errs = l.supported(e, ast)
	if len(errs) > 0 {
		return errs
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return []*Error{l.exprError(e, 0, "%s must be a bool expression, not %s", what, readableTypes(ast.OutputType().String()))}
	}
	key := ""
	if r != nil {
		key = r.Name
	}
	e.Checked[key] = ast
	return nil
}

func (l *loader) exprError(e *Expr, runeOffset int, format string, args ...any) *Error {
	p := e.PosAt(byteOffset(e.Source, runeOffset))
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...), Source: l.lineText(p.Line)}
}

// byteOffset converts CEL's code point offset into a byte offset in src.
func byteOffset(src string, runes int) int {
	off := 0
	for i := 0; i < runes && off < len(src); i++ {
		_, size := utf8.DecodeRuneInString(src[off:])
		off += size
	}
	return off
}

var (
	undefinedFieldRE = regexp.MustCompile(`undefined field '([^']+)'`)
	undeclaredRefRE  = regexp.MustCompile(`undeclared reference to '([^']+)'`)
)

// celError turns one of CEL's errors into a positioned error, adding a suggestion for
// a misspelt attribute or variable.
func (l *loader) celError(e *Expr, ce *common.Error, r *Resource) *Error {
	loc := ce.Location
	offset := 0
	if loc != nil && loc.Line() > 0 {
		lines := strings.SplitAfter(e.Source, "\n")
		for i := 0; i < loc.Line()-1 && i < len(lines); i++ {
			offset += utf8.RuneCountInString(lines[i])
		}
		offset += loc.Column()
	}
	msg := ce.Message
	boff := byteOffset(e.Source, offset)
	if m := noOverloadRE.FindStringSubmatch(msg); m != nil {
		args := readableTypes(m[2])
		if op, ok := operatorText[m[1]]; ok {
			msg = fmt.Sprintf("operator %s cannot be applied to (%s)", op, args)
		} else {
			msg = fmt.Sprintf("%s cannot be applied to (%s)", m[1], args)
			offset = callStart(e.Source, offset)
		}
	} else if m := undefinedFieldRE.FindStringSubmatch(msg); m != nil {
		obj := identBefore(e.Source, boff)
		msg = fmt.Sprintf("undefined attribute %q", m[1])
		if obj != "" {
			msg = fmt.Sprintf("%s has no attribute %q", obj, m[1])
			if obj == "resource" && r != nil {
				msg = fmt.Sprintf("resource type %q has no attribute %q", r.Name, m[1])
			}
		}
		msg += didYouMean(m[1], l.attributeNames(obj, r))
		if boff < len(e.Source) && e.Source[boff] == '.' {
			offset++
		}
	} else if m := undeclaredRefRE.FindStringSubmatch(msg); m != nil {
		if end := boff + len(m[1]); end < len(e.Source) && e.Source[end] == '(' || boff < len(e.Source) && e.Source[boff] == '(' {
			msg = fmt.Sprintf("unknown function %q", m[1]) + didYouMean(m[1], SupportedFunctions())
			if boff < len(e.Source) && e.Source[boff] == '(' {
				offset -= utf8.RuneCountInString(m[1])
			}
		} else {
			vars := []string{"principal", "context", "credential", "resource", "scope", "filter"}
			msg = fmt.Sprintf("undeclared name %q", m[1]) + didYouMean(m[1], vars)
			switch m[1] {
			case "resource":
				msg += ": this expression is not tied to a resource type (name permissions of one type, or list the scope's resources)"
			case "scope":
				msg += ": scope is defined only in a scope's match"
			case "filter":
				msg += ": filter is defined only in a credential filter's match"
			}
		}
	}
	return l.exprError(e, offset, "%s", msg)
}

// identBefore returns the identifier that ends just before the '.' at offset, or "".
func identBefore(src string, offset int) string {
	end := offset
	if end > len(src) {
		end = len(src)
	}
	start := end
	for start > 0 {
		c := src[start-1]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			start--
			continue
		}
		break
	}
	if start > 0 && src[start-1] == '.' {
		return "" // a nested selection: no single object to name
	}
	return src[start:end]
}

// attributeNames lists the attribute names an object of an expression has, for
// suggestions; with an unknown object, every name the expression could mean.
func (l *loader) attributeNames(obj string, r *Resource) []string {
	var names []string
	add := func(attrs []*Attribute) {
		for _, a := range attrs {
			names = append(names, a.Name)
		}
	}
	switch obj {
	case "principal":
		names = append(names, "id")
		add(l.spec.Principal)
	case "context":
		add(l.spec.Context)
	case "credential":
		add(l.spec.Credentials.Attributes)
	case "resource":
		names = append(names, "id")
		if r != nil {
			add(r.Attributes)
		}
	case "scope":
		for _, sc := range l.spec.Scopes {
			add(sc.Params)
		}
	default:
		names = append(names, "id")
		add(l.spec.Principal)
		add(l.spec.Context)
		add(l.spec.Credentials.Attributes)
		if r != nil {
			add(r.Attributes)
		}
	}
	return names
}

// callStart moves an offset that CEL puts at a call's '(' back to the start of the
// function's name, where a reader looks for it.
func callStart(src string, runeOffset int) int {
	runes := []rune(src)
	if runeOffset <= 0 || runeOffset >= len(runes) || runes[runeOffset] != '(' {
		return runeOffset
	}
	i := runeOffset
	for i > 0 && (runes[i-1] == '_' || runes[i-1] >= 'a' && runes[i-1] <= 'z' || runes[i-1] >= 'A' && runes[i-1] <= 'Z' || runes[i-1] >= '0' && runes[i-1] <= '9') {
		i--
	}
	return i
}

var (
	noOverloadRE = regexp.MustCompile(`found no matching overload for '([^']+)' applied to '\((.*)\)'`)
	operatorText = map[string]string{
		operators.Equals: "==", operators.NotEquals: "!=", operators.Less: "<", operators.LessEquals: "<=",
		operators.Greater: ">", operators.GreaterEquals: ">=", operators.Add: "+", operators.Subtract: "-",
		operators.Multiply: "*", operators.Divide: "/", operators.Modulo: "%", operators.Negate: "-",
		operators.LogicalNot: "!", operators.LogicalAnd: "&&", operators.LogicalOr: "||", operators.In: "in",
		operators.Index: "[]",
	}
)

// readableTypes rewrites permc's internal CEL type names into the spec's words.
func readableTypes(s string) string {
	s = strings.ReplaceAll(s, "permc.resource.", "resource ")
	s = strings.ReplaceAll(s, "permc.scope.", "scope ")
	return strings.ReplaceAll(s, "permc.", "")
}

// supportedFunctions are the CEL functions and operators permc compiles to Go.
var supportedFunctions = map[string]bool{
	operators.LogicalAnd: true, operators.LogicalOr: true, operators.LogicalNot: true,
	operators.Conditional: true, operators.Equals: true, operators.NotEquals: true,
	operators.Less: true, operators.LessEquals: true, operators.Greater: true, operators.GreaterEquals: true,
	operators.Add: true, operators.Subtract: true, operators.Multiply: true, operators.Divide: true,
	operators.Modulo: true, operators.Negate: true, operators.Index: true, operators.In: true,
	operators.NotStrictlyFalse: true,
	"size":                     true, "startsWith": true, "endsWith": true, "contains": true, "matches": true,
	"timestamp": true, "duration": true, "inIPAddrRange": true,
}

// SupportedFunctions lists the CEL functions permc compiles, for documentation and
// error messages.
func SupportedFunctions() []string {
	var out []string
	for f := range supportedFunctions {
		if !strings.HasPrefix(f, "_") && !strings.HasPrefix(f, "@") && !strings.HasSuffix(f, "_") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// supported reports every use of CEL outside the subset permc compiles.
func (l *loader) supported(e *Expr, ast *cel.Ast) []*Error {
	native := ast.NativeRep()
	info := native.SourceInfo()
	var errs []*Error
	at := func(id int64, format string, args ...any) {
		off := 0
		if r, ok := info.GetOffsetRange(id); ok {
			off = int(r.Start)
		}
		errs = append(errs, l.exprError(e, callStart(e.Source, off), format, args...))
	}
	// Every value must have a type that every backend represents the same way: the
	// generated Go code gives each value one static Go type.
	typeMap := native.TypeMap()
	selected := map[int64]bool{} // operands of a field selection
	celast.PreOrderVisit(native.Expr(), celast.NewExprVisitor(func(x celast.Expr) {
		if x.Kind() == celast.SelectKind {
			selected[x.AsSelect().Operand().ID()] = true
		}
	}))
	// Macro calls are recorded in the source info; has() shows up as a test-only select.
	celast.PreOrderVisit(native.Expr(), celast.NewExprVisitor(func(x celast.Expr) {
		if msg := unsupportedType(x, typeMap[x.ID()], selected[x.ID()]); msg != "" {
			at(x.ID(), "%s", msg)
			return
		}
		switch x.Kind() {
		case celast.SelectKind:
			if x.AsSelect().IsTestOnly() {
				at(x.ID(), "has() is not supported: every declared attribute is always present (omitted attributes are zero values)")
			}
		case celast.CallKind:
			call := x.AsCall()
			fn := call.FunctionName()
			if !supportedFunctions[fn] {
				at(x.ID(), "function %s is not supported in permc expressions (supported: operators, in, exists, all, exists_one, map, filter, %s)", fn, strings.Join(SupportedFunctions(), ", "))
				return
			}
			switch fn {
			case "matches":
				pat := call.Args()[len(call.Args())-1]
				if pat.Kind() != celast.LiteralKind {
					at(pat.ID(), "matches needs a constant pattern, so that it is compiled once")
					return
				}
				if _, err := regexp.Compile(string(pat.AsLiteral().(types.String))); err != nil {
					at(pat.ID(), "invalid regular expression: %v", err)
				}
			case "timestamp", "duration":
				args := call.Args()
				if call.IsMemberFunction() || len(args) != 1 || args[0].Kind() != celast.LiteralKind || args[0].AsLiteral().Type() != types.StringType {
					at(x.ID(), "%s() takes one constant string, such as %s", fn, map[string]string{"timestamp": `timestamp("2030-01-01T00:00:00Z")`, "duration": `duration("1h30m")`}[fn])
					return
				}
				s := string(args[0].AsLiteral().(types.String))
				// Read the constant as cel-go will when evaluating it: its RFC 3339 is
				// stricter than time.Parse's (no single-digit hour, for one).
				target := types.TimestampType
				if fn == "duration" {
					target = types.DurationType
				}
				var err error
				if v := types.String(s).ConvertToType(target); types.IsError(v) {
					err = fmt.Errorf("%v", v)
				}
				if err != nil {
					at(args[0].ID(), "invalid %s %q (want %s)", fn, s, map[string]string{"timestamp": `RFC 3339, such as "2030-01-01T00:00:00Z"`, "duration": `a duration such as "90s" or "1h30m"`}[fn])
				}
			}
		}
	}))
	return errs
}

// unsupportedType explains why the value of x, of type t, is outside what permc
// compiles, or returns "". Values of unknown type (dyn), null, type values and whole
// objects (rather than their attributes) have no single representation in generated
// code; map keys are limited to the types CEL defines map keys for.
func unsupportedType(x celast.Expr, t *types.Type, selected bool) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case types.DynKind:
		return "the type of this expression is not known when the spec is compiled (a list or map literal mixing types?): permc needs every value to have one type"
	case types.NullTypeKind:
		return "null is not supported: attributes are never null (omitted attributes are zero values)"
	case types.TypeKind:
		return "type values are not supported in permc expressions"
	case types.StructKind:
		if !selected {
			return fmt.Sprintf("%s can only be used to read its attributes, as in principal.id", readableTypes(t.String()))
		}
	}
	empty := true
	switch x.Kind() {
	case celast.ListKind:
		empty = len(x.AsList().Elements()) == 0
	case celast.MapKind:
		empty = x.AsMap().Size() == 0
		if t.Kind() == types.MapKind {
			switch k := t.Parameters()[0]; k.Kind() {
			case types.BoolKind, types.IntKind, types.UintKind, types.StringKind, types.DynKind:
			default:
				return fmt.Sprintf("map keys must be bool, int, uint or string, not %s", readableTypes(k.String()))
			}
		}
	default:
		return ""
	}
	if !empty && containsDyn(t) {
		return "the elements of a list or map literal must all have the same type"
	}
	return ""
}

func containsDyn(t *types.Type) bool {
	if t.Kind() == types.DynKind {
		return true
	}
	for _, p := range t.Parameters() {
		if containsDyn(p) {
			return true
		}
	}
	return false
}
