// Package pgsql translates a condition (package cond) into a PostgreSQL WHERE clause
// with numbered parameters ($1, $2, ...), given the table and columns that hold a
// resource type: "which rows may this user see" becomes one query the database can
// answer with its indexes.
//
// The clause selects exactly the rows for which the condition, and so the check it was
// planned from, holds. To keep that promise the translation makes CEL's semantics
// explicit where PostgreSQL's differ, and refuses (with an error naming the expression
// and its position in the spec) what it cannot translate exactly; nothing is dropped.
//
// # Notes
//
// Columns must be NOT NULL and arrays must hold no NULL elements: a request that
// omits an attribute gives it its zero value, never null, and the translation relies
// on two-valued logic (NOT x is the complement of x). Store zero values, not NULL.
//
// Column types: bool boolean, int bigint, uint numeric, double double precision,
// string text (or varchar), bytes bytea, timestamp timestamptz, duration bigint
// (nanoseconds), list(T) a one-dimensional array of T's column type. Maps have no
// mapping, and neither have lists of lists.
//
// Strings compare as CEL compares them, by code point (UTF-8 byte) order: ordering
// comparisons use COLLATE "C", whatever the column's collation; equality, membership
// and LIKE need the column's collation to be deterministic (PostgreSQL's default
// collations are). An index serves < and > on a string column only if it is built with
// COLLATE "C" (or text_pattern_ops for the LIKE of startsWith).
//
// Doubles: PostgreSQL sorts NaN above every number and makes it equal to itself; CEL
// makes it unordered and unequal to everything, so comparisons with a double column
// exclude NaN explicitly.
//
// Timestamps: PostgreSQL keeps microseconds, CEL nanoseconds. A constant with
// sub-microsecond digits is compared exactly against the microsecond values stored
// (equal to none of them, between two of them).
//
// Text cannot hold NUL: a constant string containing NUL can equal no stored value,
// and is compared accordingly.
//
// Regular expressions (matches) have no translation: RE2 and PostgreSQL's POSIX
// regular expressions differ. Neither have the parts of a spec the planner could not
// express as a condition (cond.Residual).
package pgsql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/permc/permc/runtime/cond"
)

// Table is where the resources of one type are: a table (or view) and a column for
// each attribute a condition may test, "id" included.
type Table struct {
	// Name is the table's name, schema-qualified or not ("libraries", "app.libraries").
	Name string
	// Columns maps an attribute name to its column ("org", or "l.org" to qualify it).
	Columns map[string]string
}

// Error is a condition, or part of one, that has no exact translation.
type Error struct {
	// At is where the condition comes from in the spec, when known.
	At  *cond.Origin
	Msg string
}

func (e *Error) Error() string {
	if e.At == nil {
		return "cannot translate to SQL: " + e.Msg
	}
	s := e.At.Pos + ": " + e.At.What
	if e.At.Expr != "" {
		s += ": cannot translate " + e.At.Expr + " to SQL"
	} else {
		s += ": cannot translate to SQL"
	}
	return s + ": " + e.Msg
}

// Query is a translated condition: a WHERE clause and its arguments, in order.
type Query struct {
	Where string
	Args  []any
}

// Where translates c into a boolean SQL expression over t's columns, whose
// parameters are numbered from firstParam ($1 when firstParam is 1), so that it can be
// appended to a query that already has parameters. The arguments are Go values pgx
// (and database/sql drivers) encode directly: bool, int64, float64, string, []byte,
// time.Time and slices of them; uint values travel as decimal strings.
//
// # Errors
//
// A *Error for any part of c without an exact translation: regular expressions,
// unplanned (residual) parts of the spec, maps, lists of lists, an attribute that t
// has no column for.
func Where(c cond.Cond, t *Table, firstParam int) (*Query, error) {
	if t == nil {
		return nil, &Error{Msg: "no table"}
	}
	if firstParam < 1 {
		firstParam = 1
	}
	tr := &translator{t: t, first: firstParam}
	sql, err := tr.cond(c)
	if err != nil {
		return nil, err
	}
	return &Query{Where: sql, Args: tr.args}, nil
}

// Select returns `SELECT columns FROM table WHERE ...` for c; columns is the select
// list as written ("*" when empty).
func Select(c cond.Cond, t *Table, columns string) (*Query, error) {
	q, err := Where(c, t, 1)
	if err != nil {
		return nil, err
	}
	if columns == "" {
		columns = "*"
	}
	q.Where = "SELECT " + columns + " FROM " + QuoteName(t.Name) + " WHERE " + q.Where
	return q, nil
}

