package gen

import (
	"sort"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/spec"
)

func rtCall(name string, args ...jen.Code) *jen.Statement { return jen.Qual(rt, name).Call(args...) }

// retIfErr is `if err := call; err != nil { return err }`.
func retIfErr(call jen.Code) jen.Code {
	return jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
}

// decoder returns a function value decoding a JSON value of type t.
func (g *generator) decoder(t *spec.Type) jen.Code {
	switch t.Kind {
	case spec.Bool:
		return jen.Qual(rt, "DecodeBool")
	case spec.Int:
		return jen.Qual(rt, "DecodeInt")
	case spec.Uint:
		return jen.Qual(rt, "DecodeUint")
	case spec.Double:
		return jen.Qual(rt, "DecodeDouble")
	case spec.String:
		return jen.Qual(rt, "DecodeString")
	case spec.Bytes:
		return jen.Qual(rt, "DecodeBytes")
	case spec.Timestamp:
		return jen.Qual(rt, "DecodeTimestamp")
	case spec.Duration:
		return jen.Qual(rt, "DecodeDuration")
	}
	of := "DecodeListOf"
	if t.Kind == spec.Map {
		of = "DecodeMapOf"
	}
	return jen.Func().Params(jen.Id("j").Op("*").Qual(rt, "JSON"), jen.Id("where").String()).Params(g.attrType(t), jen.Error()).Block(
		jen.Return(jen.Qual(rt, of).Call(jen.Id("j"), jen.Id("where"), g.decoder(t.Elem))))
}

// warn is the statement giving role assignment i the warning msg, in the decision d.
func warn(msg jen.Code) jen.Code { return jen.Id("d").Dot("Warn").Call(jen.Id("i"), msg) }

// decodeValue is the call decoding j (type t) at where, inside a function where ps is
// the request's *runtime.Parser.
func (g *generator) decodeValue(t *spec.Type, j, where jen.Code) jen.Code {
	switch t.Kind {
	case spec.List:
		if t.Elem.Kind == spec.String {
			// The common list, decoded into the Parser's memory without allocating.
			return jen.Id("ps").Dot("Strings").Call(j, where, jen.Lit("an array"))
		}
		return jen.Qual(rt, "DecodeListOf").Call(j, where, g.decoder(t.Elem))
	case spec.Map:
		return jen.Qual(rt, "DecodeMapOf").Call(j, where, g.decoder(t.Elem))
	}
	return jen.Add(g.decoder(t)).Call(j, where)
}

