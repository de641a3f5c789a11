package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/spec"
)

// Short hands for the code the check functions are made of.
var (
	okErr   = jen.Qual(rt, "OK")
	idD     = jen.Id("d")
	notOK   = func(e string) *jen.Statement { return jen.Id(e).Op("!=").Qual(rt, "OK") }
	reasonT = func(kind string, fields ...jen.Code) jen.Code {
		d := jen.Dict{jen.Id("Kind"): jen.Qual(rt, kind)}
		for i := 0; i+1 < len(fields); i += 2 {
			d[fields[i]] = fields[i+1]
		}
		return jen.Id("d").Dot("Reason").Op("=").Qual(rt, "Reason").Values(d)
	}
)

// callExpr returns the statement computing (ok, e) for expression x on resource r,
// charging budget (a *runtime.Budget), with the scope's params at sp (for a scope
// match) or the filter value (for a filter).
func (g *generator) callExpr(x *spec.Expr, r *spec.Resource, budget, extra jen.Code, define bool) jen.Code {
	f := g.exprFuncs[exprKey{x, r.Name}]
	op := "="
	if define {
		op = ":="
	}
	if f == nil || f.name == "" {
		b := f != nil && f.constant != nil && *f.constant
		if define {
			return jen.List(jen.Id("ok"), jen.Id("e")).Op(":=").List(jen.Lit(b), okErr)
		}
		return jen.Id("ok").Op("=").Lit(b)
	}
	args := []jen.Code{budget, jen.Id("p")}
	if x.Checked[r.Name] != nil {
		args = append(args, jen.Id("r"))
	}
	args = append(args, jen.Id("ctx"), jen.Id("c"))
	if extra != nil {
		args = append(args, extra)
	}
	return jen.List(jen.Id("ok"), jen.Id("e")).Op(op).Id(f.name).Call(args...)
}

