// Package gen generates a Go package from a checked spec: typed structs for the
// principal, the context, the credential and each resource type; permission, role and
// scope constants; an Authorizer with a Check function per resource type; a JSON entry
// point that answers exactly as the reference evaluator does; the spec's CEL
// expressions compiled to plain Go; and a query plan per resource type (PlanFile).
//
// The generated package imports only the standard library and
// github.com/permc/permc/runtime with its subpackages. Its typed check path does not
// allocate.
package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"path/filepath"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/internal/version"
	"github.com/permc/permc/spec"
)

// rt is the import path of the runtime package generated code uses.
const rt = "github.com/permc/permc/runtime"

// PlanFile is the generated file of the query plans (Authorizer.Plan<Resource>,
// PlanJSON): nothing else in the package uses it, so a program that does not plan,
// such as a Wasm module, may leave it out.
const PlanFile = "authz_plan.go"

// Options adjust what Generate produces.
type Options struct {
	// Package is the generated package's name; the spec's `package` when empty.
	Package string
	// Source names the spec in the generated header; the base name of the spec's file
	// when empty.
	Source string
}

// Generate compiles s into a Go package and returns its files, by file name, each
// gofmt'ed.
//
// # Errors
//
// Generate fails on a package name that is not a Go identifier, and on an expression
// the spec loader accepted but the compiler cannot translate, which is a bug in permc;
// the error names its position.
func Generate(s *spec.Spec, opts Options) (map[string][]byte, error) {
	if opts.Package != "" && (!token.IsIdentifier(opts.Package) || token.IsKeyword(opts.Package)) {
		return nil, fmt.Errorf("gen: %q is not a valid Go package name", opts.Package)
	}
	g := newGenerator(s, opts)
	g.plan()
	files := map[string]*jen.File{
		"authz.go":       g.apiFile(),
		"authz_check.go": g.checkFile(),
		"authz_json.go":  g.jsonFile(),
		"authz_expr.go":  g.exprFile(),
		PlanFile:         g.planFile(),
	}
	if len(g.errs) > 0 {
		return nil, g.errs[0]
	}
	out := map[string][]byte{}
	for name, f := range files {
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return nil, fmt.Errorf("gen: rendering %s: %v", name, err)
		}
		src, err := format.Source(groupImports(buf.Bytes()))
		if err != nil {
			return nil, fmt.Errorf("gen: formatting %s: %v", name, err)
		}
		out[name] = src
	}
	return out, nil
}

type generator struct {
	s      *spec.Spec
	pkg    string
	source string
	errs   []error

	ns *namespace // package-level identifiers

	resStruct map[*spec.Resource]string
	resCheck  map[*spec.Resource]string
	resPerms  map[*spec.Resource]string
	resDecide map[*spec.Resource]string
	resDecode map[*spec.Resource]string
	resCred   map[*spec.Resource]string
	resNames  map[*spec.Resource]string // var holding its permission names
	// The type of a resource type's permissions, of a set of them, and the lookup of
	// one by name.
	resPermType, resPermSet, resPermByName map[*spec.Resource]string
	// The query plans of a resource type: the method, its result type, the decision
	// order, the credential's part, and the conversions of a resource to and from the
	// attribute map conditions are evaluated on (needFromAttrs: some plan has a residual).
	resPlan, resPlanType, resPlanDecide, resPlanCred map[*spec.Resource]string
	resAttrs, resFromAttrs                           map[*spec.Resource]string
	needFromAttrs                                    map[*spec.Resource]bool
	permConst                                        map[*spec.Permission]string
	roleConst                                        map[*spec.Role]string
	scopeConst                                       map[*spec.Scope]string
	scopeType                                        map[*spec.Scope]string // params struct, "" when the scope has none
	scopeField                                       map[*spec.Scope]string // field of Scope holding the params
	scopeCtor                                        map[*spec.Scope]string
	scopeDec                                         map[*spec.Scope]string

	// fields maps an object (principal, context, credential, a resource type, a
	// scope's params) to its attributes' Go field names.
	fields map[any]map[string]string

	// exprFuncs names the function compiled for an expression and resource type.
	exprFuncs map[exprKey]*exprFunc
	exprCode  []jen.Code // functions of authz_expr.go, in order
	planCode  []jen.Code // plan functions of the expressions, for authz_plan.go
	litCode   []jen.Code // package-level literals
	lits      map[string]string

	// hasMissingRequest is set when missingRequest exists: the spec has required
	// attributes of the principal, context or credential that a typed check can tell
	// missing.
	hasMissingRequest bool
}