// attrDecoder emits func name(j *runtime.JSON, v *T, where string) error, decoding an
// attributes object into v: undeclared attributes and wrong types are errors, null and
// omitted attributes keep their zero values, unless they are required: an omitted one
// is an error, and null a value of the wrong kind.
func (g *generator) attrDecoder(f *jen.File, name, goType string, obj any, attrs []*spec.Attribute, what, where string) {
	namesVar := g.ns.name(name + "Names")
	var names []jen.Code
	for _, a := range attrs {
		names = append(names, jen.Lit(a.Name))
	}
	f.Var().Id(namesVar).Op("=").Index().String().Values(names...)
	var cases, required []jen.Code
	missing := func(a *spec.Attribute) jen.Code {
		return jen.Return(rtCall("Errorf", jen.Lit(where+"."+a.Name+" is required")))
	}
	var absent jen.Code = jen.Return(jen.Nil())
	for _, a := range attrs {
		var stmts []jen.Code
		if a.Required {
			if len(required) == 0 {
				absent = missing(a)
			}
			required = append(required, jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("j").Dot("Get").Call(jen.Lit(a.Name)), jen.Op("!").Id("ok")).Block(missing(a)))
		} else {
			stmts = append(stmts, jen.If(jen.Id("v").Dot("Kind").Op("==").Qual(rt, "JSONNull")).Block(jen.Continue()))
		}
		cases = append(cases, jen.Case(jen.Lit(a.Name)).Block(append(stmts,
			jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(g.decodeValue(a.Type, jen.Id("v"), jen.Lit(where+"."+a.Name))),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id("dst").Dot(g.fields[obj][a.Name]).Op("=").Id("x"),
		)...))
	}
	cases = append(cases, jen.Default().Return(rtCall("UndeclaredAttribute", jen.Lit(where), jen.Id("k"), jen.Id(namesVar))))
	loop := jen.For(jen.List(jen.Id("i"), jen.Id("k")).Op(":=").Range().Id("j").Dot("Keys")).Block(
		jen.Id("v").Op(":=").Op("&").Id("j").Dot("Elems").Index(jen.Id("i")),
		jen.Switch(jen.Id("k")).Block(cases...),
	)
	if len(attrs) == 0 {
		loop = jen.If(jen.Len(jen.Id("j").Dot("Keys")).Op(">").Lit(0)).Block(
			jen.Return(rtCall("UndeclaredAttribute", jen.Lit(where), jen.Id("j").Dot("Keys").Index(jen.Lit(0)), jen.Id(namesVar))))
	}
	comment(f, name+" decodes the attributes of "+what+" ("+where+") into dst.")
	body := []jen.Code{
		jen.If(jen.Id("j").Op("==").Nil()).Block(absent),
		retIfErr(rtCall("WantObject", jen.Id("j"), jen.Lit(where))),
		loop,
	}
	if len(required) > 0 {
		body = append(body, cmt("Required attributes, in declared order."))
		body = append(body, required...)
	}
	f.Func().Id(name).Params(jen.Id("ps").Op("*").Qual(rt, "Parser"), jen.Id("j").Op("*").Qual(rt, "JSON"), jen.Id("dst").Op("*").Id(goType)).Error().Block(
		append(body, jen.Return(jen.Nil()))...)
}