type translator struct {
	t     *Table
	first int
	args  []any
	vars  []qvar // quantifier variables in scope, innermost last
	n     int    // quantifiers so far, for aliases
}

type qvar struct {
	name  string
	alias string
}

// QuoteName quotes a possibly qualified SQL name: each dot-separated part becomes a
// quoted identifier.
func QuoteName(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, ".")
}

func (tr *translator) cond(c cond.Cond) (string, error) {
	switch c := c.(type) {
	case cond.Const:
		if c {
			return "TRUE", nil
		}
		return "FALSE", nil
	case cond.And:
		return tr.junction(c, " AND ")
	case cond.Or:
		return tr.junction(c, " OR ")
	case *cond.Not:
		if cmp, ok := c.X.(*cond.Compare); ok && cmp.Op == cond.Eq && !hasDouble(cmp.L.Type()) && cmp.L.Type().Kind != cond.Bool {
			// Without NULLs and NaN, NOT (a = b) is a <> b.
			ne := *cmp
			ne.Op = cond.Ne
			return tr.compare(&ne)
		}
		x, err := tr.cond(c.X)
		if err != nil {
			return "", err
		}
		return "NOT " + paren(x), nil
	case *cond.Compare:
		return tr.compare(c)
	case *cond.In:
		return tr.in(c)
	case *cond.StrTest:
		return tr.strTest(c)
	case *cond.Matches:
		return "", &Error{At: c.At, Msg: "regular expressions have no exact translation (CEL uses RE2 syntax and semantics, PostgreSQL POSIX regular expressions)"}
	case *cond.Quant:
		return tr.quant(c)
	case *cond.Residual:
		return "", &Error{At: c.At, Msg: c.Why}
	}
	return "", &Error{Msg: fmt.Sprintf("unknown condition %T", c)}
}

func (tr *translator) junction(cs []cond.Cond, sep string) (string, error) {
	if len(cs) == 0 {
		if sep == " AND " {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		s, err := tr.cond(c)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

// paren wraps s in parentheses unless it already is one parenthesized unit or a bare
// column or constant.
func paren(s string) string {
	if isUnit(s) {
		return s
	}
	return "(" + s + ")"
}

func isUnit(s string) bool {
	if s == "TRUE" || s == "FALSE" {
		return true
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 && i != len(s)-1 {
					return false
				}
			}
		}
		return true
	}
	// A quoted name, possibly qualified: "a"."b".
	for _, part := range strings.Split(s, ".") {
		if len(part) < 2 || part[0] != '"' || part[len(part)-1] != '"' {
			return false
		}
	}
	return true
}

func hasDouble(t *cond.Type) bool {
	for ; t != nil; t = t.Elem {
		if t.Kind == cond.Double {
			return true
		}
	}
	return false
}

// sqlType returns the SQL type of the parameter that carries a constant of type t.
func sqlType(t *cond.Type) (string, error) {
	switch t.Kind {
	case cond.Bool:
		return "boolean", nil
	case cond.Int, cond.Duration:
		return "bigint", nil
	case cond.Uint:
		return "numeric", nil
	case cond.Double:
		return "double precision", nil
	case cond.String:
		return "text", nil
	case cond.Bytes:
		return "bytea", nil
	case cond.Timestamp:
		return "timestamptz", nil
	case cond.List:
		if t.Elem.Kind == cond.List || t.Elem.Kind == cond.Map {
			return "", fmt.Errorf("lists of %s have no PostgreSQL mapping", t.Elem)
		}
		el, err := sqlType(t.Elem)
		return el + "[]", err
	}
	return "", fmt.Errorf("values of type %s have no PostgreSQL mapping", t)
}

// param adds a constant as a parameter and returns its typed placeholder.
func (tr *translator) param(v any, t *cond.Type, at *cond.Origin) (string, error) {
	typ, err := sqlType(t)
	if err != nil {
		return "", &Error{At: at, Msg: err.Error()}
	}
	arg, err := goArg(v, t)
	if err != nil {
		return "", &Error{At: at, Msg: err.Error()}
	}
	tr.args = append(tr.args, arg)
	n := tr.first + len(tr.args) - 1
	if t.Kind == cond.Uint || t.Kind == cond.List && t.Elem.Kind == cond.Uint {
		// uint64 has no SQL type: it travels as decimal text and becomes numeric.
		if t.Kind == cond.List {
			return fmt.Sprintf("$%d::text[]::numeric[]", n), nil
		}
		return fmt.Sprintf("$%d::text::numeric", n), nil
	}
	return fmt.Sprintf("$%d::%s", n, typ), nil
}

// goArg converts a constant to the Go value a driver encodes as the parameter.
func goArg(v any, t *cond.Type) (any, error) {
	switch t.Kind {
	case cond.Uint:
		u, ok := v.(uint64)
		if !ok {
			return nil, fmt.Errorf("want a uint constant, not %T", v)
		}
		return strconv.FormatUint(u, 10), nil
	case cond.Duration:
		d, ok := v.(time.Duration)
		if !ok {
			return nil, fmt.Errorf("want a duration constant, not %T", v)
		}
		return int64(d), nil
	case cond.String:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string constant, not %T", v)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("PostgreSQL text cannot hold NUL")
		}
		return s, nil
	case cond.Timestamp:
		ts, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("want a timestamp constant, not %T", v)
		}
		return ts.UTC(), nil
	case cond.List:
		elems, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list constant, not %T", v)
		}
		return listArg(elems, t.Elem)
	}
	return v, nil
}