type exprKey struct {
	x   *spec.Expr
	res string
}

// exprFunc is a compiled expression: the Go function to call, or a constant.
type exprFunc struct {
	name     string
	plan     string // its plan function, when it has a function
	constant *bool  // the expression is this constant; no function
	scope    *spec.Scope
	filter   bool
	res      *spec.Resource
}

func newGenerator(s *spec.Spec, opts Options) *generator {
	g := &generator{
		s: s, pkg: opts.Package, source: opts.Source,
		resStruct: map[*spec.Resource]string{}, resCheck: map[*spec.Resource]string{},
		resPerms: map[*spec.Resource]string{}, resDecide: map[*spec.Resource]string{},
		resDecode: map[*spec.Resource]string{}, resCred: map[*spec.Resource]string{},
		resNames:    map[*spec.Resource]string{},
		resPermType: map[*spec.Resource]string{}, resPermSet: map[*spec.Resource]string{},
		resPermByName: map[*spec.Resource]string{},
		resPlan:       map[*spec.Resource]string{}, resPlanType: map[*spec.Resource]string{},
		resPlanDecide: map[*spec.Resource]string{}, resPlanCred: map[*spec.Resource]string{},
		resAttrs: map[*spec.Resource]string{}, resFromAttrs: map[*spec.Resource]string{},
		needFromAttrs: map[*spec.Resource]bool{},
		permConst:     map[*spec.Permission]string{}, roleConst: map[*spec.Role]string{},
		scopeConst: map[*spec.Scope]string{}, scopeType: map[*spec.Scope]string{},
		scopeField: map[*spec.Scope]string{}, scopeCtor: map[*spec.Scope]string{},
		scopeDec: map[*spec.Scope]string{},
		fields:   map[any]map[string]string{}, exprFuncs: map[exprKey]*exprFunc{},
		lits: map[string]string{},
	}
	if g.pkg == "" {
		g.pkg = s.Package
	}
	if g.source == "" {
		g.source = filepath.Base(s.File)
	}
	return g
}

func (g *generator) errorf(pos spec.Pos, format string, args ...any) {
	g.errs = append(g.errs, fmt.Errorf("%s: gen: %s", pos, fmt.Sprintf(format, args...)))
}

// Objects whose attributes become struct fields; resource types and scopes are keyed
// by their *spec.Resource and *spec.Scope.
type object string

const (
	principalObj  object = "principal"
	contextObj    object = "context"
	credentialObj object = "credential"
)

// fixedNames are the package-level names every generated package defines, taken
// before any name derived from the spec so that a spec cannot displace them.
var fixedNames = []string{
	"Permission", "PermissionSet", "Role", "ScopeType", "Scope", "Assignment", "Principal",
	"Context", "Credential", "Authorizer", "NewAuthorizer", "Options", "MetadataJSON", "PermissionByName",
	// unexported helpers
	"permissionNames", "permissionResource", "permissionByName", "resourceNames", "sortedResourceNames",
	"scopeNames", "scopeSet", "roleInfo", "roleTable", "builtinRoles", "builtinRole", "catalog",
	"zeroPrincipal", "zeroContext", "zeroCredential", "metadata", "oauthScope", "permissionPattern",
	"warnTyped", "decodeRequest", "request", "decodePrincipal", "decodeAssignment", "decodeCredential",
	"decodeContext", "decodeCredentialAttributes", "decodePrincipalAttributes", "principalAttributeNames",
	"contextAttributeNames", "credentialAttributeNames", "evalError", "validAssignment", "valid", "warnAssignment", "customRole", "filterSeen",
	"numScopes", "permissionWords", "rt", "decodePermission", "noParams", "checkJSON",
	"jsonState", "jsonStates", "getJSONState", "putJSONState", "checkJSONWith", "cond", "pgsql", "credentialUnlocks",
	"SetBudget", "newBudget", "missingRequest",
}

