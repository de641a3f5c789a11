// decision.h: the decision JSON, byte for byte as runtime.Decision.AppendJSON.
#ifndef RT_DECISION_H
#define RT_DECISION_H

#include "mem.h"

// The reasons, numbered as runtime.ReasonKind.
enum { REASON_NO_GRANT, REASON_ROLE, REASON_ALLOW_RULE, REASON_DENY_RULE, REASON_CREDENTIAL, REASON_MALFORMED };

// An expression that failed to evaluate: kind is "rule", "role", "scope" or
// "filter"; name the rule id, role, scope or filter; assignment the role
// assignment's index, or -1 for none.
typedef struct rt_eval_error {
	str kind, name, message;
	i64 assignment;
} rt_eval_error;

// A role assignment that grants nothing because it is invalid.
typedef struct rt_warning {
	i64 assignment;
	str message;
} rt_warning;

// A decision. The strings and arrays are views the writer only reads.
typedef struct rt_decision {
	bool allowed;
	str permission;
	u32 reason; // REASON_*
	str rule;   // REASON_ALLOW_RULE, REASON_DENY_RULE
	str role;   // REASON_ROLE
	i64 assignment; // REASON_ROLE
	const rt_eval_error *errors;
	u32 nerrors;
	const rt_warning *warnings;
	u32 nwarnings;
} rt_decision;

// buf_decision appends d's JSON: allowed, permission, reason, errors, warnings.
void buf_decision(buf *b, const rt_decision *d);
// buf_reason appends d's reason, {"kind": ...} with its rule or role and assignment,
// and buf_warnings an array of warnings, as buf_decision writes them (a query plan
// has both).
void buf_reason(buf *b, const rt_decision *d);
void buf_warnings(buf *b, const rt_warning *w, u32 n);

#endif
