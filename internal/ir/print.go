package ir

import (
	"fmt"
	"strings"
	"time"
)

// String renders the program for people: its tables, then every func with its
// expression and plan trees, one node per line.
func (p *Program) String() string {
	var b strings.Builder
	obj := func(name string, o *Object) {
		fmt.Fprintf(&b, "%s:", name)
		for _, a := range o.Attrs {
			fmt.Fprintf(&b, " %d:%s %s", a.Slot, a.Name, a.Type)
			if a.Required {
				b.WriteString(" required")
			}
		}
		b.WriteByte('\n')
	}
	obj("principal", p.Principal)
	obj("context", p.Context)
	obj("credential", p.Credential)
	for _, sc := range p.Scopes {
		obj("scope "+sc.Name, sc.Params)
	}
	funcs := func(fs []*Func) string {
		var out []string
		for i, f := range fs {
			if f != nil {
				out = append(out, fmt.Sprintf("%d=f%d", i, f.Index))
			}
		}
		return strings.Join(out, " ")
	}
	for _, r := range p.Resources {
		obj("resource "+r.Name, r.Attrs)
		fmt.Fprintf(&b, "  perms %v scopes [%s] filters [%s] roles [%s]\n", r.Perms, funcs(r.ScopeMatch), funcs(r.FilterMatch), funcs(r.RoleWhen))
	}
	for i, pm := range p.Permissions {
		fmt.Fprintf(&b, "permission %d %s of %s:", i, pm.Name, p.Resources[pm.Resource].Name)
		for _, s := range pm.Deny {
			fmt.Fprintf(&b, " deny %s%s", p.Rules[s.Rule].ID, stepFunc(s))
		}
		for _, s := range pm.Allow {
			fmt.Fprintf(&b, " allow %s%s", p.Rules[s.Rule].ID, stepFunc(s))
		}
		b.WriteByte('\n')
	}
	for _, r := range p.Roles {
		fmt.Fprintf(&b, "role %s perms %v scopes %v\n", r.Name, r.Perms, r.Scopes)
	}
	for _, o := range p.OAuthScopes {
		fmt.Fprintf(&b, "oauth %s perms %v\n", o.Name, o.Perms)
	}
	for i, re := range p.Regexps {
		fmt.Fprintf(&b, "regexp %d %q\n", i, re)
	}
	for _, f := range p.Funcs {
		fmt.Fprintf(&b, "f%d %s for %s, %d locals:\n", f.Index, f.What, p.Resources[f.Resource].Name, f.Locals)
		printExpr(&b, f.Body, "  ")
		b.WriteString("  plan:\n")
		printPlan(&b, f.Plan, "    ")
	}
	return b.String()
}

func stepFunc(s RuleStep) string {
	if s.Func == nil {
		return ""
	}
	return fmt.Sprintf("(f%d)", s.Func.Index)
}

func printExpr(b *strings.Builder, x *Expr, indent string) {
	fmt.Fprintf(b, "%s%s %s", indent, x.Op, x.Type)
	switch x.Op {
	case OpConst:
		b.WriteString(" " + constString(x.Value))
	case OpFail:
		fmt.Fprintf(b, " error %d", x.Value)
	case OpAttr:
		fmt.Fprintf(b, " %s.%d", x.Obj, x.Slot)
	case OpLocal, OpExists, OpAll, OpExistsOne, OpMapList, OpFilter:
		fmt.Fprintf(b, " $%d", x.Slot)
	case OpMatches:
		fmt.Fprintf(b, " re%d", x.Slot)
	}
	b.WriteByte('\n')
	for _, a := range x.Args {
		printExpr(b, a, indent+"  ")
	}
}

func constString(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []byte:
		return fmt.Sprintf("b%q", v)
	case Time:
		return time.Unix(v.Sec, int64(v.Nsec)).UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func printPlan(b *strings.Builder, p *PExpr, indent string) {
	fmt.Fprintf(b, "%s%s", indent, p.Op)
	if p.All {
		b.WriteString(" all")
	}
	if p.Neg {
		b.WriteString(" neg")
	}
	if p.Cmp != 0 {
		fmt.Fprintf(b, " cmp%d", p.Cmp)
	}
	if p.Str != 0 {
		fmt.Fprintf(b, " str%d", p.Str)
	}
	if p.Name != "" {
		fmt.Fprintf(b, " %q", p.Name)
	}
	if p.Pattern != "" {
		fmt.Fprintf(b, " /%s/", p.Pattern)
	}
	if p.Why != "" {
		fmt.Fprintf(b, " (%s)", p.Why)
	}
	if p.CType != nil {
		fmt.Fprintf(b, " : %s", p.CType)
	}
	if p.Op == PUnroll {
		fmt.Fprintf(b, " $%d", p.Slot)
	}
	b.WriteByte('\n')
	if p.X != nil {
		printExpr(b, p.X, indent+"  x: ")
	}
	for _, a := range p.Args {
		printPlan(b, a, indent+"  ")
	}
}