// plan chooses every name, in spec order, so that collisions resolve the same way
// every time.
func (g *generator) plan() {
	g.ns = newNamespace(nil, fixedNames...)
	take := func(want, fallback string) string {
		if !g.ns.isTaken(want) {
			return g.ns.name(want)
		}
		return g.ns.name(fallback)
	}
	for _, r := range g.s.Resources {
		base := camel(r.Name)
		g.resStruct[r] = take(base, base+"Resource")
	}
	for _, p := range g.s.Permissions {
		base := g.resStruct[p.Resource] + camel(p.Action)
		g.permConst[p] = take(base, base+"Permission")
	}
	for _, r := range g.s.Resources {
		g.resPermType[r] = g.ns.name(g.resStruct[r] + "Permission")
		g.resPermSet[r] = g.ns.name(g.resStruct[r] + "PermissionSet")
		g.resPermByName[r] = g.ns.name(g.resStruct[r] + "PermissionByName")
	}
	for _, r := range g.s.Roles {
		g.roleConst[r] = g.ns.name("Role" + camel(r.Name))
	}
	for _, sc := range g.s.Scopes {
		g.scopeConst[sc] = g.ns.name("Scope" + camel(sc.Name))
	}
	for _, sc := range g.s.Scopes {
		if len(sc.Params) > 0 {
			base := camel(sc.Name) + "Scope"
			g.scopeType[sc] = take(base, base+"Params")
		}
		g.scopeCtor[sc] = g.ns.name("At" + camel(sc.Name))
	}
	for _, r := range g.s.Resources {
		g.resCheck[r] = g.ns.name("Check" + g.resStruct[r])
	}
	for _, r := range g.s.Resources {
		g.resPerms[r] = g.ns.name(g.resStruct[r] + "Permissions")
	}
	for _, r := range g.s.Resources {
		st := g.resStruct[r]
		low := unexport(st)
		g.resDecide[r] = g.ns.name("decide" + st)
		g.resDecode[r] = g.ns.name("decode" + st)
		g.resCred[r] = g.ns.name("credentialAllows" + st)
		g.resNames[r] = g.ns.name(low + "PermissionNames")
		g.fields[r] = g.fieldNames(r.Attributes, "ID")
	}
	for _, sc := range g.s.Scopes {
		if g.scopeType[sc] != "" {
			g.scopeDec[sc] = g.ns.name("decode" + g.scopeType[sc])
			g.fields[sc] = g.fieldNames(sc.Params)
		}
	}
	// Fields of Scope: Type, then one per scope with params.
	sf := newNamespace(nil, "Type")
	for _, sc := range g.s.Scopes {
		if g.scopeType[sc] != "" {
			g.scopeField[sc] = sf.name(camel(sc.Name))
		}
	}
	g.fields[principalObj] = g.fieldNames(g.s.Principal, "ID", "Roles")
	g.fields[contextObj] = g.fieldNames(g.s.Context)
	g.fields[credentialObj] = g.fieldNames(g.s.Credentials.Attributes, "Scopes", "Permissions", "Roles", "Filters")
	for _, r := range g.s.Resources {
		st := g.resStruct[r]
		low := unexport(st)
		g.resPlan[r] = g.ns.name("Plan" + st)
		g.resPlanType[r] = take(st+"Plan", st+"QueryPlan")
		g.resPlanDecide[r] = g.ns.name("plan" + st)
		g.resPlanCred[r] = g.ns.name("planCredential" + st)
		g.resAttrs[r] = g.ns.name(low + "Attributes")
		g.resFromAttrs[r] = g.ns.name(low + "FromAttributes")
	}
	g.planExprs()
	g.hasMissingRequest = len(g.requiredChecks(principalObj, g.s.Principal, jen.Id("p"), "")) > 0 ||
		len(g.requiredChecks(contextObj, g.s.Context, jen.Id("ctx"), "")) > 0 ||
		len(g.requiredChecks(credentialObj, g.s.Credentials.Attributes, jen.Id("cred"), "")) > 0
}

