package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/spec"
)

// planFile generates authz_plan.go: per resource type, the query plan (the condition a
// resource must satisfy for a check of it to allow), computed in the check's decision
// order by the plan functions of the expressions.
func (g *generator) planFile() *jen.File {
	f := jen.NewFile(g.pkg)
	g.header(f)
	f.ImportName(cq, "cond")
	f.ImportName(pgq, "pgsql")
	for _, r := range g.s.Resources {
		g.planResource(f, r)
	}
	g.planJSON(f)
	for _, c := range g.planCode {
		f.Add(c)
		f.Line()
	}
	return f
}

// planJSON generates PlanJSON, the untyped entry point.
func (g *generator) planJSON(f *jen.File) {
	ret := func(err jen.Code) jen.Code { return jen.Return(jen.Nil(), jen.Nil(), err) }
	try := func(call jen.Code) jen.Code {
		return jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(ret(jen.Err()))
	}
	var cases []jen.Code
	for _, r := range g.s.Resources {
		cases = append(cases, jen.Case(jen.Lit(r.Index)).Id("c").Op("=").Id("a").Dot(g.resPlanDecide[r]).Call(jen.Id("t"), jen.Op("&").Id("q").Dot("principal"), jen.Id(g.resPermType[r]).Parens(jen.Id("perm")), jen.Id("q").Dot("cred"), jen.Op("&").Id("q").Dot("ctx")))
	}
	var names []jen.Code
	for _, r := range g.s.Resources {
		names = append(names, jen.Lit(r.Name))
	}
	comment(f, `PlanJSON plans a request given as JSON: a check request without its resource, or
whose resource gives only its "type". permission, when not empty, is the permission
planned (the request's own "permission" may then be omitted). It returns the plan's
condition on resources of the permission's type (see the typed Plan methods) and the
warnings of the invalid role assignments.

# Errors

A malformed request, or one longer than Options.MaxRequestBytes, with CheckJSON's
messages.`)
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("PlanJSON").Params(jen.Id("req").Index().Byte(), jen.Id("permission").String()).Params(jen.Qual(cq, "Cond"), jen.Index().Qual(rt, "Warning"), jen.Error()).Block(
		try(rtCall("CheckRequestLength", jen.Len(jen.Id("req")), jen.Id("a").Dot("opts").Dot("MaxRequestBytes"))),
		jen.List(jen.Id("doc"), jen.Err()).Op(":=").Qual(rt, "ParseJSON").Call(jen.Id("req")),
		jen.If(jen.Err().Op("!=").Nil()).Block(ret(jen.Err())),
		try(jen.Qual(rt, "WantObject").Call(jen.Op("&").Id("doc"), jen.Lit("request"))),
		try(jen.Qual(rt, "CheckKeys").Call(jen.Op("&").Id("doc"), jen.Lit("request"), jen.Lit("principal"), jen.Lit("resource"), jen.Lit("permission"), jen.Lit("credential"), jen.Lit("context"))),
		jen.If(jen.Id("pj").Op(":=").Qual(rt, "Field").Call(jen.Op("&").Id("doc"), jen.Lit("permission")), jen.Id("pj").Op("!=").Nil().Op("||").Id("permission").Op("==").Lit("")).Block(
			jen.List(jen.Id("name"), jen.Err()).Op(":=").Qual(rt, "WantString").Call(jen.Id("pj"), jen.Lit("permission")),
			jen.If(jen.Err().Op("!=").Nil()).Block(ret(jen.Err())),
			jen.If(jen.Id("permission").Op("!=").Lit("").Op("&&").Id("name").Op("!=").Id("permission")).Block(
				ret(jen.Qual(rt, "Errorf").Call(jen.Lit("the request asks about permission "), jen.Qual(rt, "Quote").Call(jen.Id("name")), jen.Lit(", not "), jen.Qual(rt, "Quote").Call(jen.Id("permission"))))),
			jen.Id("permission").Op("=").Id("name"),
		),
		jen.List(jen.Id("perm"), jen.Id("ok")).Op(":=").Id("permissionByName").Call(jen.Id("permission")),
		jen.If(jen.Op("!").Id("ok")).Block(ret(jen.Qual(rt, "Errorf").Call(jen.Lit("unknown permission "), jen.Qual(rt, "Quote").Call(jen.Id("permission"))))),
		jen.Id("resNames").Op(":=").Index(jen.Op("...")).String().Values(names...),
		jen.If(jen.Id("rj").Op(":=").Qual(rt, "Field").Call(jen.Op("&").Id("doc"), jen.Lit("resource")), jen.Id("rj").Op("!=").Nil()).Block(
			try(jen.Qual(rt, "WantObject").Call(jen.Id("rj"), jen.Lit("resource"))),
			try(jen.Qual(rt, "CheckKeys").Call(jen.Id("rj"), jen.Lit("resource"), jen.Lit("type"))),
			jen.List(jen.Id("typ"), jen.Err()).Op(":=").Qual(rt, "WantString").Call(jen.Qual(rt, "Field").Call(jen.Id("rj"), jen.Lit("type")), jen.Lit("resource.type")),
			jen.If(jen.Err().Op("!=").Nil()).Block(ret(jen.Err())),
			jen.If(jen.Id("typ").Op("!=").Id("resNames").Index(jen.Id("permissionResource").Index(jen.Id("perm")))).Block(
				ret(jen.Qual(rt, "Errorf").Call(jen.Lit("permission "), jen.Qual(rt, "Quote").Call(jen.Id("permission")), jen.Lit(" is not a permission of resource type "), jen.Qual(rt, "Quote").Call(jen.Id("typ"))))),
		),
		jen.Id("t").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.Var().Id("d").Qual(rt, "Decision"),
		jen.Var().Id("q").Id("request"),
		cmt("The plan outlives the call, so the request is parsed by ParseJSON, which copies its\nstrings; the Parser only holds the lists decode makes."),
		jen.Var().Id("ps").Qual(rt, "Parser"),
		try(jen.Id("q").Dot("decode").Call(jen.Op("&").Id("ps"), jen.Op("&").Id("doc"), jen.Id("t"), jen.Op("&").Id("d"))),
		jen.Id("c").Op(":=").Qual(cq, "Cond").Parens(jen.Qual(cq, "False")),
		jen.Switch(jen.Id("permissionResource").Index(jen.Id("perm"))).Block(cases...),
		jen.Return(jen.Id("c"), jen.Id("d").Dot("Warnings"), jen.Nil()),
	)
}

