// Package dts writes TypeScript declarations for a spec: the request and the decision
// of its Wasm module as types, with its permissions, roles, scope types, rules and
// credential names as string-literal unions, for the JavaScript loader (wasm/js).
package dts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/permc/permc/internal/version"
	"github.com/permc/permc/spec"
)

// Generate returns the declarations of s. source names the spec in the header.
func Generate(s *spec.Spec, source string) []byte {
	w := &writer{s: s, taken: map[string]bool{}}
	for _, n := range fixedNames {
		w.taken[n] = true
	}
	w.plan()
	w.file(source)
	return []byte(w.b.String())
}

// fixedNames are the declarations every file has.
var fixedNames = []string{
	"Spec", "Request", "Decision", "RequestError", "Answer", "Reason", "EvalError", "Warning",
	"Permission", "PermissionPattern", "ResourceType", "BuiltinRole", "Role", "ScopeType",
	"Scope", "Assignment", "Principal", "PrincipalAttributes", "Context", "Credential",
	"CredentialAttributes", "OAuthScope", "FilterName", "Filter", "RuleID", "AllowRuleID",
	"DenyRuleID", "CustomRole", "CustomRoles",
}

type writer struct {
	s     *spec.Spec
	b     strings.Builder
	taken map[string]bool

	res   map[*spec.Resource]resNames
	scope map[*spec.Scope]string
}

// resNames are the declarations of one resource type.
type resNames struct{ attrs, resource, request, perm string }

// name returns a declaration name made of parts, unique in the file.
func (w *writer) name(parts ...string) string {
	n := strings.Join(parts, "")
	for i := 2; w.taken[n]; i++ {
		n = strings.Join(parts, "") + strconv.Itoa(i)
	}
	w.taken[n] = true
	return n
}

func (w *writer) plan() {
	w.res = map[*spec.Resource]resNames{}
	w.scope = map[*spec.Scope]string{}
	for _, r := range w.s.Resources {
		c := pascal(r.Name)
		w.res[r] = resNames{
			attrs:    w.name(c, "Attributes"),
			resource: w.name(c, "Resource"),
			request:  w.name(c, "Request"),
			perm:     w.name(c, "Permission"),
		}
	}
	for _, sc := range w.s.Scopes {
		w.scope[sc] = w.name(pascal(sc.Name), "Scope")
	}
}

// pascal turns a spec name into a TypeScript type name: org_except -> OrgExcept.
func pascal(name string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "X" + s
	}
	return s
}

func (w *writer) p(format string, args ...any) { fmt.Fprintf(&w.b, format+"\n", args...) }

// doc writes a JSDoc comment, indented by indent.
func (w *writer) doc(indent, text string) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "*/", "*\\/"))
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		w.p("%s/** %s */", indent, lines[0])
		return
	}
	w.p("%s/**", indent)
	for _, l := range lines {
		w.p("%s * %s", indent, strings.TrimRight(l, " "))
	}
	w.p("%s */", indent)
}

// union is a string-literal union of names, "never" when there are none.
func union(names []string) string {
	if len(names) == 0 {
		return "never"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " | ")
}

// tsType is the JSON form of a spec type as TypeScript.
func tsType(t *spec.Type) string {
	switch t.Kind {
	case spec.Bool:
		return "boolean"
	case spec.Int, spec.Uint, spec.Double:
		return "number"
	case spec.List:
		e := tsType(t.Elem)
		if strings.Contains(e, " ") {
			e = "(" + e + ")"
		}
		return e + "[]"
	case spec.Map:
		return "{ [key: string]: " + tsType(t.Elem) + " }"
	}
	return "string" // string, bytes (base64), timestamp (RFC 3339), duration ("1h30m")
}

// typeNote says how a string-encoded type is written.
func typeNote(t *spec.Type) string {
	switch t.Kind {
	case spec.Int:
		return "An integer (CEL int)."
	case spec.Uint:
		return "A non-negative integer (CEL uint)."
	case spec.Bytes:
		return "Bytes, base64-encoded (standard, padded)."
	case spec.Timestamp:
		return "A timestamp, RFC 3339: \"2026-11-22T10:00:00Z\"."
	case spec.Duration:
		return "A duration such as \"90s\", \"1h30m\" or \"1.5h\"."
	}
	return ""
}

