package cond

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"

	"github.com/permc/permc/runtime"
)

// AppendJSON appends c's JSON encoding:
//
//	true, false                        constants
//	{"and": [c, ...]}, {"or": [c, ...]}, {"not": c}
//	{"op": "==", "left": v, "right": v} (also "<", "<=", ">", ">=", "in",
//	                                    "startsWith", "endsWith", "contains")
//	{"op": "matches", "left": v, "pattern": "..."}
//	{"op": "exists", "var": "t", "in": v, "where": c} (also "all")
//	{"op": "unplanned", "expr": "...", "want": true, "why": "...", "what": "...", "at": "FILE:LINE:COL"}
//
// and values as {"attr": "org"}, {"var": "t"}, {"size": v} or {"value": x, "type":
// "list(string)"}, where x is the constant in the request's JSON encoding of its type
// (timestamps RFC 3339, durations "1h30m0s", bytes base64; a double that JSON cannot
// hold, NaN or an infinity, is the string "NaN", "Infinity" or "-Infinity").
func AppendJSON(b []byte, c Cond) []byte {
	switch c := c.(type) {
	case Const:
		return strconv.AppendBool(b, bool(c))
	case And:
		return appendJunction(b, "and", c)
	case Or:
		return appendJunction(b, "or", c)
	case *Not:
		b = append(b, `{"not":`...)
		b = AppendJSON(b, c.X)
		return append(b, '}')
	case *Compare:
		return appendOp(b, c.Op.String(), c.L, c.R)
	case *In:
		return appendOp(b, "in", c.Elem, c.Coll)
	case *StrTest:
		return appendOp(b, c.Fn.String(), c.S, c.Arg)
	case *Matches:
		b = append(b, `{"op":"matches","left":`...)
		b = appendValue(b, c.S)
		b = append(b, `,"pattern":`...)
		b = appendString(b, c.Pattern)
		return append(b, '}')
	case *Quant:
		op := "exists"
		if c.All {
			op = "all"
		}
		b = append(b, `{"op":"`+op+`","var":`...)
		b = appendString(b, c.Var)
		b = append(b, `,"in":`...)
		b = appendValue(b, c.List)
		b = append(b, `,"where":`...)
		b = AppendJSON(b, c.Body)
		return append(b, '}')
	case *Residual:
		b = append(b, `{"op":"unplanned","expr":`...)
		b = appendString(b, c.Expr)
		b = append(b, `,"want":`...)
		b = strconv.AppendBool(b, c.Want)
		b = append(b, `,"why":`...)
		b = appendString(b, c.Why)
		if c.At != nil {
			b = append(b, `,"what":`...)
			b = appendString(b, c.At.What)
			b = append(b, `,"at":`...)
			b = appendString(b, c.At.Pos)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

func appendJunction(b []byte, name string, cs []Cond) []byte {
	b = append(b, `{"`+name+`":[`...)
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSON(b, c)
	}
	return append(b, "]}"...)
}

func appendOp(b []byte, op string, l, r Value) []byte {
	b = append(b, `{"op":`...)
	b = appendString(b, op)
	b = append(b, `,"left":`...)
	b = appendValue(b, l)
	b = append(b, `,"right":`...)
	b = appendValue(b, r)
	return append(b, '}')
}

func appendValue(b []byte, v Value) []byte {
	switch v := v.(type) {
	case *Attr:
		b = append(b, `{"attr":`...)
		b = appendString(b, v.Name)
	case *Var:
		b = append(b, `{"var":`...)
		b = appendString(b, v.Name)
	case *Size:
		b = append(b, `{"size":`...)
		b = appendValue(b, v.Of)
	case *Lit:
		b = append(b, `{"value":`...)
		b = AppendValueJSON(b, v.V)
		b = append(b, `,"type":`...)
		b = appendString(b, v.T.String())
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

// AppendValueJSON appends a constant in the request's JSON encoding of its type.
func AppendValueJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float64:
		switch {
		case math.IsNaN(x):
			return append(b, `"NaN"`...)
		case math.IsInf(x, 1):
			return append(b, `"Infinity"`...)
		case math.IsInf(x, -1):
			return append(b, `"-Infinity"`...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case string:
		return appendString(b, x)
	case []byte:
		return appendString(b, base64.StdEncoding.EncodeToString(x))
	case time.Time:
		return appendString(b, x.UTC().Format(time.RFC3339Nano))
	case time.Duration:
		return appendString(b, x.String())
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendValueJSON(b, e)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = AppendValueJSON(b, x[k])
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

func appendString(b []byte, s string) []byte { return runtime.AppendJSONString(b, s) }