func (g *generator) planResource(f *jen.File, r *spec.Resource) {
	st, pt := g.resStruct[r], g.resPlanType[r]
	condT := jen.Qual(cq, "Cond")
	comment(f, fmt.Sprintf("%s is a query plan for resources of type %s: the condition under which a\npermission is granted on one, for a principal, a credential and a context (see\n%s).", pt, r.Name, g.resPlan[r]))
	f.Type().Id(pt).Struct(
		cmt("Permission is the permission planned."),
		jen.Id("Permission").Id(g.resPermType[r]),
		cmt(fmt.Sprintf("Cond holds for exactly the resources %s allows: cond.True when it\nallows every one, cond.False when it allows none. Translate it into SQL with SQL,\nor evaluate it in memory with Allows.", g.resCheck[r])),
		jen.Id("Cond").Add(condT),
		cmt("Warnings are the invalid role assignments, as a check lists them."),
		jen.Id("Warnings").Index().Qual(rt, "Warning"),
	)
	comment(f, fmt.Sprintf("Allows reports whether the plan allows the %s r: what %s answers. A nil\nr is the zero %s.", r.Name, g.resCheck[r], st))
	f.Func().Params(jen.Id("pl").Op("*").Id(pt)).Id("Allows").Params(jen.Id("r").Op("*").Id(st)).Bool().Block(
		jen.If(jen.Id("r").Op("==").Nil()).Block(jen.Id("r").Op("=").Op("&").Id(st).Values()),
		jen.Return(jen.Qual(cq, "Eval").Call(jen.Id("pl").Dot("Cond"), jen.Id(g.resAttrs[r]).Call(jen.Id("r")))),
	)
	comment(f, "SQL translates the plan's condition into a PostgreSQL WHERE clause over the columns\nof t, its parameters numbered from firstParam (see pgsql.Where). A plan that allows\nevery resource is TRUE, one that allows none FALSE.\n\n# Errors\n\nA *pgsql.Error for a part of the condition without an exact translation.")
	f.Func().Params(jen.Id("pl").Op("*").Id(pt)).Id("SQL").Params(jen.Id("t").Op("*").Qual(pgq, "Table"), jen.Id("firstParam").Int()).Params(jen.Op("*").Qual(pgq, "Query"), jen.Error()).Block(
		jen.Return(jen.Qual(pgq, "Where").Call(jen.Id("pl").Dot("Cond"), jen.Id("t"), jen.Id("firstParam"))),
	)

	comment(f, fmt.Sprintf(`%s returns the query plan of perm on resources of type %s for p, cred
and ctx: the condition %s r must satisfy for %s(p, perm, r, cred, ctx) to
allow it, whatever r is, errors included (a deny rule that fails denies; an allow
rule, scope, role condition or filter that fails grants nothing). A nil cred is no
credential; a nil ctx is the zero Context.`, g.resPlan[r], r.Name, r.Indefinite(), g.resCheck[r]))
	body := []jen.Code{
		jen.If(jen.Id("p").Op("==").Nil()).Block(jen.Id("p").Op("=").Op("&").Id("zeroPrincipal")),
		jen.If(jen.Id("ctx").Op("==").Nil()).Block(jen.Id("ctx").Op("=").Op("&").Id("zeroContext")),
		jen.Id("t").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.Var().Id("d").Qual(rt, "Decision"),
		jen.Id("warnTyped").Call(jen.Op("&").Id("d"), jen.Id("t"), jen.Id("p"), jen.Lit(0)),
	}
	if g.hasMissingRequest {
		body = append(body, cmt("A request that lacks a required attribute allows nothing."),
			jen.If(jen.Id("missingRequest").Call(jen.Id("p"), jen.Id("cred"), jen.Id("ctx")).Op("!=").Lit("")).Block(
				jen.Return(jen.Op("&").Id(pt).Values(jen.Dict{jen.Id("Permission"): jen.Id("perm"), jen.Id("Cond"): jen.Qual(cq, "False"), jen.Id("Warnings"): jen.Id("d").Dot("Warnings")}))))
	}
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resPlan[r]).Params(jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(g.resPermType[r]), jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context")).Op("*").Id(pt).Block(append(body,
		jen.Return(jen.Op("&").Id(pt).Values(jen.Dict{
			jen.Id("Permission"): jen.Id("perm"),
			jen.Id("Cond"):       jen.Id("a").Dot(g.resPlanDecide[r]).Call(jen.Id("t"), jen.Id("p"), jen.Id("perm"), jen.Id("cred"), jen.Id("ctx")),
			jen.Id("Warnings"):   jen.Id("d").Dot("Warnings"),
		})),
	)...)

	g.planDecide(f, r)
	g.planCredential(f, r)

	// The attribute maps conditions are evaluated on.
	attrs := jen.Dict{jen.Lit("id"): jen.Id("r").Dot("ID")}
	back := jen.Dict{jen.Id("ID"): jen.Qual(cq, "As").Types(jen.String()).Call(jen.Id("m").Index(jen.Lit("id")))}
	for _, a := range r.Attributes {
		field := g.fields[r][a.Name]
		t := spec.CELType(a.Type)
		attrs[jen.Lit(a.Name)] = g.condValue(t, jen.Id("r").Dot(field))
		back[jen.Id(field)] = g.typedValue(t, jen.Id("m").Index(jen.Lit(a.Name)))
	}
	comment(f, fmt.Sprintf("%s returns the attributes of r, with \"id\", as conditions see them.", g.resAttrs[r]))
	f.Func().Id(g.resAttrs[r]).Params(jen.Id("r").Op("*").Id(st)).Map(jen.String()).Any().Block(
		jen.Return(jen.Map(jen.String()).Any().Values(attrs)))
	if g.needFromAttrs[r] {
		comment(f, fmt.Sprintf("%s returns the %s whose attributes (with \"id\") are m, as\nconditions see them: the inverse of %s.", g.resFromAttrs[r], r.Name, g.resAttrs[r]))
		f.Func().Id(g.resFromAttrs[r]).Params(jen.Id("m").Map(jen.String()).Any()).Op("*").Id(st).Block(
			jen.Return(jen.Op("&").Id(st).Values(back)))
	}
}

