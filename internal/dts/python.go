package dts

import (
	"strconv"
	"strings"

	"github.com/permc/permc/internal/version"
	"github.com/permc/permc/spec"
)

// GeneratePython returns the spec's requests and decisions as Python TypedDicts, its
// permissions, roles, scope types, rules and credential names as Literals, for the
// Python host (wasm/python): what Generate writes for TypeScript. The file is valid
// Python 3.10 as well as a stub, so it may be imported (as a .py file) or only read by
// type checkers (as a .pyi file). source names the spec in the header.
func GeneratePython(s *spec.Spec, source string) []byte {
	w := &writer{s: s, taken: map[string]bool{}}
	for _, n := range append(fixedNames, pyFixedNames...) {
		w.taken[n] = true
	}
	w.plan()
	w.python(source)
	return []byte(w.b.String())
}

// pyFixedNames are the further declarations, and imported names, of every Python file.
var pyFixedNames = []string{
	"datetime", "Literal", "NoReturn", "Optional", "TypedDict", "Union", "PlanRequest", "PlanResource",
	"RoleReason", "AllowRuleReason", "DenyRuleReason", "CredentialReason", "NoGrantReason",
	"AssignmentWarning", "CustomRolesDocument",
}

// pyKeywords are the words a TypedDict's class syntax cannot use as keys.
var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// literal is a Literal of names, NoReturn when there are none.
func literal(names []string) string {
	if len(names) == 0 {
		return "NoReturn"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return "Literal[" + strings.Join(q, ", ") + "]"
}

// unionOf is a Union of type names, NoReturn when there are none.
func unionOf(names []string) string {
	switch len(names) {
	case 0:
		return "NoReturn"
	case 1:
		return names[0]
	}
	return "Union[" + strings.Join(names, ", ") + "]"
}

// pyType is the JSON form of a spec type as Python.
//
// The host encodes datetimes, timedeltas and bytes (permc.encode_request), so those
// are accepted as well as their JSON text.
func pyType(t *spec.Type) string {
	switch t.Kind {
	case spec.Bool:
		return "bool"
	case spec.Int, spec.Uint:
		return "int"
	case spec.Double:
		return "float"
	case spec.List:
		return "list[" + pyType(t.Elem) + "]"
	case spec.Map:
		return "dict[str, " + pyType(t.Elem) + "]"
	case spec.Bytes:
		return "Union[str, bytes]" // base64, or bytes the host encodes
	case spec.Timestamp:
		return "Union[str, datetime.datetime]" // RFC 3339, or an aware datetime
	case spec.Duration:
		return "Union[str, datetime.timedelta]" // "1h30m", or a timedelta
	}
	return "str"
}

// field is one key of a TypedDict.
type field struct{ name, typ, doc string }

// typedDict writes a TypedDict: the required fields in a base class of its own (Python
// 3.10 has no NotRequired), the optional ones in the class itself. Keys that are
// Python keywords make it use the functional syntax.
func (w *writer) typedDict(name, doc string, required, optional []field) {
	functional := false
	for _, f := range append(append([]field(nil), required...), optional...) {
		functional = functional || pyKeywords[f.name]
	}
	emit := func(name, base, doc string, fields []field, total bool) {
		if functional {
			parts := make([]string, len(fields))
			for i, f := range fields {
				parts[i] = strconv.Quote(f.name) + ": " + f.typ
			}
			w.p("%s = TypedDict(%q, {%s}%s)", name, name, strings.Join(parts, ", "), map[bool]string{true: "", false: ", total=False"}[total])
			w.p("")
			w.p("")
			return
		}
		if total {
			w.p("class %s(%s):", name, base)
		} else {
			w.p("class %s(%s, total=False):", name, base)
		}
		w.pyDoc("    ", doc)
		for _, f := range fields {
			for _, l := range strings.Split(strings.TrimSpace(f.doc), "\n") {
				if l != "" {
					w.p("    #: %s", strings.TrimRight(l, " "))
				}
			}
			w.p("    %s: %s", f.name, f.typ)
		}
		if len(fields) == 0 && doc == "" {
			w.p("    pass")
		}
		w.p("")
		w.p("")
	}
	switch {
	case len(required) == 0:
		emit(name, "TypedDict", doc, optional, false)
	case len(optional) == 0:
		emit(name, "TypedDict", doc, required, true)
	default:
		emit("_"+name, "TypedDict", "", required, true)
		emit(name, "_"+name, doc, optional, false)
	}
}

// pyDoc writes a docstring, indented by indent.
func (w *writer) pyDoc(indent, text string) {
	text = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(text, `\`, `\\`), `"""`, `\"\"\"`))
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		w.p(`%s"""%s"""`, indent, lines[0])
		return
	}
	w.p(`%s"""%s`, indent, lines[0])
	for _, l := range lines[1:] {
		w.p("%s%s", indent, strings.TrimRight(l, " "))
	}
	w.p(`%s"""`, indent)
}

// pyAttrs returns attributes as fields, optional (omitted attributes get their type's
// zero value) and nullable (null counts as omitted) when optional is true.
func pyAttrs(list []*spec.Attribute, optional bool) []field {
	out := make([]field, len(list))
	for i, a := range list {
		t := pyType(a.Type)
		if optional {
			t = "Optional[" + t + "]"
		}
		out[i] = field{a.Name, t, strings.TrimSpace(a.Description + "\n" + typeNote(a.Type))}
	}
	return out
}

func (w *writer) python(source string) {
	s := w.s
	w.p("# Code generated by permc %s. DO NOT EDIT.", version.Version)
	w.p("# source: %s", source)
	w.pyDoc("", "The requests and decisions of package "+s.Package+"'s Wasm module, for permc's Python host.\n\n"+
		"Valid Python as well as a stub: save it as "+s.Package+".py to import it, or as\n"+
		s.Package+".pyi for type checkers only.\n\n"+
		"    import permc\n"+
		"    from "+s.Package+" import Request\n\n"+
		"    authz: permc.Authorizer[Request] = permc.Authorizer(\""+s.Package+".wasm\")")
	w.p("")
	w.p("import datetime")
	w.p("from typing import Literal, NoReturn, Optional, TypedDict, Union")
	w.p("")

	var perms, patterns, resources, builtin, scopes, oauth, filters []string
	for _, p := range s.Permissions {
		perms = append(perms, p.Name)
	}
	for _, r := range s.Resources {
		resources = append(resources, r.Name)
		patterns = append(patterns, r.Name+".*")
	}
	for _, r := range s.Roles {
		builtin = append(builtin, r.Name)
	}
	for _, sc := range s.Scopes {
		scopes = append(scopes, sc.Name)
	}
	for _, o := range s.Credentials.Scopes {
		oauth = append(oauth, o.Name)
	}
	for _, f := range s.Credentials.Filters {
		filters = append(filters, f.Name)
	}
	alias := func(doc, name, typ string) {
		w.p("#: %s", doc)
		w.p("%s = %s", name, typ)
		w.p("")
	}
	alias(`Every permission of the spec, "<resource type>.<action>".`, "Permission", literal(perms))
	alias(`A permission pattern: a permission, every permission of a resource type, or "*".`,
		"PermissionPattern", "Union[Permission, "+literal(append(patterns, "*"))+"]")
	alias("The resource types of the spec.", "ResourceType", literal(resources))
	alias("The roles the spec defines.", "BuiltinRole", literal(builtin))
	alias("A role: built in, or a custom role loaded with load_roles.", "Role", "Union[BuiltinRole, str]")
	alias("The scope types a role may be assigned at.", "ScopeType", literal(scopes))
	w.p("")

	var scopeTypes []string
	for _, sc := range s.Scopes {
		w.typedDict(w.scope[sc], sc.Description, append([]field{{"type", literal([]string{sc.Name}), ""}}, pyAttrs(sc.Params, false)...), nil)
		scopeTypes = append(scopeTypes, w.scope[sc])
	}
	alias("Where a role assignment applies.", "Scope", unionOf(scopeTypes))
	w.p("")
	w.typedDict("Assignment", "One role of the principal, at one scope.", []field{{"role", "Role", ""}, {"scope", "Scope", ""}}, nil)
	w.typedDict("PrincipalAttributes", "The principal's declared attributes.", nil, pyAttrs(s.Principal, true))
	w.typedDict("Principal", "The acting user or service.", []field{{"id", "str", ""}},
		[]field{{"attributes", "PrincipalAttributes", ""}, {"roles", "list[Assignment]", ""}})
	w.typedDict("Context", "Attributes of the request itself.", nil, pyAttrs(s.Context, true))

	alias("OAuth scopes a credential may carry (a token may carry others: str is accepted too).", "OAuthScope", literal(oauth))
	alias("Credential filter names.", "FilterName", literal(filters))
	alias(`A credential filter, "<name>:<value>" with a FilterName.`, "Filter", "str")
	w.p("")
	w.typedDict("CredentialAttributes", "The declared attributes of a credential.", nil, pyAttrs(s.Credentials.Attributes, true))
	w.typedDict("Credential", "An API key or OAuth token, which only narrows what the principal may do. Unknown\nnames in its lists deny rather than fail.", nil, []field{
		{"scopes", "list[Union[OAuthScope, str]]", ""},
		{"permissions", "list[PermissionPattern]", ""},
		{"roles", "list[Role]", ""},
		{"filters", "list[Filter]", ""},
		{"attributes", "CredentialAttributes", ""},
	})

	var requests []string
	for _, r := range s.Resources {
		n := w.res[r]
		var rp []string
		for _, p := range r.Permissions {
			rp = append(rp, p.Name)
		}
		alias("The permissions on a "+r.Name+".", n.perm, literal(rp))
		w.p("")
		w.typedDict(n.attrs, "The declared attributes of a "+r.Name+".", nil, pyAttrs(r.Attributes, true))
		w.typedDict(n.resource, r.Description, []field{{"type", literal([]string{r.Name}), ""}, {"id", "str", ""}},
			[]field{{"attributes", n.attrs, ""}})
		w.typedDict(n.request, "A request for a permission on a "+r.Name+".",
			[]field{{"principal", "Principal", ""}, {"resource", n.resource, ""}, {"permission", n.perm, ""}},
			[]field{{"credential", "Credential", ""}, {"context", "Context", ""}})
		requests = append(requests, n.request)
	}
	alias("A request: may the principal have the permission on the resource?", "Request", unionOf(requests))
	w.p("")
	w.typedDict("PlanResource", "The resource of a plan request: its type only.", []field{{"type", "ResourceType", ""}}, nil)
	w.typedDict("PlanRequest", "A request without its resource, for Authorizer.plan: which resources may the\nprincipal have the permission on?",
		[]field{{"principal", "Principal", ""}},
		[]field{{"resource", "PlanResource", ""}, {"permission", "Permission", ""}, {"credential", "Credential", ""}, {"context", "Context", ""}})

	var allow, deny []string
	for _, r := range s.Rules {
		if r.Effect == spec.Deny {
			deny = append(deny, r.ID)
		} else {
			allow = append(allow, r.ID)
		}
	}
	alias("The ids of the spec's allow rules.", "AllowRuleID", literal(allow))
	alias("The ids of the spec's deny rules.", "DenyRuleID", literal(deny))
	alias("The ids of the spec's rules.", "RuleID", "Union[AllowRuleID, DenyRuleID]")
	w.p("")
	w.typedDict("RoleReason", "Granted by a role assignment.", []field{{"kind", `Literal["role"]`, ""}, {"role", "Role", ""}, {"assignment", "int", ""}}, nil)
	w.typedDict("AllowRuleReason", "Granted by an allow rule.", []field{{"kind", `Literal["allow_rule"]`, ""}, {"rule", "AllowRuleID", ""}}, nil)
	w.typedDict("DenyRuleReason", "Denied by a deny rule.", []field{{"kind", `Literal["deny_rule"]`, ""}, {"rule", "DenyRuleID", ""}}, nil)
	w.typedDict("CredentialReason", "Denied by the credential.", []field{{"kind", `Literal["credential"]`, ""}}, nil)
	w.typedDict("NoGrantReason", "Nothing grants the permission.", []field{{"kind", `Literal["no_grant"]`, ""}}, nil)
	alias("Why a decision came out as it did.", "Reason", "Union[RoleReason, AllowRuleReason, DenyRuleReason, CredentialReason, NoGrantReason]")
	w.p("")
	w.typedDict("EvalError", "An expression that failed to evaluate; it counted as false (or, in a deny rule, denied).",
		[]field{{"kind", `Literal["rule", "role", "scope", "filter"]`, ""}, {"name", "str", ""}, {"message", "str", ""}},
		[]field{{"assignment", "int", `The role assignment, for kind "role" and "scope".`}})
	w.typedDict("AssignmentWarning", "A role assignment that grants nothing: an unknown role or scope type, a missing parameter.",
		[]field{{"assignment", "int", ""}, {"message", "str", ""}}, nil)
	w.typedDict("Decision", "The answer to a well-formed request, as check_json answers it.", []field{
		{"allowed", "bool", ""}, {"permission", "Permission", ""}, {"reason", "Reason", ""},
		{"errors", "list[EvalError]", ""}, {"warnings", "list[AssignmentWarning]", ""},
	}, nil)
	w.typedDict("RequestError", "The answer to a malformed request.", []field{{"error", "str", ""}}, nil)
	alias("What check_json answers.", "Answer", "Union[Decision, RequestError]")
	w.p("")
	w.typedDict("CustomRole", "A role defined at run time.", []field{{"name", "str", ""}, {"permissions", "list[PermissionPattern]", ""}},
		[]field{{"description", "str", ""}, {"scopes", "Optional[list[ScopeType]]", "The scope types it may be assigned at; any when omitted or null."}})
	w.typedDict("CustomRolesDocument", "Custom roles as an object.", []field{{"roles", "list[CustomRole]", ""}}, nil)
	w.p("#: What load_roles takes.")
	w.p("CustomRoles = Union[list[CustomRole], CustomRolesDocument]")
}