// attrs writes the members of an object of attributes, each optional (omitted
// attributes get their type's zero value) and nullable (null counts as omitted) when
// optional is true, unless the attribute is required.
func (w *writer) attrs(list []*spec.Attribute, optional bool) {
	for _, a := range list {
		note := typeNote(a.Type)
		if a.Required {
			note = strings.TrimSpace(note + " Required.")
		}
		w.doc("  ", strings.TrimSpace(a.Description+"\n"+note))
		if optional && !a.Required {
			w.p("  %s?: %s | null;", key(a.Name), tsType(a.Type))
		} else {
			w.p("  %s: %s;", key(a.Name), tsType(a.Type))
		}
	}
}

// opt is "?" when none of attrs is required: the object holding them may be omitted.
func opt(attrs []*spec.Attribute) string {
	for _, a := range attrs {
		if a.Required {
			return ""
		}
	}
	return "?"
}

// key is an object key, quoted when it is not an identifier.
func key(name string) string {
	for i, r := range name {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return strconv.Quote(name)
		}
	}
	return name
}

func (w *writer) file(source string) {
	s := w.s
	w.p("// Code generated by permc %s. DO NOT EDIT.", version.Version)
	w.p("// source: %s", source)
	w.p("//")
	w.p("// The requests and decisions of package %s's Wasm module, for @permc/wasm:", s.Package)
	w.p("//")
	w.p("//\timport { loadAuthorizer } from \"@permc/wasm\";")
	w.p("//\timport type { Spec } from \"./%s.js\";", s.Package)
	w.p("//\tconst authz = await loadAuthorizer<Spec>(moduleBytes);")
	w.p("")

	var perms, resources, builtin, scopes, oauth, filters []string
	for _, p := range s.Permissions {
		perms = append(perms, p.Name)
	}
	for _, r := range s.Resources {
		resources = append(resources, r.Name)
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

	w.p("/** Every permission of the spec, \"<resource type>.<action>\". */")
	w.p("export type Permission = %s;", union(perms))
	w.p("")
	w.p("/** A permission pattern: a permission, every permission of a resource type, or \"*\". */")
	w.p("export type PermissionPattern = Permission | `${ResourceType}.*` | \"*\";")
	w.p("")
	w.p("/** The resource types of the spec. */")
	w.p("export type ResourceType = %s;", union(resources))
	w.p("")
	w.p("/** The roles the spec defines. */")
	w.p("export type BuiltinRole = %s;", union(builtin))
	w.p("")
	w.p("/** A role: built in, or a custom role loaded with loadRoles. */")
	w.p("export type Role = BuiltinRole | (string & {});")
	w.p("")
	w.p("/** The scope types a role may be assigned at. */")
	w.p("export type ScopeType = %s;", union(scopes))
	w.p("")

	for _, sc := range s.Scopes {
		w.doc("", sc.Description)
		w.p("export interface %s {", w.scope[sc])
		w.p("  type: %q;", sc.Name)
		w.attrs(sc.Params, false)
		w.p("}")
		w.p("")
	}
	var scopeTypes []string
	for _, sc := range s.Scopes {
		scopeTypes = append(scopeTypes, w.scope[sc])
	}
	w.p("/** Where a role assignment applies. */")
	w.p("export type Scope = %s;", orNever(scopeTypes))
	w.p("")
	w.p("/** One role of the principal, at one scope. */")
	w.p("export interface Assignment {")
	w.p("  role: Role;")
	w.p("  scope: Scope;")
	w.p("}")
	w.p("")

	w.p("/** The principal's declared attributes. */")
	w.p("export interface PrincipalAttributes {")
	w.attrs(s.Principal, true)
	w.p("}")
	w.p("")
	w.p("/** The acting user or service. */")
	w.p("export interface Principal {")
	w.p("  id: string;")
	w.p("  attributes%s: PrincipalAttributes;", opt(s.Principal))
	w.p("  roles?: Assignment[];")
	w.p("}")
	w.p("")
	w.p("/** Attributes of the request itself. */")
	w.p("export interface Context {")
	w.attrs(s.Context, true)
	w.p("}")
	w.p("")

	w.p("/** OAuth scopes a credential may carry. */")
	w.p("export type OAuthScope = %s;", union(oauth))
	w.p("")
	w.p("/** Credential filter names. */")
	w.p("export type FilterName = %s;", union(filters))
	w.p("")
	w.p("/** A credential filter, \"<name>:<value>\". */")
	w.p("export type Filter = `${FilterName}:${string}`;")
	w.p("")
	w.p("/** The declared attributes of a credential. */")
	w.p("export interface CredentialAttributes {")
	w.attrs(s.Credentials.Attributes, true)
	w.p("}")
	w.p("")
	w.p("/**")
	w.p(" * An API key or OAuth token, which only narrows what the principal may do. Unknown")
	w.p(" * names in its lists deny rather than fail, so they take any string (the string[]")
	w.p(" * of a real token) and suggest the spec's names.")
	w.p(" */")
	w.p("export interface Credential {")
	w.p("  scopes?: (OAuthScope | (string & {}))[];")
	w.p("  permissions?: (PermissionPattern | (string & {}))[];")
	w.p("  roles?: Role[];")
	w.p("  filters?: (Filter | (string & {}))[];")
	w.p("  attributes%s: CredentialAttributes;", opt(s.Credentials.Attributes))
	w.p("}")
	w.p("")

	var requests []string
	for _, r := range s.Resources {
		n := w.res[r]
		var rp []string
		for _, p := range r.Permissions {
			rp = append(rp, p.Name)
		}
		w.p("/** The permissions on %s. */", r.Indefinite())
		w.p("export type %s = %s;", n.perm, union(rp))
		w.p("")
		w.p("/** The declared attributes of %s. */", r.Indefinite())
		w.p("export interface %s {", n.attrs)
		w.attrs(r.Attributes, true)
		w.p("}")
		w.p("")
		w.doc("", r.Description)
		w.p("export interface %s {", n.resource)
		w.p("  type: %q;", r.Name)
		w.p("  id: string;")
		w.p("  attributes%s: %s;", opt(r.Attributes), n.attrs)
		w.p("}")
		w.p("")
		w.p("/** A request for a permission on %s. */", r.Indefinite())
		w.p("export interface %s {", n.request)
		w.p("  principal: Principal;")
		w.p("  resource: %s;", n.resource)
		w.p("  permission: %s;", n.perm)
		w.p("  credential?: Credential;")
		w.p("  context%s: Context;", opt(s.Context))
		w.p("}")
		w.p("")
		requests = append(requests, n.request)
	}
	w.p("/** A request: may the principal have the permission on the resource? */")
	w.p("export type Request = %s;", orNever(requests))
	w.p("")

	var allow, deny []string
	for _, r := range s.Rules {
		if r.Effect == spec.Deny {
			deny = append(deny, r.ID)
		} else {
			allow = append(allow, r.ID)
		}
	}
	w.p("/** The ids of the spec's allow rules. */")
	w.p("export type AllowRuleID = %s;", union(allow))
	w.p("")
	w.p("/** The ids of the spec's deny rules. */")
	w.p("export type DenyRuleID = %s;", union(deny))
	w.p("")
	w.p("/** The ids of the spec's rules. */")
	w.p("export type RuleID = AllowRuleID | DenyRuleID;")
	w.p("")
	w.p(`/** Why a decision came out as it did. */
export type Reason =
  | { kind: "role"; role: Role; assignment: number }
  | { kind: "allow_rule"; rule: AllowRuleID }
  | { kind: "deny_rule"; rule: DenyRuleID }
  | { kind: "credential" }
  | { kind: "no_grant" };

/** An expression that failed to evaluate; it counted as false (or, in a deny rule, denied). */
export interface EvalError {
  kind: "rule" | "role" | "scope" | "filter";
  name: string;
  /** The role assignment, for kind "role" and "scope". */
  assignment?: number;
  message: string;
}

/** A role assignment that grants nothing: an unknown role or scope type, a missing parameter. */
export interface Warning {
  assignment: number;
  message: string;
}

/** The answer to a well-formed request. */
export interface Decision {
  allowed: boolean;
  /** Absent: what tells a decision from a RequestError. */
  error?: undefined;
  permission: Permission;
  reason: Reason;
  errors: EvalError[];
  warnings: Warning[];
}

/** The answer to a malformed request; allowed is absent, so it reads as a denial. */
export interface RequestError {
  error: string;
  allowed?: undefined;
}

/** What a check answers. */
export type Answer = Decision | RequestError;

/** A role defined at run time. */
export interface CustomRole {
  name: string;
  description?: string;
  permissions: PermissionPattern[];
  /** The scope types it may be assigned at; any when omitted. */
  scopes?: ScopeType[];
}

/** What loadRoles takes. */
export type CustomRoles = CustomRole[] | { roles: CustomRole[] };

/** The types of this spec, for loadAuthorizer<Spec>(). */
export interface Spec {
  request: Request;
  decision: Decision;
  customRoles: CustomRoles;
}`)
}

func orNever(names []string) string {
	if len(names) == 0 {
		return "never"
	}
	return strings.Join(names, " | ")
}