// planCall returns the statement computing the pair (t, f) of expression x on
// resource type r (constant or failing when x has no function), assigning or
// declaring per op.
func (g *generator) planCall(x *spec.Expr, r *spec.Resource, extra jen.Code, t, f, op string) jen.Code {
	ef := g.exprFuncs[exprKey{x, r.Name}]
	if ef == nil || ef.name == "" {
		// A constant, or an expression that fails on every resource (false, false).
		b := ef != nil && ef.constant != nil && *ef.constant
		name, v := t, b
		if t == "_" {
			name, v = f, ef != nil && ef.constant != nil && !b
		}
		return jen.Id(name).Op(op).Qual(cq, "Const").Call(jen.Lit(v))
	}
	lhs := jen.List(jen.Id(t), jen.Id(f)).Op(op)
	args := []jen.Code{jen.Id("budget"), jen.Id("p"), jen.Id("ctx"), jen.Id("c")}
	if extra != nil {
		args = append(args, extra)
	}
	return lhs.Id(ef.plan).Call(args...)
}

// planDecide generates the decision order of r's checks with the resource unknown:
// the conjunction of what lets a resource past the deny rules and the credential, and
// of the disjunction of what grants it.
func (g *generator) planDecide(f *jen.File, r *spec.Resource) {
	s := g.s
	condT := jen.Qual(cq, "Cond")
	falseC := jen.Qual(cq, "False")
	body := []jen.Code{
		jen.If(jen.Int().Parens(jen.Id("perm")).Op(">=").Len(jen.Id("permissionResource")).Op("||").Id("permissionResource").Index(jen.Id("perm")).Op("!=").Lit(r.Index)).Block(jen.Return(falseC)),
		cmt("The plan charges its budget for what it evaluates without the resource."),
		jen.Id("planBudget").Op(":=").Id("a").Dot("newBudget").Call(),
		jen.Id("budget").Op(":=").Op("&").Id("planBudget"),
		jen.Id("c").Op(":=").Id("cred"),
		jen.If(jen.Id("c").Op("==").Nil()).Block(jen.Id("c").Op("=").Op("&").Id("zeroCredential")),
		jen.Var().Id("pass").Index().Add(condT),
	}
	guard := func(rule *spec.Rule, stmts []jen.Code) jen.Code {
		mine := g.rulePerms(rule, r)
		if len(mine) == len(r.Permissions) {
			return jen.Block(stmts...)
		}
		return jen.Switch(jen.Id("perm")).Block(jen.Case(mine...).Block(stmts...))
	}
	body = append(body, cmt("Deny rules win; a resource gets past one only where its condition is false\n(one that fails to evaluate denies)."))
	for _, rule := range g.rulesOf(spec.Deny, r) {
		var stmts []jen.Code
		if rule.When == nil {
			if len(g.rulePerms(rule, r)) == len(r.Permissions) {
				// It denies every permission of r: nothing after it is reachable.
				body = append(body[:1], jen.Return(falseC))
				comment(f, fmt.Sprintf("%s is %s's decision order with the resource unknown: the deny\nrule %q denies every permission.", g.resPlanDecide[r], g.resCheck[r], rule.ID))
				g.planDecideFunc(f, r, body)
				return
			}
			stmts = []jen.Code{jen.Return(falseC)}
		} else {
			stmts = []jen.Code{
				g.planCall(rule.When, r, nil, "_", "f", ":="),
				jen.If(jen.Id("f").Op("==").Qual(cq, "False")).Block(jen.Return(falseC)),
				jen.Id("pass").Op("=").Append(jen.Id("pass"), jen.Id("f")),
			}
		}
		body = append(body, guard(rule, stmts))
	}
	body = append(body, cmt("Credentials only narrow."),
		jen.If(jen.Id("cred").Op("!=").Nil()).Block(
			jen.Id("cc").Op(":=").Id("a").Dot(g.resPlanCred[r]).Call(jen.Id("budget"), jen.Id("t"), jen.Id("p"), jen.Id("perm"), jen.Id("ctx"), jen.Id("c")),
			jen.If(jen.Id("cc").Op("==").Qual(cq, "False")).Block(jen.Return(falseC)),
			jen.Id("pass").Op("=").Append(jen.Id("pass"), jen.Id("cc")),
		),
		cmt("Then any allow rule or role assignment grants (one that fails grants nothing)."),
		jen.Var().Id("grants").Index().Add(condT),
	)
	for _, rule := range g.rulesOf(spec.Allow, r) {
		var stmts []jen.Code
		if rule.When == nil {
			stmts = []jen.Code{jen.Id("grants").Op("=").Append(jen.Id("grants"), jen.Qual(cq, "True"))}
		} else {
			stmts = []jen.Code{
				g.planCall(rule.When, r, nil, "g", "_", ":="),
				jen.Id("grants").Op("=").Append(jen.Id("grants"), jen.Id("g")),
			}
		}
		body = append(body, guard(rule, stmts))
	}
	var scopeCases, whenCases []jen.Code
	for _, sc := range s.Scopes {
		if !sc.AppliesTo(r) {
			continue
		}
		var extra jen.Code
		if g.scopeType[sc] != "" {
			extra = jen.Op("&").Id("as").Dot("Scope").Dot(g.scopeField[sc])
		}
		scopeCases = append(scopeCases, jen.Case(jen.Id(g.scopeConst[sc])).Add(g.planCall(sc.Match[r.Name], r, extra, "g", "_", "=")))
	}
	for _, role := range s.Roles {
		if role.When != nil && grantsOn(role, r) {
			whenCases = append(whenCases, jen.Case(jen.Id(g.roleConst[role])).Block(
				g.planCall(role.When, r, nil, "w", "_", ":="),
				jen.Id("g").Op("=").Qual(cq, "AndOf").Call(jen.Id("g"), jen.Id("w"))))
		}
	}
	if len(scopeCases) > 0 {
		loop := []jen.Code{
			jen.Id("as").Op(":=").Op("&").Id("p").Dot("Roles").Index(jen.Id("i")),
			jen.Id("info").Op(":=").Id("t").Dot("role").Call(jen.Id("as").Dot("Role")),
			jen.If(jen.Op("!").Id("valid").Call(jen.Id("info"), jen.Id("as")).Op("||").Op("!").Id("info").Dot("grants").Dot("Has").Call(jen.Id("Permission").Parens(jen.Id("perm")))).Block(jen.Continue()),
			jen.Var().Id("g").Add(condT),
			jen.Switch(jen.Id("as").Dot("Scope").Dot("Type")).Block(append(scopeCases, jen.Default().Continue())...),
		}
		if len(whenCases) > 0 {
			loop = append(loop, jen.If(jen.Id("g").Op("!=").Qual(cq, "False")).Block(jen.Switch(jen.Id("as").Dot("Role")).Block(whenCases...)))
		}
		loop = append(loop, jen.Id("grants").Op("=").Append(jen.Id("grants"), jen.Id("g")))
		body = append(body, jen.For(jen.Id("i").Op(":=").Range().Id("p").Dot("Roles")).Block(loop...))
	}
	body = append(body,
		jen.Id("granted").Op(":=").Qual(cq, "OrOf").Call(jen.Id("grants").Op("...")),
		jen.If(jen.Id("granted").Op("==").Qual(cq, "False")).Block(jen.Return(falseC)),
		jen.Return(jen.Qual(cq, "AndOf").Call(jen.Append(jen.Id("pass"), jen.Id("granted")).Op("..."))),
	)
	comment(f, fmt.Sprintf("%s is %s's decision order with the resource unknown.", g.resPlanDecide[r], g.resCheck[r]))
	g.planDecideFunc(f, r, body)
}