func (g *generator) checkFile() *jen.File {
	s := g.s
	f := jen.NewFile(g.pkg)
	g.header(f)

	comment(f, "evalError records an expression that failed to evaluate, with the check's budget.")
	f.Func().Id("evalError").Params(jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("budget").Op("*").Qual(rt, "Budget"), jen.List(jen.Id("kind"), jen.Id("name")).String(), jen.Id("assignment").Int(), jen.Id("e").Qual(rt, "Err")).Block(
		jen.Id("d").Dot("Errors").Op("=").Append(jen.Id("d").Dot("Errors"), jen.Qual(rt, "EvalError").Values(jen.Dict{
			jen.Id("Kind"): jen.Id("kind"), jen.Id("Name"): jen.Id("name"), jen.Id("Assignment"): jen.Id("assignment"), jen.Id("Message"): jen.Id("budget").Dot("ErrMessage").Call(jen.Id("e")),
		})))

	comment(f, "valid reports whether an assignment of the role info (nil when unknown) can grant\nanything: its role and scope type are known, the role may be assigned at that scope\nand no scope parameter is missing.")
	f.Func().Id("valid").Params(jen.Id("info").Op("*").Id("roleInfo"), jen.Id("as").Op("*").Id("Assignment")).Bool().Block(
		jen.Return(jen.Id("info").Op("!=").Nil().Op("&&").Op("!").Id("as").Dot("incomplete").Op("&&").Int().Parens(jen.Id("as").Dot("Scope").Dot("Type").Op("-").Lit(1)).Op("<").Len(jen.Id("scopeNames")).Op("-").Lit(1).Op("&&").
			Parens(jen.Id("info").Dot("anyScope").Op("||").Id("info").Dot("scopes").Dot("has").Call(jen.Id("as").Dot("Scope").Dot("Type")))),
	)

	comment(f, "warnAssignment gives the invalid assignment i its warnings, as a request in JSON\ngets them.")
	f.Func().Id("warnAssignment").Params(jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("i").Int(), jen.Id("as").Op("*").Id("Assignment")).Block(
		jen.Id("info").Op(":=").Id("t").Dot("role").Call(jen.Id("as").Dot("Role")),
		jen.Id("known").Op(":=").Id("as").Dot("Scope").Dot("Type").Op(">").Lit(0).Op("&&").Int().Parens(jen.Id("as").Dot("Scope").Dot("Type")).Op("<").Len(jen.Id("scopeNames")),
		jen.If(jen.Id("info").Op("==").Nil()).Block(warn(jen.Lit("unknown role ").Op("+").Qual(rt, "Quote").Call(jen.Lit("Role(").Op("+").Qual("strconv", "Itoa").Call(jen.Int().Parens(jen.Id("as").Dot("Role"))).Op("+").Lit(")")))),
		jen.If(jen.Op("!").Id("known")).Block(warn(jen.Lit("unknown scope type ").Op("+").Qual(rt, "Quote").Call(jen.Id("as").Dot("Scope").Dot("Type").Dot("String").Call()))),
		jen.If(jen.Id("info").Op("!=").Nil().Op("&&").Id("known").Op("&&").Op("!").Id("info").Dot("anyScope").Op("&&").Op("!").Id("info").Dot("scopes").Dot("has").Call(jen.Id("as").Dot("Scope").Dot("Type"))).Block(
			warn(jen.Lit("role ").Op("+").Qual(rt, "Quote").Call(jen.Id("info").Dot("name")).Op("+").Lit(" cannot be assigned at scope ").Op("+").Qual(rt, "Quote").Call(jen.Id("scopeNames").Index(jen.Id("as").Dot("Scope").Dot("Type"))).Op("+").Lit(" (only at ").Op("+").Id("info").Dot("onlyAt").Op("+").Lit(")"))),
	)
	comment(f, "warnTyped gives the invalid assignments of p from the one at from on their warnings.")
	f.Func().Id("warnTyped").Params(jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("p").Op("*").Id("Principal"), jen.Id("from").Int()).Block(
		jen.For(jen.Id("i").Op(":=").Id("from"), jen.Id("i").Op("<").Len(jen.Id("p").Dot("Roles")), jen.Id("i").Op("++")).Block(
			jen.If(jen.Id("as").Op(":=").Op("&").Id("p").Dot("Roles").Index(jen.Id("i")), jen.Op("!").Id("valid").Call(jen.Id("t").Dot("role").Call(jen.Id("as").Dot("Role")), jen.Id("as"))).Block(
				jen.Id("warnAssignment").Call(jen.Id("d"), jen.Id("t"), jen.Id("i"), jen.Id("as")))))

	comment(f, "oauthScope returns the permissions a credential's OAuth scope unlocks.")
	f.Func().Id("oauthScope").Params(jen.Id("name").String()).Params(jen.Id("PermissionSet"), jen.Bool()).Block(
		jen.Switch(jen.Id("name")).BlockFunc(func(grp *jen.Group) {
			for _, o := range s.Credentials.Scopes {
				grp.Case(jen.Lit(o.Name)).Return(g.permSet(o.Permissions), jen.True())
			}
		}),
		jen.Return(jen.Id("PermissionSet").Values(), jen.False()),
	)

	comment(f, "permissionPattern reports whether the pattern (library.view, library.*, *) names perm,\nand whether it is a valid pattern at all.")
	f.Func().Id("permissionPattern").Params(jen.Id("pat").String(), jen.Id("perm").Id("Permission")).Params(jen.Id("match"), jen.Id("valid").Bool()).Block(
		jen.If(jen.Id("pat").Op("==").Lit("*")).Block(jen.Return(jen.True(), jen.True())),
		jen.List(jen.Id("res"), jen.Id("action"), jen.Id("ok")).Op(":=").Qual("strings", "Cut").Call(jen.Id("pat"), jen.Lit(".")),
		jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.False(), jen.False())),
		jen.Id("ri").Op(":=").Lit(-1),
		jen.Switch(jen.Id("res")).BlockFunc(func(grp *jen.Group) {
			for _, r := range s.Resources {
				grp.Case(jen.Lit(r.Name)).Id("ri").Op("=").Lit(r.Index)
			}
			grp.Default().Return(jen.False(), jen.False())
		}),
		jen.If(jen.Id("action").Op("==").Lit("*")).Block(jen.Return(jen.Int().Parens(jen.Id("permissionResource").Index(jen.Id("perm"))).Op("==").Id("ri"), jen.True())),
		jen.List(jen.Id("q"), jen.Id("ok")).Op(":=").Id("permissionByName").Call(jen.Id("pat")),
		jen.Return(jen.Id("q").Op("==").Id("perm").Op("&&").Id("ok"), jen.Id("ok")),
	)

	comment(f, "filterSeen reports whether a filter called name is among filters.")
	f.Func().Id("filterSeen").Params(jen.Id("filters").Index().String(), jen.Id("name").String()).Bool().Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("f")).Op(":=").Range().Id("filters")).Block(
			jen.If(jen.List(jen.Id("n"), jen.Id("_"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("f"), jen.Lit(":")), jen.Id("n").Op("==").Id("name")).Block(jen.Return(jen.True()))),
		jen.Return(jen.False()),
	)

	comment(f, "credentialUnlocks reports whether the credential c unlocks perm: it has AllPermissions\nand no scopes, permissions or roles, or one of them unlocks perm and none is unknown.")
	f.Func().Id("credentialUnlocks").Params(jen.Id("t").Op("*").Id("roleTable"), jen.Id("perm").Id("Permission"), jen.Id("c").Op("*").Id("Credential")).Bool().Block(jen.If(jen.Op("!").Id("c").Dot("AllPermissions").Op("||").Len(jen.Id("c").Dot("Scopes")).Op("+").Len(jen.Id("c").Dot("Permissions")).Op("+").Len(jen.Id("c").Dot("Roles")).Op(">").Lit(0)).Block(
		jen.Id("unlocked").Op(":=").False(),
		jen.For(jen.List(jen.Id("_"), jen.Id("name")).Op(":=").Range().Id("c").Dot("Scopes")).Block(
			jen.List(jen.Id("set"), jen.Id("ok")).Op(":=").Id("oauthScope").Call(jen.Id("name")),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.False())),
			jen.Id("unlocked").Op("=").Id("unlocked").Op("||").Id("set").Dot("Has").Call(jen.Id("perm")),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("pat")).Op(":=").Range().Id("c").Dot("Permissions")).Block(
			jen.List(jen.Id("match"), jen.Id("ok")).Op(":=").Id("permissionPattern").Call(jen.Id("pat"), jen.Id("perm")),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.False())),
			jen.Id("unlocked").Op("=").Id("unlocked").Op("||").Id("match"),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("name")).Op(":=").Range().Id("c").Dot("Roles")).Block(
			jen.Id("info").Op(":=").Id("t").Dot("role").Call(jen.Id("t").Dot("byName").Call(jen.Id("name"))),
			jen.If(jen.Id("info").Op("==").Nil()).Block(jen.Return(jen.False())),
			jen.Id("unlocked").Op("=").Id("unlocked").Op("||").Id("info").Dot("grants").Dot("Has").Call(jen.Id("perm")),
		),
		jen.If(jen.Op("!").Id("unlocked")).Block(jen.Return(jen.False())),
	), jen.Return(jen.True()))

	g.missingRequest(f)
	for _, r := range s.Resources {
		g.checkResource(f, r)
	}
	return f
}