func listArg(elems []any, t *cond.Type) (any, error) {
	conv := func(e any) (any, error) { return goArg(e, t) }
	switch t.Kind {
	case cond.Bool:
		return typedList[bool](elems, conv)
	case cond.Int, cond.Duration:
		return typedList[int64](elems, conv)
	case cond.Uint, cond.String:
		return typedList[string](elems, conv)
	case cond.Double:
		return typedList[float64](elems, conv)
	case cond.Bytes:
		return typedList[[]byte](elems, conv)
	case cond.Timestamp:
		return typedList[time.Time](elems, conv)
	}
	return nil, fmt.Errorf("lists of %s have no PostgreSQL mapping", t)
}

func typedList[T any](elems []any, conv func(any) (any, error)) ([]T, error) {
	out := make([]T, 0, len(elems))
	for _, e := range elems {
		x, err := conv(e)
		if err != nil {
			return nil, err
		}
		y, ok := x.(T)
		if !ok {
			return nil, fmt.Errorf("list element %v has the wrong type", e)
		}
		out = append(out, y)
	}
	return out, nil
}

// value translates a non-constant value: a column, a quantifier's element, a size.
func (tr *translator) value(v cond.Value, at *cond.Origin) (string, error) {
	switch v := v.(type) {
	case *cond.Attr:
		col, ok := tr.t.Columns[v.Name]
		if !ok || col == "" {
			return "", &Error{At: at, Msg: fmt.Sprintf("table %s has no column for attribute %q", tr.t.Name, v.Name)}
		}
		if v.T.Kind == cond.Map || v.T.Kind == cond.List && (v.T.Elem.Kind == cond.List || v.T.Elem.Kind == cond.Map) {
			return "", &Error{At: at, Msg: fmt.Sprintf("attribute %q of type %s has no PostgreSQL mapping", v.Name, v.T)}
		}
		return QuoteName(col), nil
	case *cond.Var:
		for i := len(tr.vars) - 1; i >= 0; i-- {
			if tr.vars[i].name == v.Name {
				return tr.vars[i].alias + ".v", nil
			}
		}
		return "", &Error{At: at, Msg: fmt.Sprintf("variable %s is not bound", v.Name)}
	case *cond.Size:
		of, err := tr.value(v.Of, at)
		if err != nil {
			return "", err
		}
		switch v.Of.Type().Kind {
		case cond.String:
			return "char_length(" + of + ")", nil
		case cond.Bytes:
			return "octet_length(" + of + ")", nil
		case cond.List:
			// cardinality, not array_length, which is NULL for an empty array.
			return "cardinality(" + of + ")", nil
		}
		return "", &Error{At: at, Msg: fmt.Sprintf("size() of a %s has no PostgreSQL mapping", v.Of.Type())}
	case *cond.Lit:
		return "", &Error{At: at, Msg: "internal error: a constant where a column was expected"}
	}
	return "", &Error{At: at, Msg: fmt.Sprintf("unknown value %T", v)}
}