func (g *generator) planDecideFunc(f *jen.File, r *spec.Resource, body []jen.Code) {
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resPlanDecide[r]).Params(
		jen.Id("t").Op("*").Id("roleTable"), jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(g.resPermType[r]),
		jen.Id("cred").Op("*").Id("Credential"), jen.Id("ctx").Op("*").Id("Context"),
	).Qual(cq, "Cond").Block(body...)
}

// planCredential generates the condition a credential puts on resources of type r:
// false when it does not unlock the permission or names an unknown filter, else the
// conjunction over its filter names of the disjunction of their values.
func (g *generator) planCredential(f *jen.File, r *spec.Resource) {
	falseC := jen.Qual(cq, "False")
	body := []jen.Code{
		jen.If(jen.Op("!").Id("credentialUnlocks").Call(jen.Id("t"), jen.Id("Permission").Parens(jen.Id("perm")), jen.Id("c"))).Block(jen.Return(falseC)),
	}
	filters := g.filtersOf(r)
	if len(filters) == 0 {
		body = append(body, cmt("No filter covers this resource type: any filter denies."),
			jen.If(jen.Len(jen.Id("c").Dot("Filters")).Op(">").Lit(0)).Block(jen.Return(falseC)),
			jen.Return(jen.Qual(cq, "True")))
	} else {
		var cases []jen.Code
		for _, flt := range filters {
			cases = append(cases, jen.Case(jen.Lit(flt.Name)).Add(g.planCall(flt.Match[r.Name], r, jen.Id("value"), "m", "_", "=")))
		}
		body = append(body,
			g.filtersKnown(filters, falseC),
			cmt("Each filter name given must match one of its values."),
			jen.Var().Id("terms").Index().Qual(cq, "Cond"),
			jen.For(jen.List(jen.Id("i"), jen.Id("f")).Op(":=").Range().Id("c").Dot("Filters")).Block(
				jen.List(jen.Id("name"), jen.Id("_"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("f"), jen.Lit(":")),
				jen.If(jen.Id("filterSeen").Call(jen.Id("c").Dot("Filters").Index(jen.Empty(), jen.Id("i")), jen.Id("name"))).Block(jen.Continue()),
				jen.Var().Id("anyOf").Index().Qual(cq, "Cond"),
				jen.For(jen.List(jen.Id("_"), jen.Id("fv")).Op(":=").Range().Id("c").Dot("Filters").Index(jen.Id("i"), jen.Empty())).Block(
					jen.List(jen.Id("n"), jen.Id("value"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("fv"), jen.Lit(":")),
					jen.If(jen.Id("n").Op("!=").Id("name")).Block(jen.Continue()),
					jen.Var().Id("m").Qual(cq, "Cond"),
					jen.Switch(jen.Id("name")).Block(cases...),
					jen.Id("anyOf").Op("=").Append(jen.Id("anyOf"), jen.Id("m")),
				),
				jen.Id("terms").Op("=").Append(jen.Id("terms"), jen.Qual(cq, "OrOf").Call(jen.Id("anyOf").Op("..."))),
			),
			jen.Return(jen.Qual(cq, "AndOf").Call(jen.Id("terms").Op("..."))),
		)
	}
	comment(f, fmt.Sprintf("%s is the condition the credential c puts on perm on %s.", g.resPlanCred[r], r.Indefinite()))
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id(g.resPlanCred[r]).Params(
		jen.Id("budget").Op("*").Qual(rt, "Budget"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("p").Op("*").Id("Principal"), jen.Id("perm").Id(g.resPermType[r]),
		jen.Id("ctx").Op("*").Id("Context"), jen.Id("c").Op("*").Id("Credential"),
	).Qual(cq, "Cond").Block(body...)
}
