package cond

import (
	"bytes"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Eval reports whether c holds for a resource whose attributes (and "id") are given
// as a check request's evaluator sees them: string, int64, uint64, float64, bool,
// []byte, time.Time, time.Duration, []any and map[string]any. An attribute missing
// from the map is its type's zero value, as in a request that omits it.
func Eval(c Cond, resource map[string]any) bool {
	return evalCond(c, &env{resource: resource})
}

// env binds the resource and the variables of the enclosing quantifiers.
type env struct {
	resource map[string]any
	name     string
	value    any
	up       *env
}

func (e *env) lookup(name string) (any, bool) {
	for ; e != nil; e = e.up {
		if e.name == name && e.up != nil {
			return e.value, true
		}
	}
	return nil, false
}

func (e *env) root() *env {
	for e.up != nil {
		e = e.up
	}
	return e
}

func evalCond(c Cond, e *env) bool {
	switch c := c.(type) {
	case Const:
		return bool(c)
	case And:
		for _, x := range c {
			if !evalCond(x, e) {
				return false
			}
		}
		return true
	case Or:
		for _, x := range c {
			if evalCond(x, e) {
				return true
			}
		}
		return false
	case *Not:
		return !evalCond(c.X, e)
	case *Compare:
		return compare(c.Op, value(c.L, e), value(c.R, e))
	case *In:
		return member(value(c.Elem, e), value(c.Coll, e))
	case *StrTest:
		s, _ := value(c.S, e).(string)
		arg, _ := value(c.Arg, e).(string)
		switch c.Fn {
		case StartsWith:
			return strings.HasPrefix(s, arg)
		case EndsWith:
			return strings.HasSuffix(s, arg)
		case Contains:
			return strings.Contains(s, arg)
		}
		return false
	case *Matches:
		re := compileRE(c.Pattern)
		s, _ := value(c.S, e).(string)
		return re != nil && re.MatchString(s)
	case *Quant:
		list, _ := value(c.List, e).([]any)
		for _, x := range list {
			if evalCond(c.Body, &env{name: c.Var, value: x, up: e}) != c.All {
				return !c.All
			}
		}
		return c.All
	case *Residual:
		return c.Test != nil && c.Test(e.root().resource)
	}
	return false
}

var reCache sync.Map // pattern -> *regexp.Regexp (nil when invalid)

func compileRE(p string) *regexp.Regexp {
	if re, ok := reCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	reCache.Store(p, re)
	return re
}

func value(v Value, e *env) any {
	switch v := v.(type) {
	case *Lit:
		return v.V
	case *Attr:
		if x, ok := e.root().resource[v.Name]; ok && x != nil {
			return x
		}
		return Zero(v.T)
	case *Var:
		x, _ := e.lookup(v.Name)
		return x
	case *Size:
		switch x := value(v.Of, e).(type) {
		case string:
			return int64(utf8.RuneCountInString(x))
		case []byte:
			return int64(len(x))
		case []any:
			return int64(len(x))
		case map[string]any:
			return int64(len(x))
		}
		return int64(0)
	}
	return nil
}

// Zero returns the zero value of a type, as a request that omits an attribute gets.
func Zero(t *Type) any {
	switch t.Kind {
	case Bool:
		return false
	case Int:
		return int64(0)
	case Uint:
		return uint64(0)
	case Double:
		return float64(0)
	case String:
		return ""
	case Bytes:
		return []byte{}
	case Timestamp:
		return time.Time{}.UTC()
	case Duration:
		return time.Duration(0)
	case List:
		return []any{}
	case Map:
		return map[string]any{}
	}
	return nil
}

func compare(op Op, a, b any) bool {
	switch op {
	case Eq:
		return Equal(a, b)
	case Ne:
		return !Equal(a, b)
	}
	c, ok := order(a, b)
	if !ok {
		return false
	}
	switch op {
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	}
	return false
}

// Equal reports whether two values of one type are equal under CEL's semantics.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case bool, int64, uint64, string, time.Duration:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// order compares two values of one ordered type; ok is false for NaN and for
// values that have no order.
func order(a, b any) (int, bool) {
	switch x := a.(type) {
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	case int64:
		y, ok := b.(int64)
		return cmp3(x < y, x > y), ok
	case uint64:
		y, ok := b.(uint64)
		return cmp3(x < y, x > y), ok
	case float64:
		y, ok := b.(float64)
		if !ok || math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case string:
		y, ok := b.(string)
		return strings.Compare(x, y), ok
	case []byte:
		y, ok := b.([]byte)
		return bytes.Compare(x, y), ok
	case time.Time:
		y, ok := b.(time.Time)
		return x.Compare(y), ok
	case time.Duration:
		y, ok := b.(time.Duration)
		return cmp3(x < y, x > y), ok
	}
	return 0, false
}

func cmp3(lt, gt bool) int {
	switch {
	case lt:
		return -1
	case gt:
		return 1
	}
	return 0
}

func member(elem, coll any) bool {
	switch c := coll.(type) {
	case []any:
		for _, x := range c {
			if Equal(elem, x) {
				return true
			}
		}
	case map[string]any:
		k, ok := elem.(string)
		if ok {
			_, ok = c[k]
		}
		return ok
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
