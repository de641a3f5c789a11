package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/spec"
)

// doc returns a doc comment for name: "name is what." followed by the spec's
// description when there is one.
func doc(name, what, description string) jen.Code {
	text := name + " " + what
	if description != "" {
		d := strings.TrimSpace(description)
		if !strings.HasSuffix(d, ".") {
			d += "."
		}
		text += ": " + d
	} else if !strings.HasSuffix(text, ".") {
		text += "."
	}
	return cmt(wrap(text))
}

// cmt returns a comment of one or more lines, each as a // line comment (jennifer
// would make a /* */ block of a multi-line comment).
func cmt(text string) jen.Code {
	var parts []jen.Code
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			parts = append(parts, jen.Line())
		}
		parts = append(parts, jen.Comment(line))
	}
	return jen.Add(parts...)
}

// comment adds a comment of one or more lines to f.
func comment(f *jen.File, text string) { f.Add(cmt(text)) }

// wrap breaks a comment into lines of about 90 columns.
func wrap(text string) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > 88 {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}

func (g *generator) numWords() int { return max(1, (len(g.s.Permissions)+63)/64) }

func (g *generator) scopeWords() int { return max(1, (len(g.s.Scopes)+1+63)/64) }

// permSet is the PermissionSet literal holding perms.
func (g *generator) permSet(perms []*spec.Permission) jen.Code {
	words := make([]uint64, g.numWords())
	for _, p := range perms {
		words[p.Index/64] |= 1 << (p.Index % 64)
	}
	var ws []jen.Code
	for _, w := range words {
		ws = append(ws, jen.Id(fmt.Sprintf("%#x", w)))
	}
	return jen.Id("PermissionSet").Values(jen.Id("bits").Op(":").Index(jen.Lit(len(words))).Uint64().Values(ws...))
}

func (g *generator) scopeSetLit(scopes []*spec.Scope) jen.Code {
	words := make([]uint64, g.scopeWords())
	for _, sc := range scopes {
		i := sc.Index + 1
		words[i/64] |= 1 << (i % 64)
	}
	var ws []jen.Code
	for _, w := range words {
		ws = append(ws, jen.Id(fmt.Sprintf("%#x", w)))
	}
	return jen.Id("scopeSet").Values(ws...)
}

func (g *generator) attrType(t *spec.Type) jen.Code {
	switch t.Kind {
	case spec.Bool:
		return jen.Bool()
	case spec.Int:
		return jen.Int64()
	case spec.Uint:
		return jen.Uint64()
	case spec.Double:
		return jen.Float64()
	case spec.String:
		return jen.String()
	case spec.Bytes:
		return jen.Index().Byte()
	case spec.Timestamp:
		return jen.Qual("time", "Time")
	case spec.Duration:
		return jen.Qual("time", "Duration")
	case spec.List:
		return jen.Index().Add(g.attrType(t.Elem))
	case spec.Map:
		return jen.Map(jen.String()).Add(g.attrType(t.Elem))
	}
	return jen.Any()
}

// attrFields declares one struct field per attribute, with its description.
func (g *generator) attrFields(obj any, attrs []*spec.Attribute) []jen.Code {
	var out []jen.Code
	for _, a := range attrs {
		field := g.fields[obj][a.Name]
		d := strings.TrimSpace(a.Description)
		if d != "" && !strings.HasSuffix(d, ".") {
			d += "."
		}
		if a.Required {
			switch a.Type.Kind {
			case spec.Timestamp, spec.String, spec.Bytes, spec.List, spec.Map:
				d += " Required: a check without it (its zero value) is denied as malformed."
			default:
				d += " Required in a request in JSON; a typed check cannot tell it from its zero value, so always set it."
			}
		}
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, cmt(wrap(d)))
		}
		out = append(out, jen.Id(field).Add(g.attrType(a.Type)))
	}
	return out
}

