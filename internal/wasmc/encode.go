package wasmc

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/permc/permc/internal/ir"
)

// The program is the binary form of an ir.Program that the runtime (rt/) interprets
// in place: a header, then records, all 8-byte aligned, referring to each other by
// their offset from the program's start (0 is "none": the header is there). Strings
// are (offset, length) pairs into a pool of bytes. rt/c/program.h declares the same
// records in C; the two must change together (ProgramVersion).

// ProgramVersion is the version of the program format, checked by the runtime.
const ProgramVersion = 2

// programMagic opens every program: "PRMC".
const programMagic = 0x434D5250

// Header field offsets: the header is a sequence of u32 words in this order (the
// budget, a u64, is the last field). rt/c/program.h's struct prog_header mirrors it.
var headerFields = []string{
	"magic", "version",
	"nresources", "resources", "npermissions", "permissions", "nscopes", "scopes",
	"nroles", "roles", "nrules", "rules", "noauth", "oauth", "nfilters", "filters",
	"nfuncs", "funcs", "nregexps", "regexps",
	"principal", "context", "credential",
	"sorted_resources", "sorted_permissions", "sorted_roles", "sorted_scopes", "sorted_oauth", "sorted_filters",
	"metadata.off", "metadata.len", "package.off", "package.len", "source.off", "source.len",
	"perm_words",
	"max_request_bytes", "max_roles_bytes", "max_batch_requests",
	"custom_perms", "custom_scopes", "custom_default_scopes", "custom_none", "custom_patterns.off", "custom_patterns.len",
	"budget.lo", "budget.hi",
}

// encoder builds a program.
type encoder struct {
	b       []byte
	strs    map[string]uint32 // pool offsets of strings already written
	types   map[string]uint32
	p       *ir.Program
	funcOff []uint32
	header  map[string]int // field name -> byte offset in b
}