// requiredChecks returns the cases of a switch that returns the path of the first
// required attribute of attrs (of the object held in v, a pointer) whose value in Go is
// its zero value, which is how a host omits it: the zero time, "", and nil bytes, lists
// and maps. An omitted bool, number or duration cannot be told from its zero value, and
// is not checked.
func (g *generator) requiredChecks(obj any, attrs []*spec.Attribute, v jen.Code, where string) []jen.Code {
	var cases []jen.Code
	for _, a := range attrs {
		if !a.Required {
			continue
		}
		field := jen.Add(v).Dot(g.fields[obj][a.Name])
		var zero jen.Code
		switch a.Type.Kind {
		case spec.Timestamp:
			zero = field.Dot("IsZero").Call()
		case spec.String:
			zero = field.Op("==").Lit("")
		case spec.Bytes, spec.List, spec.Map:
			zero = field.Op("==").Nil()
		default:
			continue
		}
		cases = append(cases, jen.Case(zero).Return(jen.Lit(where+"."+a.Name)))
	}
	return cases
}

// missingRequest emits missingRequest, which finds the required attributes a typed
// check's principal, context or credential lacks, when the spec has any it can tell.
func (g *generator) missingRequest(f *jen.File) {
	s := g.s
	cases := g.requiredChecks(principalObj, s.Principal, jen.Id("p"), "principal.attributes")
	cases = append(cases, g.requiredChecks(contextObj, s.Context, jen.Id("ctx"), "context")...)
	cred := g.requiredChecks(credentialObj, s.Credentials.Attributes, jen.Id("cred"), "credential.attributes")
	if !g.hasMissingRequest {
		return
	}
	body := []jen.Code{}
	if len(cases) > 0 {
		body = append(body, jen.Switch().Block(cases...))
	}
	if len(cred) > 0 {
		body = append(body, jen.If(jen.Id("cred").Op("!=").Nil()).Block(jen.Switch().Block(cred...)))
	}
	comment(f, `missingRequest returns the path of the first required attribute that p, ctx or cred
(when not nil) lacks, or "". In Go, a required timestamp, string, bytes, list or map
attribute lacks when it holds its zero value (the zero time, "", nil): that is how a
host leaves one out.`)
	f.Func().Id("missingRequest").Params(jen.Id("p").Op("*").Id("Principal"), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context")).String().Block(
		append(body, jen.Return(jen.Lit("")))...)
}