func (g *generator) apiFile() *jen.File {
	s := g.s
	f := jen.NewFile(g.pkg)
	g.header(f)
	for _, line := range strings.Split(wrap(fmt.Sprintf("Package %s decides authorization as the permc spec %s says: each Check function answers whether a principal may do something to a resource, and why.", g.pkg, g.source)), "\n") {
		f.PackageComment(line)
	}
	comment(f, "Generated code fails to compile against an incompatible runtime: regenerate it with\nthe permc release whose runtime you use.")
	f.Const().Id("_").Op("=").Qual(rt, "SupportPackageIsVersion1")

	// Permissions: one type per resource type, so that a check cannot be asked a
	// permission of another type.
	comment(f, "Permission is an action on a resource type, such as "+permExample(s)+". The permissions of\neach resource type have a type of their own, the only one its check takes;\nPermission holds any of them.")
	f.Type().Id("Permission").Uint16()
	for _, r := range s.Resources {
		g.resourcePermissions(f, r)
	}
	var names []jen.Code
	var res []jen.Code
	for _, p := range s.Permissions {
		names = append(names, jen.Lit(p.Name))
		res = append(res, jen.Lit(p.Resource.Index))
	}
	f.Var().Id("permissionNames").Op("=").Index(jen.Op("...")).String().Values(names...)
	comment(f, "permissionResource is the index of each permission's resource type.")
	f.Var().Id("permissionResource").Op("=").Index(jen.Op("...")).Uint16().Values(res...)
	comment(f, "String returns the permission's name, such as "+permExample(s)+".")
	f.Func().Params(jen.Id("p").Id("Permission")).Id("String").Params().String().Block(
		jen.If(jen.Int().Parens(jen.Id("p")).Op("<").Len(jen.Id("permissionNames"))).Block(jen.Return(jen.Id("permissionNames").Index(jen.Id("p")))),
		jen.Return(jen.Lit("Permission(").Op("+").Qual("strconv", "Itoa").Call(jen.Int().Parens(jen.Id("p"))).Op("+").Lit(")")),
	)
	comment(f, "PermissionByName returns the permission called name, such as "+permExample(s)+".")
	f.Func().Id("PermissionByName").Params(jen.Id("name").String()).Params(jen.Id("Permission"), jen.Bool()).Block(
		jen.Return(jen.Id("permissionByName").Call(jen.Id("name"))))
	f.Line()
	f.Func().Id("permissionByName").Params(jen.Id("name").String()).Params(jen.Id("Permission"), jen.Bool()).Block(
		jen.Switch(jen.Id("name")).BlockFunc(func(grp *jen.Group) {
			for _, p := range s.Permissions {
				grp.Case(jen.Lit(p.Name)).Return(jen.Id("Permission").Parens(jen.Id(g.permConst[p])), jen.True())
			}
		}),
		jen.Return(jen.Lit(0), jen.False()),
	)

	// PermissionSet.
	comment(f, "PermissionSet is a set of permissions. The zero value is the empty set.")
	f.Type().Id("PermissionSet").Struct(jen.Id("bits").Index(jen.Lit(g.numWords())).Uint64())
	comment(f, "Has reports whether p is in the set.")
	f.Func().Params(jen.Id("s").Id("PermissionSet")).Id("Has").Params(jen.Id("p").Id("Permission")).Bool().Block(
		jen.Return(jen.Int().Parens(jen.Id("p")).Op("<").Len(jen.Id("permissionNames")).Op("&&").Id("s").Dot("bits").Index(jen.Id("p").Op("/").Lit(64)).Op("&").Parens(jen.Lit(1).Op("<<").Parens(jen.Id("p").Op("%").Lit(64))).Op("!=").Lit(0)))
	comment(f, "Add adds p to the set.")
	f.Func().Params(jen.Id("s").Op("*").Id("PermissionSet")).Id("Add").Params(jen.Id("p").Id("Permission")).Block(
		jen.If(jen.Int().Parens(jen.Id("p")).Op("<").Len(jen.Id("permissionNames"))).Block(
			jen.Id("s").Dot("bits").Index(jen.Id("p").Op("/").Lit(64)).Op("|=").Lit(1).Op("<<").Parens(jen.Id("p").Op("%").Lit(64))))
	comment(f, "Permissions lists the set's permissions in spec order.")
	f.Func().Params(jen.Id("s").Id("PermissionSet")).Id("Permissions").Params().Index().Id("Permission").Block(
		jen.Var().Id("out").Index().Id("Permission"),
		jen.For(jen.Id("i").Op(":=").Range().Len(jen.Id("permissionNames"))).Block(
			jen.If(jen.Id("s").Dot("Has").Call(jen.Id("Permission").Parens(jen.Id("i")))).Block(
				jen.Id("out").Op("=").Append(jen.Id("out"), jen.Id("Permission").Parens(jen.Id("i"))))),
		jen.Return(jen.Id("out")),
	)

	// Roles.
	comment(f, "Role is a role: one of the built-in roles below, or a custom role loaded into an\nAuthorizer (see Authorizer.Role). The zero Role is no role.")
	f.Type().Id("Role").Uint32()
	if len(s.Roles) > 0 {
		f.Const().DefsFunc(func(grp *jen.Group) {
			for i, r := range s.Roles {
				grp.Add(doc(g.roleConst[r], "is the built-in role "+r.Name, r.Description))
				if i == 0 {
					grp.Id(g.roleConst[r]).Id("Role").Op("=").Iota().Op("+").Lit(1)
				} else {
					grp.Id(g.roleConst[r])
				}
			}
		})
	}
	comment(f, "roleInfo is what a check needs to know of a role.")
	f.Type().Id("roleInfo").Struct(
		jen.Id("name").String(),
		jen.Id("grants").Id("PermissionSet"),
		cmt("anyScope is set when the role may be assigned at any scope; otherwise scopes\nlists where, and onlyAt names them for warnings."),
		jen.Id("anyScope").Bool(),
		jen.Id("scopes").Id("scopeSet"),
		jen.Id("onlyAt").String(),
	)
	f.Var().Id("builtinRoles").Op("=").Index(jen.Op("...")).Id("roleInfo").ValuesFunc(func(grp *jen.Group) {
		for _, r := range s.Roles {
			d := jen.Dict{jen.Id("name"): jen.Lit(r.Name), jen.Id("grants"): g.permSet(r.Permissions)}
			if r.Scopes == nil {
				d[jen.Id("anyScope")] = jen.True()
			} else {
				var ns []string
				for _, sc := range r.Scopes {
					ns = append(ns, sc.Name)
				}
				d[jen.Id("scopes")] = g.scopeSetLit(r.Scopes)
				d[jen.Id("onlyAt")] = jen.Lit(strings.Join(ns, ", "))
			}
			grp.Line().Values(d)
		}
		if len(s.Roles) > 0 {
			grp.Line()
		}
	})
	f.Func().Id("builtinRole").Params(jen.Id("name").String()).Id("Role").Block(
		jen.Switch(jen.Id("name")).BlockFunc(func(grp *jen.Group) {
			for _, r := range s.Roles {
				grp.Case(jen.Lit(r.Name)).Return(jen.Id(g.roleConst[r]))
			}
		}),
		jen.Return(jen.Lit(0)),
	)

	// Scopes.
	comment(f, "ScopeType is a scope type: how one role assignment selects the resources it covers.\nThe zero ScopeType is no scope.")
	f.Type().Id("ScopeType").Uint16()
	if len(s.Scopes) > 0 {
		f.Const().DefsFunc(func(grp *jen.Group) {
			for i, sc := range s.Scopes {
				grp.Add(doc(g.scopeConst[sc], "is the scope type "+sc.Name, sc.Description))
				if i == 0 {
					grp.Id(g.scopeConst[sc]).Id("ScopeType").Op("=").Iota().Op("+").Lit(1)
				} else {
					grp.Id(g.scopeConst[sc])
				}
			}
		})
	}
	scopeNames := []jen.Code{jen.Lit("")}
	for _, sc := range s.Scopes {
		scopeNames = append(scopeNames, jen.Lit(sc.Name))
	}
	f.Var().Id("scopeNames").Op("=").Index(jen.Op("...")).String().Values(scopeNames...)
	comment(f, "String returns the scope type's name.")
	f.Func().Params(jen.Id("t").Id("ScopeType")).Id("String").Params().String().Block(
		jen.If(jen.Id("t").Op(">").Lit(0).Op("&&").Int().Parens(jen.Id("t")).Op("<").Len(jen.Id("scopeNames"))).Block(jen.Return(jen.Id("scopeNames").Index(jen.Id("t")))),
		jen.Return(jen.Lit("ScopeType(").Op("+").Qual("strconv", "Itoa").Call(jen.Int().Parens(jen.Id("t"))).Op("+").Lit(")")),
	)
	comment(f, "scopeSet is a set of scope types.")
	f.Type().Id("scopeSet").Index(jen.Lit(g.scopeWords())).Uint64()
	f.Func().Params(jen.Id("s").Op("*").Id("scopeSet")).Id("has").Params(jen.Id("t").Id("ScopeType")).Bool().Block(
		jen.Return(jen.Int().Parens(jen.Id("t")).Op("<").Len(jen.Id("scopeNames")).Op("&&").Id("s").Index(jen.Id("t").Op("/").Lit(64)).Op("&").Parens(jen.Lit(1).Op("<<").Parens(jen.Id("t").Op("%").Lit(64))).Op("!=").Lit(0)))
	f.Func().Params(jen.Id("s").Op("*").Id("scopeSet")).Id("add").Params(jen.Id("t").Id("ScopeType")).Block(
		jen.Id("s").Index(jen.Id("t").Op("/").Lit(64)).Op("|=").Lit(1).Op("<<").Parens(jen.Id("t").Op("%").Lit(64)))

	for _, sc := range s.Scopes {
		if g.scopeType[sc] == "" {
			continue
		}
		f.Add(doc(g.scopeType[sc], "holds the parameters of scope type "+sc.Name, sc.Description))
		f.Type().Id(g.scopeType[sc]).Struct(g.attrFields(sc, sc.Params)...)
	}
	comment(f, "Scope is where one role assignment applies: a scope type and that type's parameters\n(only the field of its type is read). The At functions build one.")
	f.Type().Id("Scope").StructFunc(func(grp *jen.Group) {
		grp.Id("Type").Id("ScopeType")
		for _, sc := range s.Scopes {
			if g.scopeType[sc] != "" {
				grp.Id(g.scopeField[sc]).Id(g.scopeType[sc])
			}
		}
	})
	for _, sc := range s.Scopes {
		var params, values []jen.Code
		pns := newNamespace(nil, "runtime", "time")
		for _, p := range sc.Params {
			name := pns.name(lowerCamel(p.Name))
			params = append(params, jen.Id(name).Add(g.attrType(p.Type)))
			values = append(values, jen.Id(g.fields[sc][p.Name]).Op(":").Id(name))
		}
		lit := jen.Dict{jen.Id("Type"): jen.Id(g.scopeConst[sc])}
		if g.scopeType[sc] != "" {
			lit[jen.Id(g.scopeField[sc])] = jen.Id(g.scopeType[sc]).Values(values...)
		}
		f.Add(doc(g.scopeCtor[sc], "returns a Scope of type "+sc.Name, sc.Description))
		f.Func().Id(g.scopeCtor[sc]).Params(params...).Id("Scope").Block(jen.Return(jen.Id("Scope").Values(lit)))
	}

	// Principal, context, credential, resources.
	comment(f, "Assignment gives a principal a role at a scope.")
	f.Type().Id("Assignment").Struct(
		jen.Id("Role").Id("Role"),
		jen.Id("Scope").Id("Scope"),
		cmt("incomplete is set by the JSON decoder when a scope parameter is missing: such\nan assignment grants nothing."),
		jen.Id("incomplete").Bool(),
	)
	comment(f, "Principal is the user or service asking.")
	f.Type().Id("Principal").Struct(append(append([]jen.Code{
		jen.Id("ID").String()},
		g.attrFields(principalObj, s.Principal)...),
		cmt("Roles are the principal's role assignments, tried in order."),
		jen.Id("Roles").Index().Id("Assignment"))...)
	comment(f, "Context holds the attributes of the request itself.")
	f.Type().Id("Context").Struct(g.attrFields(contextObj, s.Context)...)
	comment(f, `Credential is an API key or token: it only narrows what its principal may do. A nil
*Credential is no credential, which narrows nothing.

A Credential allows only the permissions its Scopes, Permissions or Roles unlock: one
whose lists are empty, nil or not, unlocks nothing. To let a credential keep every
permission of its principal (a legacy API key, a token limited only by its Filters),
set AllPermissions. A host that copies a token's scopes into Scopes, whether the
token has any or not, so never widens access by mistake.`)
	f.Type().Id("Credential").Struct(append([]jen.Code{
		cmt("Scopes are OAuth scopes; each unlocks the permissions the spec gives it."),
		jen.Id("Scopes").Index().String(),
		cmt("Permissions are permission patterns (library.view, library.*, *) it unlocks."),
		jen.Id("Permissions").Index().String(),
		cmt("Roles unlock every permission of the roles named (built in or custom)."),
		jen.Id("Roles").Index().String(),
		cmt("AllPermissions makes the credential unlock every permission, as a request's\ncredential without \"scopes\", \"permissions\" and \"roles\" does. It has effect\nonly while Scopes, Permissions and Roles are all empty: a credential that lists\nanything allows only what the lists unlock."),
		jen.Id("AllPermissions").Bool(),
		cmt("Filters are \"name:value\" restrictions; the resource must match one value of each\nname given."),
		jen.Id("Filters").Index().String(),
	}, g.attrFields(credentialObj, s.Credentials.Attributes)...)...)
	for _, r := range s.Resources {
		what := "is a resource of type " + r.Name
		f.Add(doc(g.resStruct[r], what, r.Description))
		f.Type().Id(g.resStruct[r]).Struct(append([]jen.Code{jen.Id("ID").String()}, g.attrFields(r, r.Attributes)...)...)
	}
	f.Var().Defs(
		jen.Id("zeroPrincipal").Id("Principal"),
		jen.Id("zeroContext").Id("Context"),
		jen.Id("zeroCredential").Id("Credential"),
	)

	g.authorizer(f)
	g.metadata(f)
	return f
}