// fieldNames names the fields of a struct holding attrs, after the reserved fields.
func (g *generator) fieldNames(attrs []*spec.Attribute, reserved ...string) map[string]string {
	ns := newNamespace(nil, reserved...)
	m := map[string]string{"id": "ID"}
	for _, a := range attrs {
		m[a.Name] = ns.name(camel(a.Name))
	}
	return m
}

// planExprs names the function of every expression, per resource type it is
// evaluated for.
func (g *generator) planExprs() {
	s := g.s
	for _, sc := range s.Scopes {
		for _, r := range sc.Resources {
			g.planExpr(sc.Match[r.Name], r, "match"+camel(sc.Name), fmt.Sprintf("scope %q", sc.Name), sc, false)
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, r := range f.Resources {
			g.planExpr(f.Match[r.Name], r, "filter"+camel(f.Name), fmt.Sprintf("filter %q", f.Name), nil, true)
		}
	}
	for _, role := range s.Roles {
		if role.When == nil {
			continue
		}
		for _, r := range spec.ResourcesOf(role.Permissions) {
			g.planExpr(role.When, r, "when"+camel(role.Name), fmt.Sprintf("role %q", role.Name), nil, false)
		}
	}
	for _, rule := range s.Rules {
		if rule.When == nil {
			continue
		}
		for _, r := range spec.ResourcesOf(rule.Permissions) {
			g.planExpr(rule.When, r, "rule"+camel(rule.ID), fmt.Sprintf("rule %q", rule.ID), nil, false)
		}
	}
}

func (g *generator) planExpr(x *spec.Expr, r *spec.Resource, base, what string, sc *spec.Scope, filter bool) {
	if x == nil {
		return
	}
	key := exprKey{x, r.Name}
	if g.exprFuncs[key] != nil {
		return
	}
	ast := x.Checked[r.Name]
	if ast == nil {
		ast = x.Checked[""]
	}
	f := &exprFunc{scope: sc, filter: filter, res: r}
	g.exprFuncs[key] = f
	if ast == nil {
		g.errorf(x.Pos, "expression was not checked for resource type %q", r.Name)
		return
	}
	if b, ok := constantBool(ast); ok {
		f.constant = &b
		return
	}
	f.name = g.ns.name(base + g.resStruct[r])
	g.exprCode = append(g.exprCode, g.compileExpr(x, ast, f)...)
	f.plan = g.ns.name("plan" + camel(f.name))
	g.planCode = append(g.planCode, g.compilePlan(x, ast, f, what)...)
}

func (g *generator) header(f *jen.File) {
	f.HeaderComment(fmt.Sprintf("Code generated by permc %s. DO NOT EDIT.", version.Version))
	f.HeaderComment("source: " + g.source)
	f.ImportName(rt, "runtime")
}

// groupImports puts the standard library's imports first and the others after a blank
// line, as goimports does (jennifer sorts them as one group).
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	start += len("\nimport (\n")
	end := bytes.Index(src[start:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	end += start
	var std, other []string
	for _, line := range strings.Split(string(src[start:end]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		path := line[strings.Index(line, `"`)+1:]
		if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
			other = append(other, "\t"+line)
		} else {
			std = append(std, "\t"+line)
		}
	}
	block := strings.Join(std, "\n")
	if len(std) > 0 && len(other) > 0 {
		block += "\n\n"
	}
	block += strings.Join(other, "\n")
	return append(append(append([]byte{}, src[:start]...), block...), src[end:]...)
}