// missingResource emits, for a resource type with required attributes a typed check
// can tell missing, or when the spec has such attributes elsewhere, the function that
// finds the first one a check of r lacks, and returns its name ("" when there is
// nothing to check).
func (g *generator) missingResource(f *jen.File, r *spec.Resource) string {
	cases := g.requiredChecks(r, r.Attributes, jen.Id("r"), "resource.attributes")
	if len(cases) == 0 {
		if g.hasMissingRequest {
			return "missingRequest"
		}
		return ""
	}
	name := g.ns.name("missing" + g.resStruct[r])
	rest := jen.Return(jen.Lit(""))
	if g.hasMissingRequest {
		rest = jen.Return(jen.Id("missingRequest").Call(jen.Id("p"), jen.Id("cred"), jen.Id("ctx")))
	}
	comment(f, fmt.Sprintf("%s returns the path of the first required attribute that r, p, ctx or cred\n(when not nil) lacks, or \"\" (see missingRequest).", name))
	f.Func().Id(name).Params(jen.Id("p").Op("*").Id("Principal"), jen.Id("r").Op("*").Id(g.resStruct[r]), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context")).String().Block(
		jen.Switch().Block(cases...), rest)
	return name
}

func (g *generator) checkResource(f *jen.File, r *spec.Resource) {
	s := g.s
	st := g.resStruct[r]
	pt := g.resPermType[r]
	params := []jen.Code{jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(pt), jen.Id("r").Op("*").Id(st), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context")}
	nilChecks := []jen.Code{
		jen.If(jen.Id("p").Op("==").Nil()).Block(jen.Id("p").Op("=").Op("&").Id("zeroPrincipal")),
		jen.If(jen.Id("r").Op("==").Nil()).Block(jen.Id("r").Op("=").Op("&").Id(st).Values()),
		jen.If(jen.Id("ctx").Op("==").Nil()).Block(jen.Id("ctx").Op("=").Op("&").Id("zeroContext")),
	}
	doc := fmt.Sprintf(`%s decides whether p may perform perm on the %s r, and why. A nil cred is
no credential; a nil ctx is the zero Context.

The decision order is the spec's: deny rules, the credential, allow rules, then p's
role assignments in order. Evaluation errors are listed in the decision's Errors and
invalid assignments in its Warnings. It does not allocate unless it has errors or
warnings to report.`, g.resCheck[r], r.Name)
	checkHead, permsHead := nilChecks, nilChecks
	if miss := g.missingResource(f, r); miss != "" {
		call := jen.Id(miss).Call(jen.Id("p"), jen.Id("r"), jen.Id("cred"), jen.Id("ctx"))
		if miss == "missingRequest" {
			call = jen.Id(miss).Call(jen.Id("p"), jen.Id("cred"), jen.Id("ctx"))
		}
		doc += `

A required timestamp, string, bytes, list or map attribute whose field holds its zero
value (the zero time, "", nil) is missing: the check is then denied with reason
Malformed and an error naming the attribute, as a request in JSON is refused.`
		checkHead = append(append([]jen.Code{}, nilChecks...), jen.If(jen.Id("path").Op(":=").Add(call), jen.Id("path").Op("!=").Lit("")).Block(
			jen.Return(jen.Qual(rt, "MalformedDecision").Call(jen.Id("perm").Dot("String").Call(), jen.Id("path")))))
		permsHead = append(append([]jen.Code{}, nilChecks...), jen.If(jen.Add(call).Op("!=").Lit("")).Block(
			jen.Return(jen.Id(g.resPermSet[r]).Values())))
	}
	comment(f, doc)
	// The decision is built in the named result, and the assignments after the one that
	// decided are validated only when there are any: a check's fixed cost is what
	// a principal with one assignment pays.
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resCheck[r]).Params(params...).Params(jen.Id("d").Qual(rt, "Decision")).Block(append(checkHead,
		jen.Id("t").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.Id("budget").Op(":=").Id("a").Dot("newBudget").Call(),
		jen.If(jen.Id("checked").Op(":=").Id("a").Dot(g.resDecide[r]).Call(jen.Op("&").Id("d"), jen.Op("&").Id("budget"), jen.Id("t"), jen.Id("p"), jen.Id("perm"), jen.Id("r"), jen.Id("cred"), jen.Id("ctx"), jen.True()), jen.Id("checked").Op("<").Len(jen.Id("p").Dot("Roles"))).Block(
			jen.Id("warnTyped").Call(jen.Op("&").Id("d"), jen.Id("t"), jen.Id("p"), jen.Id("checked")),
		),
		jen.Return(jen.Id("d")),
	)...)

	var perms []jen.Code
	for _, p := range r.Permissions {
		perms = append(perms, jen.Id(g.permConst[p]))
	}
	comment(f, fmt.Sprintf("%s returns every permission p has on the %s r: for a user interface\nthat offers only the actions p may take.", g.resPerms[r], r.Name))
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resPerms[r]).Params(jen.Id("p").Op("*").Id("Principal"), jen.Id("r").Op("*").Id(st), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context")).Id(g.resPermSet[r]).Block(append(permsHead,
		jen.Var().Id("set").Id(g.resPermSet[r]),
		jen.Id("t").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.For(jen.List(jen.Id("_"), jen.Id("perm")).Op(":=").Range().Index(jen.Op("...")).Id(pt).Values(perms...)).Block(
			jen.Var().Id("d").Qual(rt, "Decision"),
			jen.Id("budget").Op(":=").Id("a").Dot("newBudget").Call(),
			jen.Id("a").Dot(g.resDecide[r]).Call(jen.Op("&").Id("d"), jen.Op("&").Id("budget"), jen.Id("t"), jen.Id("p"), jen.Id("perm"), jen.Id("r"), jen.Id("cred"), jen.Id("ctx"), jen.False()),
			jen.If(jen.Id("d").Dot("Allowed")).Block(jen.Id("set").Dot("set").Dot("Add").Call(jen.Id("Permission").Parens(jen.Id("perm")))),
		),
		jen.Return(jen.Id("set")),
	)...)

	// The decision. A rule without a condition that covers every permission of r
	// decides alone: nothing after it is emitted (it would be unreachable code), and c,
	// the credential or its zero value, is declared only when something uses it.
	head := []jen.Code{
		jen.Id("d").Dot("Permission").Op("=").Id("perm").Dot("String").Call(),
		jen.If(jen.Int().Parens(jen.Id("perm")).Op(">=").Len(jen.Id("permissionResource")).Op("||").Id("permissionResource").Index(jen.Id("perm")).Op("!=").Lit(r.Index)).Block(
			reasonT("NoGrant"), jen.Return(jen.Lit(0))),
	}
	var body []jen.Code
	usesC, done := false, false
	uses := func(x *spec.Expr) {
		if f := g.exprFuncs[exprKey{x, r.Name}]; f != nil && f.name != "" {
			usesC = true
		}
	}
	// permGuard wraps stmts so that they run only for the rule's permissions of r; a
	// rule covering all of them needs no guard, and decides when it has no condition.
	permGuard := func(rule *spec.Rule, stmts []jen.Code) {
		mine := g.rulePerms(rule, r)
		switch {
		case len(mine) == len(r.Permissions) && rule.When == nil:
			body = append(body, stmts...)
			done = true
		case len(mine) == len(r.Permissions):
			body = append(body, jen.Block(stmts...))
		default:
			body = append(body, jen.Switch(jen.Id("perm")).Block(jen.Case(mine...).Block(stmts...)))
		}
	}
	deny := g.rulesOf(spec.Deny, r)
	if len(deny) > 0 {
		body = append(body, cmt("Deny rules win; a deny rule that fails to evaluate denies."))
	}
	for _, rule := range deny {
		if done {
			break
		}
		var stmts []jen.Code
		if rule.When == nil {
			stmts = append(stmts, reasonT("DenyRule", jen.Id("Rule"), jen.Lit(rule.ID)), jen.Return(jen.Lit(0)))
		} else {
			uses(rule.When)
			stmts = append(stmts,
				g.callExpr(rule.When, r, jen.Id("budget"), nil, true),
				jen.If(notOK("e")).Block(jen.Id("evalError").Call(idD, jen.Id("budget"), jen.Lit("rule"), jen.Lit(rule.ID), jen.Lit(-1), jen.Id("e"))),
				jen.If(jen.Id("ok").Op("||").Add(notOK("e"))).Block(reasonT("DenyRule", jen.Id("Rule"), jen.Lit(rule.ID)), jen.Return(jen.Lit(0))),
			)
		}
		permGuard(rule, stmts)
	}
	if !done {
		usesC = true
		body = append(body,
			cmt("Credentials only narrow."),
			jen.If(jen.Id("cred").Op("!=").Nil().Op("&&").Op("!").Id("a").Dot(g.resCred[r]).Call(idD, jen.Id("budget"), jen.Id("t"), jen.Id("p"), jen.Id("perm"), jen.Id("r"), jen.Id("ctx"), jen.Id("c"))).Block(
				reasonT("Credential"), jen.Return(jen.Lit(0))),
		)
	}
	allow := g.rulesOf(spec.Allow, r)
	if len(allow) > 0 && !done {
		body = append(body, cmt("Allow rules; one that fails to evaluate does not allow."))
	}
	for _, rule := range allow {
		if done {
			break
		}
		var stmts []jen.Code
		granted := []jen.Code{jen.Id("d").Dot("Allowed").Op("=").True(), reasonT("AllowRule", jen.Id("Rule"), jen.Lit(rule.ID)), jen.Return(jen.Lit(0))}
		if rule.When == nil {
			stmts = granted
		} else {
			uses(rule.When)
			stmts = append(stmts,
				g.callExpr(rule.When, r, jen.Id("budget"), nil, true),
				jen.If(notOK("e")).Block(jen.Id("evalError").Call(idD, jen.Id("budget"), jen.Lit("rule"), jen.Lit(rule.ID), jen.Lit(-1), jen.Id("e"))).Else().If(jen.Id("ok")).Block(granted...),
			)
		}
		permGuard(rule, stmts)
	}

	// Role assignments.
	var scopeCases []jen.Code
	for _, sc := range s.Scopes {
		if !sc.AppliesTo(r) {
			continue
		}
		var extra jen.Code
		if g.scopeType[sc] != "" {
			extra = jen.Op("&").Id("as").Dot("Scope").Dot(g.scopeField[sc])
		}
		scopeCases = append(scopeCases, jen.Case(jen.Id(g.scopeConst[sc])).Add(g.callExpr(sc.Match[r.Name], r, jen.Id("budget"), extra, false)))
	}
	var whenCases []jen.Code
	for _, role := range s.Roles {
		if role.When == nil || !grantsOn(role, r) {
			continue
		}
		whenCases = append(whenCases, jen.Case(jen.Id(g.roleConst[role])).Add(g.callExpr(role.When, r, jen.Id("budget"), nil, false)))
	}
	if len(scopeCases) > 0 && !done {
		for _, sc := range s.Scopes {
			if sc.AppliesTo(r) {
				uses(sc.Match[r.Name])
			}
		}
		for _, role := range s.Roles {
			if role.When != nil && grantsOn(role, r) {
				uses(role.When)
			}
		}
		loop := []jen.Code{
			jen.Id("as").Op(":=").Op("&").Id("p").Dot("Roles").Index(jen.Id("i")),
			jen.Id("info").Op(":=").Id("t").Dot("role").Call(jen.Id("as").Dot("Role")),
			jen.If(jen.Op("!").Id("valid").Call(jen.Id("info"), jen.Id("as"))).Block(
				jen.If(jen.Id("warn")).Block(jen.Id("warnAssignment").Call(idD, jen.Id("t"), jen.Id("i"), jen.Id("as"))),
				jen.Continue()),
			jen.If(jen.Op("!").Id("info").Dot("grants").Dot("Has").Call(jen.Id("Permission").Parens(jen.Id("perm")))).Block(jen.Continue()),
			jen.Var().Id("ok").Bool(),
			jen.Var().Id("e").Qual(rt, "Err"),
			jen.Switch(jen.Id("as").Dot("Scope").Dot("Type")).Block(append(scopeCases, jen.Default().Continue())...),
			jen.If(notOK("e")).Block(jen.Id("evalError").Call(idD, jen.Id("budget"), jen.Lit("scope"), jen.Id("scopeNames").Index(jen.Id("as").Dot("Scope").Dot("Type")), jen.Id("i"), jen.Id("e")), jen.Continue()),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Continue()),
		}
		if len(whenCases) > 0 {
			loop = append(loop,
				jen.Switch(jen.Id("as").Dot("Role")).Block(whenCases...),
				jen.If(notOK("e")).Block(jen.Id("evalError").Call(idD, jen.Id("budget"), jen.Lit("role"), jen.Id("info").Dot("name"), jen.Id("i"), jen.Id("e")), jen.Continue()),
				jen.If(jen.Op("!").Id("ok")).Block(jen.Continue()),
			)
		}
		loop = append(loop, jen.Id("d").Dot("Allowed").Op("=").True(), reasonT("Role", jen.Id("Role"), jen.Id("info").Dot("name"), jen.Id("Assignment"), jen.Id("i")), jen.Return(jen.Id("i").Op("+").Lit(1)))
		body = append(body, cmt("Role assignments, in order: the first that grants allows."),
			jen.For(jen.Id("i").Op(":=").Range().Id("p").Dot("Roles")).Block(loop...))
	}
	switch {
	case done:
	case len(scopeCases) > 0:
		body = append(body, reasonT("NoGrant"), jen.Return(jen.Len(jen.Id("p").Dot("Roles"))))
	default:
		body = append(body, reasonT("NoGrant"), jen.Return(jen.Lit(0)))
	}
	if usesC {
		head = append(head,
			jen.Id("c").Op(":=").Id("cred"),
			jen.If(jen.Id("c").Op("==").Nil()).Block(jen.Id("c").Op("=").Op("&").Id("zeroCredential")))
	}
	body = append(head, body...)
	comment(f, fmt.Sprintf("%s is the decision order for %s, shared by %s and CheckJSON. With\nwarn, it gives the invalid assignments it meets their warnings; it returns how many\nassignments it met.", g.resDecide[r], r.Indefinite(), g.resCheck[r]))
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resDecide[r]).Params(
		jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("budget").Op("*").Qual(rt, "Budget"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(g.resPermType[r]),
		jen.Id("r").Op("*").Id(st), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context"), jen.Id("warn").Bool(),
	).Int().Block(body...)

	g.credentialCheck(f, r)
}