func and(parts ...string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// microRound reports how a timestamp constant relates to PostgreSQL's microseconds:
// exact, or strictly between floor and floor+1µs.
func microRound(t time.Time) (floor time.Time, exact bool) {
	floor = t.Truncate(time.Microsecond)
	return floor, floor.Equal(t)
}

// orderConst turns `x op c`, where c may lie between two values a column can hold (a
// timestamp with nanoseconds, a string with NUL), into an equivalent comparison with
// a constant the column can hold. eq reports that x == c holds for no stored value.
func orderConst(op cond.Op, lit *cond.Lit) (cond.Op, *cond.Lit, bool) {
	between := false
	var lower any
	switch v := lit.V.(type) {
	case time.Time:
		floor, exact := microRound(v)
		between, lower = !exact, floor
	case string:
		if i := strings.IndexByte(v, 0); i >= 0 {
			// No stored string lies between v[:i] and v: any string > v[:i] that is
			// < v would have to continue v[:i] with a byte below NUL.
			between, lower = true, v[:i]
		}
	}
	if !between {
		return op, lit, false
	}
	lit = &cond.Lit{V: lower, T: lit.T}
	switch op {
	case cond.Lt, cond.Le:
		return cond.Le, lit, true
	case cond.Gt, cond.Ge:
		return cond.Gt, lit, true
	}
	return op, lit, true
}

func sqlOp(op cond.Op) string {
	switch op {
	case cond.Eq:
		return "="
	case cond.Ne:
		return "<>"
	}
	return op.String()
}

func (tr *translator) compare(c *cond.Compare) (string, error) {
	t := c.L.Type()
	if t.Kind == cond.Map {
		return "", &Error{At: c.At, Msg: "maps have no PostgreSQL mapping"}
	}
	l, err := tr.value(c.L, c.At)
	if err != nil {
		return "", err
	}
	op := c.Op
	var r string
	var guards []string
	if lit, ok := c.R.(*cond.Lit); ok {
		if t.Kind == cond.Bool && (op == cond.Eq || op == cond.Ne) {
			if lit.V == (op == cond.Eq) {
				return l, nil
			}
			return "NOT " + l, nil
		}
		var never bool
		op, lit, never = orderConst(op, lit)
		if elems, ok := lit.V.([]any); ok && len(storable(elems)) < len(elems) {
			never = true // a list holding a constant no column can hold equals no stored list
		}
		switch {
		case never && op == cond.Eq:
			return "FALSE", nil
		case never && op == cond.Ne:
			return "TRUE", nil
		}
		if r, err = tr.param(lit.V, lit.T, c.At); err != nil {
			return "", err
		}
	} else {
		if r, err = tr.value(c.R, c.At); err != nil {
			return "", err
		}
		guards = tr.doubleGuards(t, r)
	}
	guards = append(tr.doubleGuards(t, l), guards...)
	expr := l + " " + sqlOp(op) + " " + r
	if t.Kind == cond.String && op != cond.Eq && op != cond.Ne {
		// CEL orders strings by code point: byte order in UTF-8.
		expr = l + ` COLLATE "C" ` + sqlOp(op) + " " + r
	}
	return and(append(guards, expr)...), nil
}

// doubleGuards returns the conditions that keep NaN out of a non-constant operand of
// type t: PostgreSQL's NaN equals itself and sorts above every number, CEL's NaN is
// unequal and unordered, so no comparison involving it is true.
func (tr *translator) doubleGuards(t *cond.Type, v string) []string {
	switch {
	case t.Kind == cond.Double:
		return []string{v + " <> 'NaN'::double precision"}
	case t.Kind == cond.List && t.Elem.Kind == cond.Double:
		return []string{"NOT ('NaN'::double precision = ANY(" + v + "))"}
	}
	return nil
}

func (tr *translator) in(c *cond.In) (string, error) {
	collT := c.Coll.Type()
	if collT.Kind == cond.Map {
		return "", &Error{At: c.At, Msg: "maps have no PostgreSQL mapping"}
	}
	if collT.Kind != cond.List {
		return "", &Error{At: c.At, Msg: fmt.Sprintf("membership in a %s", collT)}
	}
	elemT := collT.Elem
	if lit, ok := c.Coll.(*cond.Lit); ok {
		list, ok := lit.V.([]any)
		if !ok {
			return "", &Error{At: c.At, Msg: fmt.Sprintf("a %T constant where a list was expected", lit.V)}
		}
		elems := storable(list)
		if len(elems) == 0 {
			return "FALSE", nil
		}
		x, err := tr.value(c.Elem, c.At)
		if err != nil {
			return "", err
		}
		p, err := tr.param(elems, collT, c.At)
		if err != nil {
			return "", err
		}
		return x + " = ANY(" + p + ")", nil
	}
	coll, err := tr.value(c.Coll, c.At)
	if err != nil {
		return "", err
	}
	if lit, ok := c.Elem.(*cond.Lit); ok {
		if len(storable([]any{lit.V})) == 0 {
			return "FALSE", nil
		}
		p, err := tr.param(lit.V, elemT, c.At)
		if err != nil {
			return "", err
		}
		return p + " = ANY(" + coll + ")", nil
	}
	x, err := tr.value(c.Elem, c.At)
	if err != nil {
		return "", err
	}
	expr := x + " = ANY(" + coll + ")"
	if elemT.Kind == cond.Double {
		return and(append(tr.doubleGuards(elemT, x), expr)...), nil
	}
	return expr, nil
}

// storable drops the constants no column value can equal: timestamps with
// nanoseconds, strings with NUL, NaN.
func storable(elems []any) []any {
	out := make([]any, 0, len(elems))
	for _, e := range elems {
		switch v := e.(type) {
		case time.Time:
			if _, exact := microRound(v); !exact {
				continue
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				continue
			}
		case float64:
			if math.IsNaN(v) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// likeEscape escapes LIKE's wildcards and its escape character, the backslash.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func (tr *translator) strTest(c *cond.StrTest) (string, error) {
	if lit, ok := c.Arg.(*cond.Lit); ok {
		arg, ok := lit.V.(string)
		if !ok {
			return "", &Error{At: c.At, Msg: fmt.Sprintf("a %T constant where a string was expected", lit.V)}
		}
		if strings.IndexByte(arg, 0) >= 0 {
			return "FALSE", nil // no stored string contains NUL
		}
		s, err := tr.value(c.S, c.At)
		if err != nil {
			return "", err
		}
		var pat string
		switch c.Fn {
		case cond.StartsWith:
			pat = likeEscape(arg) + "%"
		case cond.EndsWith:
			pat = "%" + likeEscape(arg)
		default:
			pat = "%" + likeEscape(arg) + "%"
		}
		p, err := tr.param(pat, cond.StringType, c.At)
		if err != nil {
			return "", err
		}
		return s + " LIKE " + p, nil
	}
	arg, err := tr.value(c.Arg, c.At)
	if err != nil {
		return "", err
	}
	var s string
	if lit, ok := c.S.(*cond.Lit); ok {
		str, ok := lit.V.(string)
		if !ok {
			return "", &Error{At: c.At, Msg: fmt.Sprintf("a %T constant where a string was expected", lit.V)}
		}
		if i := strings.IndexByte(str, 0); i >= 0 {
			if c.Fn != cond.StartsWith {
				return "", &Error{At: c.At, Msg: "PostgreSQL text cannot hold NUL"}
			}
			// A stored string (without NUL) is a prefix of str iff it is one of
			// the part before the first NUL.
			str = str[:i]
		}
		if s, err = tr.param(str, cond.StringType, c.At); err != nil {
			return "", err
		}
	} else if s, err = tr.value(c.S, c.At); err != nil {
		return "", err
	}
	switch c.Fn {
	case cond.StartsWith:
		return "starts_with(" + s + ", " + arg + ")", nil
	case cond.EndsWith:
		return "right(" + s + ", char_length(" + arg + ")) = " + arg, nil
	}
	return "strpos(" + s + ", " + arg + ") > 0", nil
}

func (tr *translator) quant(c *cond.Quant) (string, error) {
	if c.List.Type().Kind != cond.List {
		return "", &Error{At: c.At, Msg: "exists/all over a " + c.List.Type().String()}
	}
	list, err := tr.value(c.List, c.At)
	if err != nil {
		return "", err
	}
	// list.exists(v, v in [constants]) is array overlap, which an index can serve.
	if in, ok := c.Body.(*cond.In); ok && !c.All {
		if v, ok := in.Elem.(*cond.Var); ok && v.Name == c.Var {
			if lit, ok := in.Coll.(*cond.Lit); ok {
				consts, _ := lit.V.([]any)
				elems := storable(consts)
				if len(elems) == 0 {
					return "FALSE", nil
				}
				p, err := tr.param(elems, lit.T, c.At)
				if err != nil {
					return "", err
				}
				return list + " && " + p, nil
			}
		}
	}
	tr.n++
	alias := fmt.Sprintf("q%d", tr.n)
	tr.vars = append(tr.vars, qvar{name: c.Var, alias: alias})
	body := c.Body
	if c.All {
		body = cond.NotOf(body)
	}
	b, err := tr.cond(body)
	tr.vars = tr.vars[:len(tr.vars)-1]
	if err != nil {
		return "", err
	}
	sub := "EXISTS (SELECT 1 FROM unnest(" + list + ") AS " + alias + "(v) WHERE " + b + ")"
	if c.All {
		return "NOT " + sub, nil
	}
	return sub, nil
}