func (g *generator) jsonFile() *jen.File {
	s := g.s
	f := jen.NewFile(g.pkg)
	g.header(f)

	comment(f, `CheckJSON appends to dst the answer to one request given as JSON: the decision, or
{"error": "..."} for a malformed request, or one longer than Options.MaxRequestBytes.
Answers are byte for byte those of permc's reference evaluator.`)
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("CheckJSON").Params(jen.List(jen.Id("dst"), jen.Id("req")).Index().Byte()).Index().Byte().Block(
		jen.Var().Id("d").Qual(rt, "Decision"),
		jen.If(jen.Err().Op(":=").Id("a").Dot("checkJSON").Call(jen.Op("&").Id("d"), jen.Id("req")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(rtCall("AppendErrorJSON", jen.Id("dst"), jen.Err().Dot("Error").Call()))),
		jen.Return(jen.Id("d").Dot("AppendJSON").Call(jen.Id("dst"))),
	)

	var sorted []string
	for _, r := range s.Resources {
		sorted = append(sorted, r.Name)
	}
	sort.Strings(sorted)
	var sortedLits []jen.Code
	for _, n := range sorted {
		sortedLits = append(sortedLits, jen.Lit(n))
	}
	f.Var().Id("sortedResourceNames").Op("=").Index().String().Values(sortedLits...)

	var cases []jen.Code
	for _, r := range s.Resources {
		cases = append(cases, jen.Case(jen.Lit(r.Name)).Block(
			jen.Id("r").Op(":=").Op("&").Id(g.resStruct[r]).Values(),
			jen.If(jen.List(jen.Id("r").Dot("ID"), jen.Err()).Op("=").Add(rtCall("WantString", rtCall("Field", jen.Id("rj"), jen.Lit("id")), jen.Lit("resource.id"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			retIfErr(jen.Id(g.resDecode[r]).Call(jen.Op("&").Id("st").Dot("ps"), rtCall("Field", jen.Id("rj"), jen.Lit("attributes")), jen.Id("r"))),
			jen.List(jen.Id("perm"), jen.Err()).Op(":=").Id("decodePermission").Call(jen.Id("doc"), jen.Id("typ"), jen.Lit(r.Index), jen.Id(g.resNames[r])),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id("q").Op(":=").Op("&").Id("st").Dot("q"),
			retIfErr(jen.Id("q").Dot("decode").Call(jen.Op("&").Id("st").Dot("ps"), jen.Id("doc"), jen.Id("t"), jen.Id("d"))),
			jen.Id("budget").Op(":=").Id("a").Dot("newBudget").Call(),
			jen.Id("a").Dot(g.resDecide[r]).Call(jen.Id("d"), jen.Op("&").Id("budget"), jen.Id("t"), jen.Op("&").Id("q").Dot("principal"), jen.Id(g.resPermType[r]).Parens(jen.Id("perm")), jen.Id("r"), jen.Id("q").Dot("cred"), jen.Op("&").Id("q").Dot("ctx"), jen.False()),
			jen.Return(jen.Nil()),
		))
	}
	comment(f, `jsonState is the memory a JSON check decodes its request into: the parsed document,
whose strings alias the request's bytes, and the principal, context and credential.
The next check reuses it, so that a check like the last one allocates nothing.`)
	f.Type().Id("jsonState").Struct(
		jen.Id("ps").Qual(rt, "Parser"),
		jen.Id("q").Id("request"),
	)
	comment(f, `jsonStates holds the states no check is using. A free list under a mutex rather
than a sync.Pool: in a Wasm module a type stored in an interface keeps every method of
every type it holds, which would bring in time's formatting code (about 40 KB), and
sync.Pool's own code is as large again.`)
	f.Var().Id("jsonStates").Struct(
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("free").Index().Op("*").Id("jsonState"),
	)
	comment(f, "getJSONState returns a state from the free list, or a new one.")
	f.Func().Id("getJSONState").Params().Op("*").Id("jsonState").Block(
		jen.Var().Id("st").Op("*").Id("jsonState"),
		jen.Id("jsonStates").Dot("mu").Dot("Lock").Call(),
		jen.If(jen.Id("n").Op(":=").Len(jen.Id("jsonStates").Dot("free")), jen.Id("n").Op(">").Lit(0)).Block(
			jen.Id("st").Op("=").Id("jsonStates").Dot("free").Index(jen.Id("n").Op("-").Lit(1)),
			jen.Id("jsonStates").Dot("free").Op("=").Id("jsonStates").Dot("free").Index(jen.Empty(), jen.Id("n").Op("-").Lit(1)),
		),
		jen.Id("jsonStates").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("st").Op("==").Nil()).Block(jen.Id("st").Op("=").New(jen.Id("jsonState"))),
		jen.Return(jen.Id("st")),
	)
	comment(f, `putJSONState gives st back. The list keeps a few states, enough for the checks that
run at once on a machine's cores, and none that a large request made large.`)
	f.Func().Id("putJSONState").Params(jen.Id("st").Op("*").Id("jsonState")).Block(
		jen.Id("jsonStates").Dot("mu").Dot("Lock").Call(),
		jen.If(jen.Len(jen.Id("jsonStates").Dot("free")).Op("<").Lit(64).Op("&&").Op("!").Id("st").Dot("ps").Dot("Large").Call()).Block(
			jen.Id("jsonStates").Dot("free").Op("=").Append(jen.Id("jsonStates").Dot("free"), jen.Id("st")),
		),
		jen.Id("jsonStates").Dot("mu").Dot("Unlock").Call(),
	)
	comment(f, "checkJSON decodes a request as strictly as the reference evaluator, in the same\norder and with the same messages, and decides it.")
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("checkJSON").Params(jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("data").Index().Byte()).Error().Block(
		retIfErr(rtCall("CheckRequestLength", jen.Len(jen.Id("data")), jen.Id("a").Dot("opts").Dot("MaxRequestBytes"))),
		jen.Id("st").Op(":=").Id("getJSONState").Call(),
		jen.Err().Op(":=").Id("a").Dot("checkJSONWith").Call(jen.Id("st"), jen.Id("d"), jen.Id("data")),
		jen.Id("putJSONState").Call(jen.Id("st")),
		jen.Return(jen.Err()),
	)
	comment(f, "checkJSONWith is checkJSON decoding into st.")
	f.Func().Params(jen.Id("a").Op("*").Id("Authorizer")).Id("checkJSONWith").Params(jen.Id("st").Op("*").Id("jsonState"), jen.Id("d").Op("*").Qual(rt, "Decision"), jen.Id("data").Index().Byte()).Error().Block(
		jen.List(jen.Id("doc"), jen.Err()).Op(":=").Id("st").Dot("ps").Dot("Parse").Call(jen.Id("data")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		retIfErr(rtCall("WantObject", jen.Id("doc"), jen.Lit("request"))),
		retIfErr(rtCall("CheckKeys", jen.Id("doc"), jen.Lit("request"), jen.Lit("principal"), jen.Lit("resource"), jen.Lit("permission"), jen.Lit("credential"), jen.Lit("context"))),
		jen.Id("rj").Op(":=").Add(rtCall("Field", jen.Id("doc"), jen.Lit("resource"))),
		jen.If(jen.Id("rj").Op("==").Nil()).Block(jen.Return(rtCall("Errorf", jen.Lit("resource is required")))),
		retIfErr(rtCall("WantObject", jen.Id("rj"), jen.Lit("resource"))),
		retIfErr(rtCall("CheckKeys", jen.Id("rj"), jen.Lit("resource"), jen.Lit("type"), jen.Lit("id"), jen.Lit("attributes"))),
		jen.List(jen.Id("typ"), jen.Err()).Op(":=").Add(rtCall("WantString", rtCall("Field", jen.Id("rj"), jen.Lit("type")), jen.Lit("resource.type"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("t").Op(":=").Id("a").Dot("roles").Dot("Load").Call(),
		jen.Switch(jen.Id("typ")).Block(cases...),
		jen.Return(rtCall("Errorf", jen.Lit("unknown resource type "), rtCall("Quote", jen.Id("typ")), rtCall("DidYouMean", jen.Id("typ"), jen.Id("sortedResourceNames")))),
	)

	for _, r := range s.Resources {
		var names []jen.Code
		for _, p := range r.Permissions {
			names = append(names, jen.Lit(p.Name))
		}
		f.Var().Id(g.resNames[r]).Op("=").Index().String().Values(names...)
	}
	comment(f, "decodePermission decodes the request's permission, which must be one of the\nresource type's (res, typ, named names).")
	f.Func().Id("decodePermission").Params(jen.Id("doc").Op("*").Qual(rt, "JSON"), jen.Id("typ").String(), jen.Id("res").Int(), jen.Id("names").Index().String()).Params(jen.Id("Permission"), jen.Error()).Block(
		jen.List(jen.Id("name"), jen.Err()).Op(":=").Add(rtCall("WantString", rtCall("Field", jen.Id("doc"), jen.Lit("permission")), jen.Lit("permission"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
		jen.List(jen.Id("p"), jen.Id("ok")).Op(":=").Id("permissionByName").Call(jen.Id("name")),
		jen.If(jen.Id("ok").Op("&&").Int().Parens(jen.Id("permissionResource").Index(jen.Id("p"))).Op("==").Id("res")).Block(jen.Return(jen.Id("p"), jen.Nil())),
		jen.If(jen.Id("ok")).Block(jen.Return(jen.Lit(0), rtCall("Errorf", jen.Lit("permission "), rtCall("Quote", jen.Id("name")), jen.Lit(" is not a permission of resource type "), rtCall("Quote", jen.Id("typ")), jen.Lit(" (it has "), jen.Qual("strings", "Join").Call(jen.Id("names"), jen.Lit(", ")), jen.Lit(")")))),
		jen.Return(jen.Lit(0), rtCall("Errorf", jen.Lit("unknown permission "), rtCall("Quote", jen.Id("name")), rtCall("DidYouMean", jen.Id("name"), jen.Id("names")))),
	)

	comment(f, "request is what a request says besides its resource and permission.")
	f.Type().Id("request").Struct(
		jen.Id("principal").Id("Principal"),
		jen.Id("ctx").Id("Context"),
		jen.Id("cred").Op("*").Id("Credential").Comment("nil when the request has none, else &credential"),
		jen.Id("credential").Id("Credential"),
		jen.Id("assignments").Index().Id("Assignment").Comment("memory for principal.Roles, kept from one request to the next"),
	)
	comment(f, "decode decodes the principal with its role assignments (warning about invalid ones\nin d), the context and the credential, over what q held before.")
	f.Func().Params(jen.Id("q").Op("*").Id("request")).Id("decode").Params(jen.Id("ps").Op("*").Qual(rt, "Parser"), jen.Id("doc").Op("*").Qual(rt, "JSON"), jen.Id("t").Op("*").Id("roleTable"), jen.Id("d").Op("*").Qual(rt, "Decision")).Error().Block(
		jen.Op("*").Id("q").Op("=").Id("request").Values(jen.Dict{jen.Id("assignments"): jen.Id("q").Dot("assignments")}),
		jen.Id("pj").Op(":=").Add(rtCall("Field", jen.Id("doc"), jen.Lit("principal"))),
		jen.If(jen.Id("pj").Op("==").Nil()).Block(jen.Return(rtCall("Errorf", jen.Lit("principal is required")))),
		retIfErr(rtCall("WantObject", jen.Id("pj"), jen.Lit("principal"))),
		retIfErr(rtCall("CheckKeys", jen.Id("pj"), jen.Lit("principal"), jen.Lit("id"), jen.Lit("attributes"), jen.Lit("roles"))),
		jen.Var().Err().Error(),
		jen.If(jen.List(jen.Id("q").Dot("principal").Dot("ID"), jen.Err()).Op("=").Add(rtCall("WantString", rtCall("Field", jen.Id("pj"), jen.Lit("id")), jen.Lit("principal.id"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		retIfErr(jen.Id("decodePrincipalAttributes").Call(jen.Id("ps"), rtCall("Field", jen.Id("pj"), jen.Lit("attributes")), jen.Op("&").Id("q").Dot("principal"))),
		jen.If(jen.Id("roles").Op(":=").Add(rtCall("Field", jen.Id("pj"), jen.Lit("roles"))), jen.Id("roles").Op("!=").Nil()).Block(
			retIfErr(rtCall("WantArray", jen.Id("roles"), jen.Lit("principal.roles"))),
			jen.Id("q").Dot("assignments").Op("=").Add(rtCall("Resize", jen.Id("q").Dot("assignments"), jen.Len(jen.Id("roles").Dot("Elems")))),
			jen.Id("q").Dot("principal").Dot("Roles").Op("=").Id("q").Dot("assignments"),
			jen.For(jen.Id("i").Op(":=").Range().Id("roles").Dot("Elems")).Block(
				jen.Id("as").Op(":=").Op("&").Id("q").Dot("principal").Dot("Roles").Index(jen.Id("i")),
				cmt("The path of the assignment is built only for an error's message."),
				jen.If(jen.Id("decodeAssignment").Call(jen.Id("ps"), jen.Op("&").Id("roles").Dot("Elems").Index(jen.Id("i")), jen.Lit(""), jen.Id("i"), jen.Id("t"), jen.Id("as"), jen.Id("d")).Op("!=").Nil()).Block(
					jen.Return(jen.Id("decodeAssignment").Call(jen.Id("ps"), jen.Op("&").Id("roles").Dot("Elems").Index(jen.Id("i")), rtCall("ElemWhere", jen.Lit("principal.roles"), jen.Id("i")), jen.Id("i"), jen.Id("t"), jen.Id("as"), jen.Id("d")))),
			),
		),
		retIfErr(jen.Id("decodeContext").Call(jen.Id("ps"), rtCall("Field", jen.Id("doc"), jen.Lit("context")), jen.Op("&").Id("q").Dot("ctx"))),
		jen.Id("cj").Op(":=").Add(rtCall("Field", jen.Id("doc"), jen.Lit("credential"))),
		jen.If(jen.Id("cj").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		retIfErr(rtCall("WantObject", jen.Id("cj"), jen.Lit("credential"))),
		retIfErr(rtCall("CheckKeys", jen.Id("cj"), jen.Lit("credential"), jen.Lit("scopes"), jen.Lit("permissions"), jen.Lit("roles"), jen.Lit("filters"), jen.Lit("attributes"))),
		jen.Id("c").Op(":=").Op("&").Id("q").Dot("credential"),
		cmt("A credential without scopes, permissions and roles unlocks every permission. null\nis not an absent key: it is an error, so that a host writing a nil list as null\nnever widens a credential."),
		jen.Id("c").Dot("AllPermissions").Op("=").True(),
		jen.For(jen.List(jen.Id("_"), jen.Id("l")).Op(":=").Range().Index().Struct(jen.List(jen.Id("key"), jen.Id("where")).String(), jen.Id("dst").Op("*").Index().String(), jen.Id("narrows").Bool()).Values(
			jen.Values(jen.Lit("scopes"), jen.Lit("credential.scopes"), jen.Op("&").Id("c").Dot("Scopes"), jen.True()),
			jen.Values(jen.Lit("permissions"), jen.Lit("credential.permissions"), jen.Op("&").Id("c").Dot("Permissions"), jen.True()),
			jen.Values(jen.Lit("roles"), jen.Lit("credential.roles"), jen.Op("&").Id("c").Dot("Roles"), jen.True()),
			jen.Values(jen.Lit("filters"), jen.Lit("credential.filters"), jen.Op("&").Id("c").Dot("Filters"), jen.False()),
		)).Block(
			jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("cj").Dot("Get").Call(jen.Id("l").Dot("key")), jen.Id("ok")).Block(
				jen.If(jen.List(jen.Op("*").Id("l").Dot("dst"), jen.Err()).Op("=").Id("ps").Dot("Strings").Call(jen.Id("v"), jen.Id("l").Dot("where"), jen.Lit("an array of strings")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				jen.Id("c").Dot("AllPermissions").Op("=").Id("c").Dot("AllPermissions").Op("&&").Op("!").Id("l").Dot("narrows"),
			),
		),
		retIfErr(jen.Id("decodeCredentialAttributes").Call(jen.Id("ps"), rtCall("Field", jen.Id("cj"), jen.Lit("attributes")), jen.Id("c"))),
		jen.Id("q").Dot("cred").Op("=").Id("c"),
		jen.Return(jen.Nil()),
	)

	// Role assignments.
	var scopeCases []jen.Code
	for _, sc := range s.Scopes {
		stmts := []jen.Code{jen.Id("as").Dot("Scope").Dot("Type").Op("=").Id(g.scopeConst[sc])}
		if g.scopeType[sc] == "" {
			stmts = append(stmts, retIfErr(jen.Id("noParams").Call(jen.Id("sj"), jen.Id("where"), jen.Id("scope"))))
		} else {
			stmts = append(stmts,
				jen.List(jen.Id("seen"), jen.Err()).Op(":=").Id(g.scopeDec[sc]).Call(jen.Id("ps"), jen.Id("sj"), jen.Op("&").Id("as").Dot("Scope").Dot(g.scopeField[sc]), jen.Id("where")),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			)
			for i, p := range sc.Params {
				stmts = append(stmts, jen.If(jen.Op("!").Id("seen").Index(jen.Lit(i))).Block(
					jen.Id("missing").Op("=").Append(jen.Id("missing"), jen.Lit(p.Name))))
			}
		}
		scopeCases = append(scopeCases, jen.Case(jen.Lit(sc.Name)).Block(stmts...))
	}
	comment(f, "decodeAssignment decodes role assignment i into as. An unknown role or scope type, a\nrole not assignable at the scope or a missing scope parameter makes the assignment\ninvalid, with a warning in d; a malformed one is an error.")
	f.Func().Id("decodeAssignment").Params(jen.Id("ps").Op("*").Qual(rt, "Parser"), jen.Id("j").Op("*").Qual(rt, "JSON"), jen.Id("where").String(), jen.Id("i").Int(), jen.Id("t").Op("*").Id("roleTable"), jen.Id("as").Op("*").Id("Assignment"), jen.Id("d").Op("*").Qual(rt, "Decision")).Error().Block(
		retIfErr(rtCall("WantObject", jen.Id("j"), jen.Id("where"))),
		retIfErr(rtCall("CheckKeys", jen.Id("j"), jen.Id("where"), jen.Lit("role"), jen.Lit("scope"))),
		jen.List(jen.Id("role"), jen.Err()).Op(":=").Add(rtCall("WantString", rtCall("Field", jen.Id("j"), jen.Lit("role")), rtCall("Subpath", jen.Id("where"), jen.Lit(".role")))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("sj").Op(":=").Add(rtCall("Field", jen.Id("j"), jen.Lit("scope"))),
		jen.If(jen.Id("sj").Op("==").Nil()).Block(jen.Return(rtCall("Errorf", jen.Id("where"), jen.Lit(".scope is required")))),
		retIfErr(rtCall("WantObject", jen.Id("sj"), rtCall("Subpath", jen.Id("where"), jen.Lit(".scope")))),
		jen.List(jen.Id("scope"), jen.Err()).Op(":=").Add(rtCall("WantString", rtCall("Field", jen.Id("sj"), jen.Lit("type")), rtCall("Subpath", jen.Id("where"), jen.Lit(".scope.type")))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("as").Dot("Role").Op("=").Id("t").Dot("byName").Call(jen.Id("role")),
		jen.Id("info").Op(":=").Id("t").Dot("role").Call(jen.Id("as").Dot("Role")),
		jen.Var().Id("missing").Index().String(),
		jen.Switch(jen.Id("scope")).Block(scopeCases...),
		jen.If(jen.Id("info").Op("==").Nil()).Block(warn(jen.Lit("unknown role ").Op("+").Qual(rt, "Quote").Call(jen.Id("role")))),
		jen.If(jen.Id("as").Dot("Scope").Dot("Type").Op("==").Lit(0)).Block(warn(jen.Lit("unknown scope type ").Op("+").Qual(rt, "Quote").Call(jen.Id("scope")))),
		jen.If(jen.Id("info").Op("!=").Nil().Op("&&").Id("as").Dot("Scope").Dot("Type").Op("!=").Lit(0).Op("&&").Op("!").Id("info").Dot("anyScope").Op("&&").Op("!").Id("info").Dot("scopes").Dot("has").Call(jen.Id("as").Dot("Scope").Dot("Type"))).Block(
			warn(jen.Lit("role ").Op("+").Qual(rt, "Quote").Call(jen.Id("role")).Op("+").Lit(" cannot be assigned at scope ").Op("+").Qual(rt, "Quote").Call(jen.Id("scope")).Op("+").Lit(" (only at ").Op("+").Id("info").Dot("onlyAt").Op("+").Lit(")"))),
		jen.For(jen.List(jen.Id("_"), jen.Id("m")).Op(":=").Range().Id("missing")).Block(
			warn(jen.Lit("scope ").Op("+").Qual(rt, "Quote").Call(jen.Id("scope")).Op("+").Lit(" is missing parameter ").Op("+").Qual(rt, "Quote").Call(jen.Id("m"))),
			jen.Id("as").Dot("incomplete").Op("=").True(),
		),
		jen.Return(jen.Nil()),
	)
	comment(f, "noParams checks the scope object of a scope type without parameters.")
	f.Func().Id("noParams").Params(jen.Id("sj").Op("*").Qual(rt, "JSON"), jen.Id("where"), jen.Id("scope").String()).Error().Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Id("sj").Dot("Keys")).Block(
			jen.If(jen.Id("k").Op("!=").Lit("type")).Block(jen.Return(rtCall("Errorf", jen.Id("where"), jen.Lit(".scope: scope "), rtCall("Quote", jen.Id("scope")), jen.Lit(" has no parameter "), rtCall("Quote", jen.Id("k"))))),
		),
		jen.Return(jen.Nil()),
	)
	for _, sc := range s.Scopes {
		if g.scopeType[sc] == "" {
			continue
		}
		var names []jen.Code
		var cases []jen.Code
		for i, p := range sc.Params {
			names = append(names, jen.Lit(p.Name))
			cases = append(cases, jen.Case(jen.Lit(p.Name)).Block(
				jen.If(jen.Id("v").Dot("Kind").Op("==").Qual(rt, "JSONNull")).Block(jen.Continue()),
				jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(g.decodeValue(p.Type, jen.Id("v"), rtCall("Subpath", jen.Id("where"), jen.Lit(".scope."+p.Name)))),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("seen"), jen.Err())),
				jen.Id("dst").Dot(g.fields[sc][p.Name]).Op("=").Id("x"),
				jen.Id("seen").Index(jen.Lit(i)).Op("=").True(),
			))
		}
		cases = append(cases, jen.Default().Return(jen.Id("seen"), rtCall("Errorf", jen.Id("where"), jen.Lit(".scope: scope "+strconv.Quote(sc.Name)+" has no parameter "), rtCall("Quote", jen.Id("k")), rtCall("DidYouMean", jen.Id("k"), jen.Index().String().Values(names...)))))
		comment(f, g.scopeDec[sc]+" decodes the parameters of a scope of type "+sc.Name+" into dst, and reports\nwhich were given; where is the path of the assignment.")
		f.Func().Id(g.scopeDec[sc]).Params(jen.Id("ps").Op("*").Qual(rt, "Parser"), jen.Id("sj").Op("*").Qual(rt, "JSON"), jen.Id("dst").Op("*").Id(g.scopeType[sc]), jen.Id("where").String()).Params(jen.Id("seen").Index(jen.Lit(len(sc.Params))).Bool(), jen.Err().Error()).Block(
			jen.For(jen.List(jen.Id("i"), jen.Id("k")).Op(":=").Range().Id("sj").Dot("Keys")).Block(
				jen.If(jen.Id("k").Op("==").Lit("type")).Block(jen.Continue()),
				jen.Id("v").Op(":=").Op("&").Id("sj").Dot("Elems").Index(jen.Id("i")),
				jen.Switch(jen.Id("k")).Block(cases...),
			),
			jen.Return(jen.Id("seen"), jen.Nil()),
		)
	}

	g.attrDecoder(f, "decodePrincipalAttributes", "Principal", principalObj, s.Principal, "the principal", "principal.attributes")
	g.attrDecoder(f, "decodeContext", "Context", contextObj, s.Context, "the context", "context")
	g.attrDecoder(f, "decodeCredentialAttributes", "Credential", credentialObj, s.Credentials.Attributes, "the credential", "credential.attributes")
	for _, r := range s.Resources {
		g.attrDecoder(f, g.resDecode[r], g.resStruct[r], r, r.Attributes, r.Indefinite(), "resource.attributes")
	}
	return f
}