// rulesOf returns the rules of the effect that name a permission of r, in spec order.
func (g *generator) rulesOf(effect spec.Effect, r *spec.Resource) []*spec.Rule {
	var out []*spec.Rule
	for _, rule := range g.s.Rules {
		if rule.Effect == effect && len(g.rulePerms(rule, r)) > 0 {
			out = append(out, rule)
		}
	}
	return out
}

// rulePerms returns the constants of the permissions of r that rule names.
func (g *generator) rulePerms(rule *spec.Rule, r *spec.Resource) []jen.Code {
	var mine []jen.Code
	for _, p := range rule.Permissions {
		if p.Resource == r {
			mine = append(mine, jen.Id(g.permConst[p]))
		}
	}
	return mine
}

// filtersOf returns the credential filters that cover r.
func (g *generator) filtersOf(r *spec.Resource) []*spec.Filter {
	var out []*spec.Filter
	for _, flt := range g.s.Credentials.Filters {
		if flt.Match[r.Name] != nil {
			out = append(out, flt)
		}
	}
	return out
}

// filtersKnown returns the loop that returns fail unless every filter of the
// credential c is well formed and one of filters.
func (g *generator) filtersKnown(filters []*spec.Filter, fail jen.Code) jen.Code {
	var names []jen.Code
	for _, flt := range filters {
		names = append(names, jen.Lit(flt.Name))
	}
	return jen.Add(cmt("Every filter must be well formed and cover this resource type before any is\nevaluated."), jen.Line(),
		jen.For(jen.List(jen.Id("_"), jen.Id("f")).Op(":=").Range().Id("c").Dot("Filters")).Block(
			jen.List(jen.Id("name"), jen.Id("_"), jen.Id("ok")).Op(":=").Qual("strings", "Cut").Call(jen.Id("f"), jen.Lit(":")),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return(fail)),
			jen.Switch(jen.Id("name")).Block(jen.Case(names...), jen.Default().Return(fail)),
		))
}

