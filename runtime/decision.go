package runtime

import "strconv"

// ReasonKind says which step of the decision order decided.
type ReasonKind uint8

// The reasons a decision can have, in the order they are tried after deny rules.
const (
	// NoGrant: nothing allowed the permission; the default answer.
	NoGrant ReasonKind = iota
	// Role: a role assignment granted the permission.
	Role
	// AllowRule: an allow rule applied.
	AllowRule
	// DenyRule: a deny rule applied, or failed to evaluate.
	DenyRule
	// Credential: the credential does not unlock the permission or the resource.
	Credential
	// Malformed: a typed check lacks a required attribute (the decision's error names
	// it) and is denied. A request in JSON gets an error instead of a decision.
	Malformed
)

var reasonNames = [...]string{"no_grant", "role", "allow_rule", "deny_rule", "credential", "malformed"}

func (k ReasonKind) String() string {
	if int(k) < len(reasonNames) {
		return reasonNames[k]
	}
	return "unknown"
}

// Reason says what decided: the rule id for rules, the role name and assignment index
// for roles.
type Reason struct {
	Kind       ReasonKind
	Rule       string
	Role       string
	Assignment int
}

// EvalError is an expression that failed to evaluate while deciding. Kind is "rule",
// "role", "scope" or "filter"; Name is the rule id, role, scope or filter name;
// Assignment is the role assignment index for "role" and "scope", otherwise -1. A
// typed check that lacks a required attribute has one error of Kind "request", whose
// Name is the attribute's path (context.time), and reason Malformed.
type EvalError struct {
	Kind       string
	Name       string
	Assignment int
	Message    string
}

// Warning is a role assignment that grants nothing because it is invalid.
type Warning struct {
	Assignment int
	Message    string
}

// Decision is the answer to one request.
type Decision struct {
	Allowed    bool
	Permission string
	Reason     Reason
	Errors     []EvalError
	Warnings   []Warning
}

// MalformedDecision is the decision of a typed check for permission that lacks the
// required attribute at path ("context.time"): denied, with reason Malformed and one
// error of kind "request" naming the attribute.
//
//go:noinline
func MalformedDecision(permission, path string) Decision {
	return Decision{
		Permission: permission,
		Reason:     Reason{Kind: Malformed},
		Errors:     []EvalError{{Kind: "request", Name: path, Assignment: -1, Message: path + " is required"}},
	}
}

// Warn adds a warning about role assignment i. It is kept out of line: warnings are
// rare, and every inlined append costs a Wasm module a few hundred bytes.
//
//go:noinline
func (d *Decision) Warn(i int, msg string) {
	d.Warnings = append(d.Warnings, Warning{Assignment: i, Message: msg})
}

// AppendJSON appends the decision's JSON encoding: allowed, permission, reason, errors,
// warnings, in that order, errors and warnings always arrays.
func (d *Decision) AppendJSON(b []byte) []byte {
	b = append(b, `{"allowed":`...)
	b = strconv.AppendBool(b, d.Allowed)
	b = append(b, `,"permission":`...)
	b = AppendJSONString(b, d.Permission)
	b = append(b, `,"reason":{"kind":`...)
	b = AppendJSONString(b, d.Reason.Kind.String())
	switch d.Reason.Kind {
	case Role:
		b = append(b, `,"role":`...)
		b = AppendJSONString(b, d.Reason.Role)
		b = append(b, `,"assignment":`...)
		b = strconv.AppendInt(b, int64(d.Reason.Assignment), 10)
	case AllowRule, DenyRule:
		b = append(b, `,"rule":`...)
		b = AppendJSONString(b, d.Reason.Rule)
	}
	b = append(b, `},"errors":[`...)
	for i, e := range d.Errors {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"kind":`...)
		b = AppendJSONString(b, e.Kind)
		b = append(b, `,"name":`...)
		b = AppendJSONString(b, e.Name)
		if e.Assignment >= 0 {
			b = append(b, `,"assignment":`...)
			b = strconv.AppendInt(b, int64(e.Assignment), 10)
		}
		b = append(b, `,"message":`...)
		b = AppendJSONString(b, e.Message)
		b = append(b, '}')
	}
	b = append(b, `],"warnings":[`...)
	for i, w := range d.Warnings {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"assignment":`...)
		b = strconv.AppendInt(b, int64(w.Assignment), 10)
		b = append(b, `,"message":`...)
		b = AppendJSONString(b, w.Message)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// AppendErrorJSON appends the answer to a malformed request: {"error": msg}.
func AppendErrorJSON(b []byte, msg string) []byte {
	b = append(b, `{"error":`...)
	b = AppendJSONString(b, msg)
	return append(b, '}')
}
