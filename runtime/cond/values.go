package cond

// The conversions between the typed values of generated code and the values of
// conditions (see Lit and Eval): lists are []any and maps map[string]any there.

// ListValue converts a typed list into a condition's list value, each element
// through conv (nil: the element as it is).
func ListValue[T any](xs []T, conv func(T) any) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if conv != nil {
			out[i] = conv(x)
		} else {
			out[i] = x
		}
	}
	return out
}

// MapValue converts a typed map into a condition's map value, each value through
// conv (nil: the value as it is).
func MapValue[T any](m map[string]T, conv func(T) any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		if conv != nil {
			out[k] = conv(x)
		} else {
			out[k] = x
		}
	}
	return out
}

// As returns v as a T, or T's zero value when v is not one (a missing attribute is
// its type's zero value).
func As[T any](v any) T {
	x, _ := v.(T)
	return x
}

// TypedList converts a condition's list value back into a typed list, each element
// through conv (nil: As). A value that is not a list gives nil.
func TypedList[T any](v any, conv func(any) T) []T {
	xs, _ := v.([]any)
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		if conv != nil {
			out[i] = conv(x)
		} else {
			out[i] = As[T](x)
		}
	}
	return out
}

// TypedMap converts a condition's map value back into a typed map, each value
// through conv (nil: As). A value that is not a map gives nil.
func TypedMap[T any](v any, conv func(any) T) map[string]T {
	m, _ := v.(map[string]any)
	if m == nil {
		return nil
	}
	out := make(map[string]T, len(m))
	for k, x := range m {
		if conv != nil {
			out[k] = conv(x)
		} else {
			out[k] = As[T](x)
		}
	}
	return out
}