// grantsOn reports whether role grants any permission of r.
func grantsOn(role *spec.Role, r *spec.Resource) bool {
	for _, p := range role.Permissions {
		if p.Resource == r {
			return true
		}
	}
	return false
}

// credentialCheck emits the credential narrowing for resource type r.
func (g *generator) credentialCheck(f *jen.File, r *spec.Resource) {
	var body []jen.Code
	body = append(body, jen.If(jen.Op("!").Id("credentialUnlocks").Call(jen.Id("t"), jen.Id("Permission").Parens(jen.Id("perm")), jen.Id("c"))).Block(jen.Return(jen.False())))
	filters := g.filtersOf(r)
	if len(filters) == 0 {
		body = append(body, cmt("No filter covers this resource type: any filter denies."),
			jen.Return(jen.Len(jen.Id("c").Dot("Filters")).Op("==").Lit(0)))
	} else {
		var cases []jen.Code
		for _, flt := range filters {
			cases = append(cases, jen.Case(jen.Lit(flt.Name)).Add(g.callExpr(flt.Match[r.Name], r, jen.Id("budget"), jen.Id("value"), false)))
		}
		body = append(body,
			g.filtersKnown(filters, jen.False()),
			cmt("Each filter name given must match one of its values, tried in order."),
			jen.For(jen.List(jen.Id("i"), jen.Id("f")).Op(":=").Range().Id("c").Dot("Filters")).Block(
				jen.List(jen.Id("name"), jen.Id("_"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("f"), jen.Lit(":")),
				jen.If(jen.Id("filterSeen").Call(jen.Id("c").Dot("Filters").Index(jen.Empty(), jen.Id("i")), jen.Id("name"))).Block(jen.Continue()),
				jen.Id("matched").Op(":=").False(),
				jen.For(jen.List(jen.Id("_"), jen.Id("fv")).Op(":=").Range().Id("c").Dot("Filters").Index(jen.Id("i"), jen.Empty())).Block(
					jen.List(jen.Id("n"), jen.Id("value"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("fv"), jen.Lit(":")),
					jen.If(jen.Id("n").Op("!=").Id("name")).Block(jen.Continue()),
					jen.Var().Id("ok").Bool(),
					jen.Var().Id("e").Qual(rt, "Err"),
					jen.Switch(jen.Id("name")).Block(cases...),
					jen.If(notOK("e")).Block(jen.Id("evalError").Call(idD, jen.Id("budget"), jen.Lit("filter"), jen.Id("name"), jen.Lit(-1), jen.Id("e"))).Else().If(jen.Id("ok")).Block(
						jen.Id("matched").Op("=").True(), jen.Break()),
				),
				jen.If(jen.Op("!").Id("matched")).Block(jen.Return(jen.False())),
			),
			jen.Return(jen.True()),
		)
	}
	comment(f, fmt.Sprintf("%s applies the credential c's narrowing to perm on the %s r.", g.resCred[r], r.Name))
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resCred[r]).Params(
		jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("budget").Op("*").Qual(rt, "Budget"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(g.resPermType[r]),
		jen.Id("r").Op("*").Id(g.resStruct[r]), jen.Id("ctx").Op("*").Id("Context"), jen.Id("c").Op("*").Id("Credential"),
	).Bool().Block(body...)
}