// Encode encodes p as the runtime's program.
//
// # Errors
//
// Encode fails when a regular expression does not compile (the spec loader checked
// it, so this is a bug) or when the program would exceed the format's limits.
func Encode(p *ir.Program) ([]byte, error) {
	e := &encoder{strs: map[string]uint32{}, types: map[string]uint32{}, p: p, header: map[string]int{}}
	for _, f := range headerFields {
		e.header[f] = len(e.b)
		e.u32(0)
	}
	e.align()
	e.set("magic", programMagic)
	e.set("version", ProgramVersion)
	words := (len(p.Permissions) + 31) / 32
	if words == 0 {
		words = 1
	}
	e.set("perm_words", uint32(words))

	e.set("principal", e.object(p.Principal))
	e.set("context", e.object(p.Context))
	e.set("credential", e.object(p.Credential))

	// Funcs first, so that tables can refer to them.
	e.funcOff = make([]uint32, len(p.Funcs))
	for i, f := range p.Funcs {
		off, err := e.fn(f)
		if err != nil {
			return nil, err
		}
		e.funcOff[i] = off
	}
	e.set("nfuncs", uint32(len(p.Funcs)))
	e.set("funcs", e.u32Array(e.funcOff))

	var res []uint32
	for _, r := range p.Resources {
		res = append(res, e.resource(r))
	}
	e.set("nresources", uint32(len(res)))
	e.set("resources", e.u32Array(res))

	var perms []uint32
	for _, pm := range p.Permissions {
		perms = append(perms, e.permission(pm))
	}
	e.set("npermissions", uint32(len(perms)))
	e.set("permissions", e.u32Array(perms))

	var scopes []uint32
	for _, sc := range p.Scopes {
		name := e.str(sc.Name)
		params := e.object(sc.Params)
		e.align()
		off := e.here()
		e.strRef(name)
		e.u32(params)
		scopes = append(scopes, off)
	}
	e.set("nscopes", uint32(len(scopes)))
	e.set("scopes", e.u32Array(scopes))

	var roles []uint32
	for _, r := range p.Roles {
		name, onlyAt := e.str(r.Name), e.str(r.OnlyAt)
		set := e.bitset(r.Perms, words)
		scopes := uint32(0)
		if r.Scopes != nil {
			scopes = e.list(r.Scopes)
		}
		e.align()
		roles = append(roles, e.here())
		e.strRef(name)
		e.u32(set)
		e.u32(scopes)
		e.strRef(onlyAt)
	}
	e.set("nroles", uint32(len(roles)))
	e.set("roles", e.u32Array(roles))

	var rules []uint32
	for _, r := range p.Rules {
		id := e.str(r.ID)
		e.align()
		rules = append(rules, e.here())
		e.strRef(id)
		e.u32(b2u(r.Deny))
	}
	e.set("nrules", uint32(len(rules)))
	e.set("rules", e.u32Array(rules))

	var oauth []uint32
	for _, o := range p.OAuthScopes {
		name := e.str(o.Name)
		set := e.bitset(o.Perms, words)
		e.align()
		oauth = append(oauth, e.here())
		e.strRef(name)
		e.u32(set)
	}
	e.set("noauth", uint32(len(oauth)))
	e.set("oauth", e.u32Array(oauth))

	var filters []uint32
	for _, f := range p.Filters {
		name := e.str(f.Name)
		e.align()
		filters = append(filters, e.here())
		e.strRef(name)
	}
	e.set("nfilters", uint32(len(filters)))
	e.set("filters", e.u32Array(filters))

	var regexps []uint32
	for _, pat := range p.Regexps {
		off, err := e.regexp(pat)
		if err != nil {
			return nil, err
		}
		regexps = append(regexps, off)
	}
	e.set("nregexps", uint32(len(regexps)))
	e.set("regexps", e.u32Array(regexps))

	e.set("sorted_resources", e.sorted(len(p.Resources), func(i int) string { return p.Resources[i].Name }))
	e.set("sorted_permissions", e.sorted(len(p.Permissions), func(i int) string { return p.Permissions[i].Name }))
	e.set("sorted_roles", e.sorted(len(p.Roles), func(i int) string { return p.Roles[i].Name }))
	e.set("sorted_scopes", e.sorted(len(p.Scopes), func(i int) string { return p.Scopes[i].Name }))
	e.set("sorted_oauth", e.sorted(len(p.OAuthScopes), func(i int) string { return p.OAuthScopes[i].Name }))
	e.set("sorted_filters", e.sorted(len(p.Filters), func(i int) string { return p.Filters[i].Name }))

	e.setStr("metadata", e.str(string(p.Metadata)))
	e.setStr("package", e.str(p.Package))
	e.setStr("source", e.str(p.Source))

	e.set("max_request_bytes", uint32(p.Limits.MaxRequestBytes))
	e.set("max_roles_bytes", uint32(p.Limits.MaxRolesBytes))
	e.set("max_batch_requests", uint32(p.Limits.MaxBatchRequests))
	e.set("budget.lo", uint32(uint64(p.Limits.Budget)))
	e.set("budget.hi", uint32(uint64(p.Limits.Budget)>>32))
	if p.CustomRoles.Perms != nil {
		e.set("custom_perms", e.bitset(p.CustomRoles.Perms, words))
	}
	if p.CustomRoles.Scopes != nil {
		e.set("custom_scopes", e.list(p.CustomRoles.Scopes))
	}
	if p.CustomRoles.DefaultScopes != nil {
		e.set("custom_default_scopes", e.list(p.CustomRoles.DefaultScopes))
	}
	e.set("custom_none", b2u(p.CustomRoles.None))
	e.setStr("custom_patterns", e.str(strings.Join(p.CustomRoles.Patterns, ", ")))
	e.align()
	if len(e.b) > math.MaxInt32 {
		return nil, fmt.Errorf("wasmc: the program is too large (%d bytes)", len(e.b))
	}
	return e.b, nil
}

func (e *encoder) here() uint32 { return uint32(len(e.b)) }

