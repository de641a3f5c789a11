package spec

import (
	"cel.dev/cel-go/common/types"

	"github.com/permc/permc/runtime/cond"
)

// CondType returns the checked CEL type t as the type of a condition value (package
// runtime/cond), or nil when it is not one: dyn, a type parameter, an object, a map
// whose keys are not strings.
func CondType(t *types.Type) *cond.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case types.BoolKind:
		return cond.BoolType
	case types.IntKind:
		return cond.IntType
	case types.UintKind:
		return cond.UintType
	case types.DoubleKind:
		return cond.DoubleType
	case types.StringKind:
		return cond.StringType
	case types.BytesKind:
		return cond.BytesType
	case types.TimestampKind:
		return cond.TimestampType
	case types.DurationKind:
		return cond.DurationType
	case types.ListKind:
		if ps := t.Parameters(); len(ps) == 1 {
			if el := CondType(ps[0]); el != nil {
				return cond.ListOf(el)
			}
		}
	case types.MapKind:
		if ps := t.Parameters(); len(ps) == 2 && ps[0].Kind() == types.StringKind {
			if el := CondType(ps[1]); el != nil {
				return cond.MapOf(el)
			}
		}
	}
	return nil
}