func permExample(s *spec.Spec) string {
	if len(s.Permissions) > 0 {
		return fmt.Sprintf("%q", s.Permissions[0].Name)
	}
	return `"doc.read"`
}

// authorizer emits the Authorizer: custom roles and their validation.
func (g *generator) authorizer(f *jen.File) {
	s := g.s
	comment(f, "Authorizer decides requests, with the custom roles loaded into it. Its methods are\nsafe for concurrent use; LoadRolesJSON may run while checks do. The zero Authorizer has\nno custom roles and is ready to use.")
	f.Type().Id("Authorizer").Struct(
		jen.Id("_").Index(jen.Lit(0)).Func().Params().Comment("not comparable: no equality function to link"),
		jen.Id("opts").Id("Options"),
		jen.Id("mu").Qual("sync", "Mutex").Comment("serializes LoadRolesJSON"),
		cmt("fresh is how many Roles custom roles have been given: the next new name gets\nthe Role after the built-in roles and those. A name keeps its Role while it stays\nloaded; nothing else about the roles of past loads is kept."),
		jen.Id("fresh").Uint32(),
		jen.Id("roles").Qual("sync/atomic", "Pointer").Types(jen.Id("roleTable")),
		jen.Id("steps").Qual("sync/atomic", "Int64").Comment("the evaluation budget; 0 is the default"),
	)
	comment(f, "roleTable is one generation of custom roles, replaced whole on each load: what the\nlast one held is freed with it.")
	f.Type().Id("roleTable").Struct(
		jen.Id("custom").Map(jen.Id("Role")).Op("*").Id("roleInfo"),
		jen.Id("names").Map(jen.String()).Id("Role"),
	)
	comment(f, "Options configure an Authorizer. A field of zero (or less) takes its default, the limit\nevery permc backend applies.")
	f.Type().Id("Options").Struct(
		cmt("MaxRequestBytes bounds a request CheckJSON or PlanJSON takes\n(runtime.DefaultMaxRequestBytes, 1 MiB, when unset): a longer one is an error, found\nbefore it is parsed."),
		jen.Id("MaxRequestBytes").Int(),
		cmt("MaxRolesBytes bounds the custom roles LoadRolesJSON takes\n(runtime.DefaultMaxRolesBytes, 1 MiB, when unset)."),
		jen.Id("MaxRolesBytes").Int(),
	)
	comment(f, "NewAuthorizer returns an Authorizer without custom roles. Of opts, the last counts;\nwithout any, the defaults do.")
	f.Func().Id("NewAuthorizer").Params(jen.Id("opts").Op("...").Id("Options")).Op("*").Id("Authorizer").Block(
		jen.Id("a").Op(":=").Op("&").Id("Authorizer").Values(),
		jen.For(jen.List(jen.Id("_"), jen.Id("o")).Op(":=").Range().Id("opts")).Block(jen.Id("a").Dot("opts").Op("=").Id("o")),
		jen.Return(jen.Id("a")),
	)

	comment(f, `SetBudget sets the evaluation budget of every later check and plan: each may take at
most steps steps (see runtime.Budget for what a step is). steps < 1 restores the
default, runtime.DefaultBudget (10,000,000). It is safe to call while checks run.`)
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("SetBudget").Params(jen.Id("steps").Int64()).Block(
		jen.Id("a").Dot("steps").Dot("Store").Call(jen.Id("steps")))
	comment(f, "newBudget returns the budget of one check or plan.")
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("newBudget").Params().Qual(rt, "Budget").Block(
		jen.Return(jen.Qual(rt, "NewBudget").Call(jen.Id("a").Dot("steps").Dot("Load").Call())))

	comment(f, "role returns the role r is, or nil for an unknown role. Built-in roles are an index\ninto a table; it is small enough to inline.")
	f.Func().Params(jen.Id("t").Op("*").Id("roleTable")).Id("role").Params(jen.Id("r").Id("Role")).Op("*").Id("roleInfo").Block(
		jen.If(jen.Id("n").Op(":=").Id("r").Op("-").Lit(1), jen.Id("n").Op("<").Id("Role").Parens(jen.Len(jen.Id("builtinRoles")))).Block(
			jen.Return(jen.Op("&").Id("builtinRoles").Index(jen.Id("n")))),
		jen.Return(jen.Id("t").Dot("customRole").Call(jen.Id("r"))),
	)
	f.Func().Params(jen.Id("t").Op("*").Id("roleTable")).Id("customRole").Params(jen.Id("r").Id("Role")).Op("*").Id("roleInfo").Block(
		jen.If(jen.Id("t").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.Return(jen.Id("t").Dot("custom").Index(jen.Id("r"))),
	)
	comment(f, "byName returns the role called name, built in or custom, or 0.")
	f.Func().Params(jen.Id("t").Op("*").Id("roleTable")).Id("byName").Params(jen.Id("name").String()).Id("Role").Block(
		jen.If(jen.Id("r").Op(":=").Id("builtinRole").Call(jen.Id("name")), jen.Id("r").Op("!=").Lit(0)).Block(jen.Return(jen.Id("r"))),
		jen.If(jen.Id("t").Op("!=").Nil()).Block(jen.Return(jen.Id("t").Dot("names").Index(jen.Id("name")))),
		jen.Return(jen.Lit(0)),
	)
	comment(f, "Role returns the role called name: a built-in role, or a custom role loaded now.")
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("Role").Params(jen.Id("name").String()).Params(jen.Id("Role"), jen.Bool()).Block(
		jen.Id("r").Op(":=").Id("a").Dot("roles").Dot("Load").Call().Dot("byName").Call(jen.Id("name")),
		jen.Return(jen.Id("r"), jen.Id("r").Op("!=").Lit(0)),
	)
	comment(f, "RoleName returns the name of role r, or \"\" when r is not a role now.")
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("RoleName").Params(jen.Id("r").Id("Role")).String().Block(
		jen.If(jen.Id("info").Op(":=").Id("a").Dot("roles").Dot("Load").Call().Dot("role").Call(jen.Id("r")), jen.Id("info").Op("!=").Nil()).Block(jen.Return(jen.Id("info").Dot("name"))),
		jen.Return(jen.Lit("")),
	)

	// The catalog for validating custom roles: the spec's own, as the spec loader
	// validates with it.
	c := s.Catalog()
	lits := func(xs []string) jen.Code {
		var out []jen.Code
		for _, x := range xs {
			out = append(out, jen.Lit(x))
		}
		return jen.Index().String().Values(out...)
	}
	ints := func(xs []int) jen.Code {
		var out []jen.Code
		for _, x := range xs {
			out = append(out, jen.Lit(x))
		}
		return jen.Index().Int().Values(out...)
	}
	catalog := jen.Dict{
		jen.Id("Resources"):          lits(c.Resources),
		jen.Id("Permissions"):        lits(c.Permissions),
		jen.Id("PermissionResource"): ints(c.PermissionResource),
		jen.Id("Scopes"):             lits(c.Scopes),
		jen.Id("Roles"):              lits(c.Roles),
	}
	if c.NoCustomRoles {
		catalog[jen.Id("NoCustomRoles")] = jen.True()
	}
	if c.CustomPermissions != nil {
		catalog[jen.Id("CustomPermissions")] = ints(c.CustomPermissions)
		catalog[jen.Id("CustomPatterns")] = lits(c.CustomPatterns)
	}
	if c.CustomScopes != nil {
		catalog[jen.Id("CustomScopes")] = ints(c.CustomScopes)
	}
	if c.DefaultScopes != nil {
		catalog[jen.Id("DefaultScopes")] = ints(c.DefaultScopes)
	}
	comment(f, "catalog lists the spec's names for validating custom roles and credential patterns, and\nits bounds on custom roles.")
	f.Var().Id("catalog").Op("=").Op("&").Qual(rt, "Catalog").Values(catalog)

	comment(f, `LoadRolesJSON replaces the custom roles with those in data: a JSON array of
{"name", "description", "permissions", "scopes"} (or {"roles": [...]}), validated
against the spec and its bounds on custom roles (its custom_roles section); a role
that lists no scopes may be assigned where the bounds' default says.

A custom role keeps its Role across loads for as long as every load has it. A role
that a load leaves out is forgotten: its Role is no role any more (an assignment of it
grants nothing, with a warning), and if a later load has the name again, it gets a
new Role. So what the roles of past loads held is freed, however many names come and
go.

# Errors

Every problem is reported, one per line: malformed JSON, a name that is not
lower_snake_case, a duplicate name, a clash with a built-in role, an unknown
permission or scope, an empty permissions or scopes list, a permission or scope
outside the spec's bounds; data longer than Options.MaxRolesBytes. On error the roles
in force stay in force.`)
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("LoadRolesJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		retIfErr(rtCall("CheckRolesLength", jen.Len(jen.Id("data")), jen.Id("a").Dot("opts").Dot("MaxRolesBytes"))),
		jen.List(jen.Id("roles"), jen.Err()).Op(":=").Id("catalog").Dot("ParseCustomRoles").Call(jen.Id("data")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("a").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("a").Dot("mu").Dot("Unlock").Call(),
		jen.Id("old").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.Id("fresh").Op(":=").Id("a").Dot("fresh"),
		jen.Id("t").Op(":=").Op("&").Id("roleTable").Values(jen.Dict{
			jen.Id("custom"): jen.Make(jen.Map(jen.Id("Role")).Op("*").Id("roleInfo"), jen.Len(jen.Id("roles"))),
			jen.Id("names"):  jen.Make(jen.Map(jen.String()).Id("Role"), jen.Len(jen.Id("roles"))),
		}),
		jen.For(jen.List(jen.Id("_"), jen.Id("cr")).Op(":=").Range().Id("roles")).Block(
			jen.Var().Id("id").Id("Role"),
			jen.If(jen.Id("old").Op("!=").Nil()).Block(jen.Id("id").Op("=").Id("old").Dot("names").Index(jen.Id("cr").Dot("Name"))),
			jen.If(jen.Id("id").Op("==").Lit(0)).Block(
				jen.If(jen.Id("fresh").Op(">=").Qual("math", "MaxUint32").Op("-").Uint32().Parens(jen.Len(jen.Id("builtinRoles")))).Block(
					jen.Return(jen.Qual(rt, "Errorf").Call(jen.Lit("custom roles: this Authorizer has given out every Role; use a new one")))),
				jen.Id("fresh").Op("++"),
				jen.Id("id").Op("=").Id("Role").Parens(jen.Len(jen.Id("builtinRoles"))).Op("+").Id("Role").Parens(jen.Id("fresh")),
			),
			jen.Id("info").Op(":=").Op("&").Id("roleInfo").Values(jen.Dict{jen.Id("name"): jen.Id("cr").Dot("Name"), jen.Id("anyScope"): jen.Id("cr").Dot("Scopes").Op("==").Nil()}),
			jen.For(jen.List(jen.Id("_"), jen.Id("p")).Op(":=").Range().Id("cr").Dot("Permissions")).Block(
				jen.Id("info").Dot("grants").Dot("Add").Call(jen.Id("Permission").Parens(jen.Id("p")))),
			jen.Var().Id("only").Index().String(),
			jen.For(jen.List(jen.Id("_"), jen.Id("sc")).Op(":=").Range().Id("cr").Dot("Scopes")).Block(
				jen.Id("info").Dot("scopes").Dot("add").Call(jen.Id("ScopeType").Parens(jen.Id("sc").Op("+").Lit(1))),
				jen.Id("only").Op("=").Append(jen.Id("only"), jen.Id("scopeNames").Index(jen.Id("sc").Op("+").Lit(1))),
			),
			jen.Id("info").Dot("onlyAt").Op("=").Qual("strings", "Join").Call(jen.Id("only"), jen.Lit(", ")),
			jen.Id("t").Dot("custom").Index(jen.Id("id")).Op("=").Id("info"),
			jen.Id("t").Dot("names").Index(jen.Id("cr").Dot("Name")).Op("=").Id("id"),
		),
		jen.Id("a").Dot("fresh").Op("=").Id("fresh"),
		jen.Id("a").Dot("roles").Dot("Store").Call(jen.Id("t")),
		jen.Return(jen.Nil()),
	)
}

// resourcePermissions writes the permission type of resource type r, its constants
// (numbered as in Permission) and the type of a set of them.
func (g *generator) resourcePermissions(f *jen.File, r *spec.Resource) {
	pt, set := g.resPermType[r], g.resPermSet[r]
	comment(f, fmt.Sprintf("%s is a permission on %s: what %s takes.", pt, r.Indefinite(), g.resCheck[r]))
	f.Type().Id(pt).Id("Permission")
	var consts []jen.Code
	f.Const().DefsFunc(func(grp *jen.Group) {
		for i, p := range r.Permissions {
			consts = append(consts, jen.Id(g.permConst[p]))
			grp.Add(doc(g.permConst[p], "is "+p.Name, p.Description))
			switch {
			case i > 0:
				grp.Id(g.permConst[p])
			case p.Index == 0:
				grp.Id(g.permConst[p]).Id(pt).Op("=").Iota()
			default:
				grp.Id(g.permConst[p]).Id(pt).Op("=").Iota().Op("+").Lit(p.Index)
			}
		}
	})
	comment(f, fmt.Sprintf("String returns the permission's name, such as %q.", r.Permissions[0].Name))
	f.Func().Params(jen.Id("p").Id(pt)).Id("String").Params().String().Block(
		jen.Return(jen.Id("Permission").Parens(jen.Id("p")).Dot("String").Call()))
	comment(f, fmt.Sprintf("%s returns the permission on %s called name, such as %q:\nfor a permission known only by its name.", g.resPermByName[r], r.Indefinite(), r.Permissions[0].Name))
	f.Func().Id(g.resPermByName[r]).Params(jen.Id("name").String()).Params(jen.Id(pt), jen.Bool()).Block(
		jen.If(jen.List(jen.Id("p"), jen.Id("ok")).Op(":=").Id("permissionByName").Call(jen.Id("name")), jen.Id("ok").Op("&&").Id("permissionResource").Index(jen.Id("p")).Op("==").Lit(r.Index)).Block(
			jen.Return(jen.Id(pt).Parens(jen.Id("p")), jen.True())),
		jen.Return(jen.Lit(0), jen.False()),
	)

	comment(f, fmt.Sprintf("%s is a set of permissions on %s, as %s returns. The zero\nvalue is the empty set.", set, r.Indefinite(), g.resPerms[r]))
	f.Type().Id(set).Struct(jen.Id("set").Id("PermissionSet"))
	comment(f, "Has reports whether p is in the set.")
	f.Func().Params(jen.Id("s").Id(set)).Id("Has").Params(jen.Id("p").Id(pt)).Bool().Block(
		jen.Return(jen.Id("s").Dot("set").Dot("Has").Call(jen.Id("Permission").Parens(jen.Id("p")))))
	comment(f, "Permissions lists the set's permissions in spec order.")
	f.Func().Params(jen.Id("s").Id(set)).Id("Permissions").Params().Index().Id(pt).Block(
		jen.Var().Id("out").Index().Id(pt),
		jen.For(jen.List(jen.Id("_"), jen.Id("p")).Op(":=").Range().Index(jen.Op("...")).Id(pt).Values(consts...)).Block(
			jen.If(jen.Id("s").Dot("Has").Call(jen.Id("p"))).Block(
				jen.Id("out").Op("=").Append(jen.Id("out"), jen.Id("p")))),
		jen.Return(jen.Id("out")),
	)
}