func (e *encoder) align() {
	for len(e.b)%8 != 0 {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

func (e *encoder) set(field string, v uint32) {
	binary.LittleEndian.PutUint32(e.b[e.header[field]:], v)
}

// strRef is a string written to the pool: its offset and length.
type strRef struct{ off, len uint32 }

func (e *encoder) setStr(field string, s strRef) {
	e.set(field+".off", s.off)
	e.set(field+".len", s.len)
}

func (e *encoder) strRef(s strRef) {
	e.u32(s.off)
	e.u32(s.len)
}

// str writes s into the pool once and returns its reference. The empty string is
// (0, 0).
func (e *encoder) str(s string) strRef {
	if s == "" {
		return strRef{}
	}
	if off, ok := e.strs[s]; ok {
		return strRef{off, uint32(len(s))}
	}
	off := e.here()
	e.b = append(e.b, s...)
	e.strs[s] = off
	return strRef{off, uint32(len(s))}
}

// u32Array writes a u32 array and returns its offset (0 when empty).
func (e *encoder) u32Array(xs []uint32) uint32 {
	if len(xs) == 0 {
		return 0
	}
	e.align()
	off := e.here()
	for _, x := range xs {
		e.u32(x)
	}
	return off
}

// list writes a count-prefixed u32 list (possibly empty) and returns its offset.
func (e *encoder) list(xs []int) uint32 {
	e.align()
	off := e.here()
	e.u32(uint32(len(xs)))
	for _, x := range xs {
		e.u32(uint32(x))
	}
	return off
}

// bitset writes a set of permission indexes as words u32 words.
func (e *encoder) bitset(xs []int, words int) uint32 {
	w := make([]uint32, words)
	for _, x := range xs {
		w[x/32] |= 1 << (x % 32)
	}
	e.align()
	off := e.here()
	for _, x := range w {
		e.u32(x)
	}
	return off
}

// sorted writes the indexes 0..n-1 ordered by name(i), bytewise.
func (e *encoder) sorted(n int, name func(int) string) uint32 {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return name(idx[a]) < name(idx[b]) })
	xs := make([]uint32, n)
	for i, x := range idx {
		xs[i] = uint32(x)
	}
	return e.u32Array(xs)
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// typ writes a type record once per distinct type.
func (e *encoder) typ(t *ir.Type) uint32 {
	if t == nil {
		return 0
	}
	key := t.String()
	if off, ok := e.types[key]; ok {
		return off
	}
	var k, v uint32
	if t.Key != nil {
		k = e.typ(t.Key)
	}
	if t.Elem != nil {
		v = e.typ(t.Elem)
	}
	e.align()
	off := e.here()
	e.u8(uint8(t.Kind))
	e.u8(0)
	e.u16(0)
	e.u32(k)
	e.u32(v)
	e.types[key] = off
	return off
}

// object writes an attribute layout: where (str), nattrs, attrs (array of attr
// records), sorted (the attrs' indexes by name).
func (e *encoder) object(o *ir.Object) uint32 {
	type attr struct {
		name strRef
		typ  uint32
	}
	var attrs []attr
	for _, a := range o.Attrs {
		attrs = append(attrs, attr{e.str(a.Name), e.typ(a.Type)})
	}
	where := e.str(o.Where)
	sorted := e.sorted(len(o.Attrs), func(i int) string { return o.Attrs[i].Name })
	e.align()
	arr := e.here()
	for i, a := range o.Attrs {
		e.strRef(attrs[i].name)
		e.u32(attrs[i].typ)
		e.u8(uint8(b2u(a.Required)))
		e.u8(uint8(b2u(a.Implicit)))
		e.u16(0)
	}
	if len(o.Attrs) == 0 {
		arr = 0
	}
	e.align()
	off := e.here()
	e.strRef(where)
	e.u32(uint32(len(o.Attrs)))
	e.u32(arr)
	e.u32(sorted)
	e.u32(0)
	return off
}

func (e *encoder) funcRefs(fs []*ir.Func) uint32 {
	xs := make([]uint32, len(fs))
	for i, f := range fs {
		if f != nil {
			xs[i] = uint32(f.Index + 1)
		}
	}
	return e.u32Array(xs)
}

// resource writes: name, object, perms (list), scope_match, filter_match, role_when
// (u32 arrays of func index + 1, 0 for none).
func (e *encoder) resource(r *ir.Resource) uint32 {
	name := e.str(r.Name)
	obj := e.object(r.Attrs)
	perms := e.list(r.Perms)
	sm, fm, rw := e.funcRefs(r.ScopeMatch), e.funcRefs(r.FilterMatch), e.funcRefs(r.RoleWhen)
	e.align()
	off := e.here()
	e.strRef(name)
	e.u32(obj)
	e.u32(perms)
	e.u32(sm)
	e.u32(fm)
	e.u32(rw)
	e.u32(0)
	return off
}

// permission writes: name, resource, deny and allow (step lists: count, then pairs of
// rule index and func index + 1).
func (e *encoder) permission(p *ir.Permission) uint32 {
	name := e.str(p.Name)
	steps := func(ss []ir.RuleStep) uint32 {
		e.align()
		off := e.here()
		e.u32(uint32(len(ss)))
		for _, s := range ss {
			e.u32(uint32(s.Rule))
			if s.Func != nil {
				e.u32(uint32(s.Func.Index + 1))
			} else {
				e.u32(0)
			}
		}
		return off
	}
	deny, allow := steps(p.Deny), steps(p.Allow)
	e.align()
	off := e.here()
	e.strRef(name)
	e.u32(uint32(p.Resource))
	e.u32(deny)
	e.u32(allow)
	e.u32(0)
	return off
}

// fn writes a func: kind, is_const, locals (u16), resource, name, body, plan, source,
// pos, what.
func (e *encoder) fn(f *ir.Func) (uint32, error) {
	body, err := e.expr(f.Body)
	if err != nil {
		return 0, err
	}
	var plan uint32
	if f.Plan != nil {
		if plan, err = e.pexpr(f.Plan); err != nil {
			return 0, err
		}
	}
	if f.Locals > math.MaxUint16 {
		return 0, fmt.Errorf("wasmc: %s: too many macro variables", f.Pos)
	}
	name, src, pos, what := e.str(f.Name), e.str(f.Source), e.str(f.Pos), e.str(f.What)
	e.align()
	off := e.here()
	e.u8(uint8(f.Kind))
	e.u8(uint8(b2u(f.Const)))
	e.u16(uint16(f.Locals))
	e.u32(uint32(f.Resource))
	e.strRef(name)
	e.u32(body)
	e.u32(plan)
	e.strRef(src)
	e.strRef(pos)
	e.strRef(what)
	return off, nil
}

// value writes a constant's record: 8 bytes for bool, int, uint, double and
// duration; a str for string and bytes; 16 bytes (sec i64, nsec i32, pad) for a
// timestamp.
func (e *encoder) value(v any) (uint32, error) {
	var s strRef
	switch x := v.(type) {
	case string:
		s = e.str(x)
	case []byte:
		s = e.str(string(x))
	}
	e.align()
	off := e.here()
	switch x := v.(type) {
	case bool:
		e.u64(uint64(b2u(x)))
	case int64:
		e.u64(uint64(x))
	case uint64:
		e.u64(x)
	case float64:
		e.u64(math.Float64bits(x))
	case time.Duration:
		e.u64(uint64(x))
	case string, []byte:
		e.strRef(s)
	case ir.Time:
		e.u64(uint64(x.Sec))
		e.u32(uint32(x.Nsec))
		e.u32(0)
	case ir.ErrCode:
		e.u64(uint64(x))
	default:
		return 0, fmt.Errorf("wasmc: constant of unexpected type %T", v)
	}
	return off, nil
}

// expr writes an expression node after its children: op, obj, nargs (u16), type,
// slot (for OpConst and OpFail: the offset of the value record), then the children's
// offsets.
func (e *encoder) expr(x *ir.Expr) (uint32, error) {
	if len(x.Args) > math.MaxUint16 {
		return 0, fmt.Errorf("wasmc: %s: expression too large", x.Pos)
	}
	args := make([]uint32, len(x.Args))
	for i, a := range x.Args {
		off, err := e.expr(a)
		if err != nil {
			return 0, err
		}
		args[i] = off
	}
	slot := uint32(x.Slot)
	if x.Op == ir.OpConst || x.Op == ir.OpFail {
		v, err := e.value(x.Value)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", x.Pos, err)
		}
		slot = v
	}
	t := e.typ(x.Type)
	e.align()
	off := e.here()
	e.u8(uint8(x.Op))
	e.u8(uint8(x.Obj))
	e.u16(uint16(len(args)))
	e.u32(t)
	e.u32(slot)
	for _, a := range args {
		e.u32(a)
	}
	return off, nil
}

// pexpr writes a plan node after its children: op, sub (cmp or str fn), flags (1 all,
// 2 neg), a pad byte, nargs (u32), x (expr offset or 0), ctype, slot, name (str: the
// attribute, variable, pattern or residual's why), then the children's offsets.
func (e *encoder) pexpr(p *ir.PExpr) (uint32, error) {
	args := make([]uint32, len(p.Args))
	for i, a := range p.Args {
		off, err := e.pexpr(a)
		if err != nil {
			return 0, err
		}
		args[i] = off
	}
	var x uint32
	if p.X != nil {
		var err error
		if x, err = e.expr(p.X); err != nil {
			return 0, err
		}
	}
	ct := e.typ(p.CType)
	text := p.Name
	switch p.Op {
	case ir.PMatch:
		text = p.Pattern
	case ir.PResidual:
		text = p.Why
	}
	name := e.str(text)
	sub := uint8(p.Cmp)
	if p.Op == ir.PStrOp {
		sub = uint8(p.Str)
	}
	var flags uint8
	if p.All {
		flags |= 1
	}
	if p.Neg {
		flags |= 2
	}
	e.align()
	off := e.here()
	e.u8(uint8(p.Op))
	e.u8(sub)
	e.u8(flags)
	e.u8(0)
	e.u32(uint32(len(args)))
	e.u32(x)
	e.u32(ct)
	e.u32(uint32(p.Slot))
	e.strRef(name)
	for _, a := range args {
		e.u32(a)
	}
	return off, nil
}
