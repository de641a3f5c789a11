// engine.h: the engine's parts that answer checks and load custom roles from the
// linked program (engine.c implements abi.h's interface with them):
//
//   decode.c  a request's JSON into a request: its objects' attribute values by slot,
//             its role assignments, its credential, and the warnings of invalid
//             assignments, with the messages and in the order of the generated Go
//             decoder (gen/json.go, runtime/request.go)
//   decide.c  the decision order (gen/check.go, docs/spec.md "Evaluation order")
//   roles.c   the roles a check can meet, built in and custom, and loading custom
//             roles (runtime/roles.go)
#ifndef RT_ENGINE_H
#define RT_ENGINE_H

#include "decision.h"
#include "eval.h"

// ---- The program's records -------------------------------------------------------

// program_linked reports whether a program is linked; when none is, it records a bug,
// so that the call fails closed (engine.c).
bool program_linked(void);

// record returns the offset of record i of the array of record offsets at arr.
static inline u32 record(u32 arr, u32 i) { return PROG(u32, arr)[i]; }

// A name index finds an entry by name in constant time: a hash table (open
// addressing, linear probing) of entry indexes + 1 (0: empty) over names[i], the
// name of entry i. The table has at least twice as many slots as entries.
typedef struct name_index {
	u32 mask;
	u32 *slots;
	const str *names;
} name_index;

// name_index_build indexes n names (each distinct) in memory from a (the heap when
// NULL); false when memory runs out.
bool name_index_build(name_index *ix, const str *names, u32 n, arena *a);
// name_find returns the index of the entry called name, or -1.
i32 name_find(const name_index *ix, str name);

// The program's names, indexed when the instance starts (engine.c).
extern name_index resource_names, permission_names, scope_names, role_names, oauth_names, filter_names;

static inline const prog_resource *resource_at(u32 i) { return PROG(prog_resource, record(HDR->resources, i)); }
static inline const prog_permission *permission_at(u32 i) { return PROG(prog_permission, record(HDR->permissions, i)); }
static inline const prog_scope *scope_at(u32 i) { return PROG(prog_scope, record(HDR->scopes, i)); }

// cut splits s at its first ':' (a credential filter's name and value); false when it
// has none.
static inline bool cut(str s, str *name, str *value) {
	for (u32 i = 0; i < s.n; i++) {
		if (s.p[i] == ':') {
			*name = str_of(s.p, i);
			*value = str_of(s.p + i + 1, s.n - i - 1);
			return true;
		}
	}
	return false;
}

// perm_in reports whether permission p is in a permission bitset.
static inline bool perm_in(const u32 *set, u32 p) { return (set[p / 32] >> (p % 32)) & 1; }

// ---- Roles (roles.c) -------------------------------------------------------------

// A role a check can meet: a built-in role or a custom role loaded now.
typedef struct role {
	str name;
	const u32 *perms;  // the permissions it grants: a bitset of perm_words words
	const u32 *scopes; // the scopes it may be assigned at; NULL: any scope
	u32 nscopes;
	str only_at;       // their names joined by ", ", for a warning
	i32 builtin;       // its index among the program's roles; -1 for a custom role
} role;

// roles_init builds the built-in roles from the program.
bool roles_init(void);
// role_named returns the role called name, built in or custom, or NULL.
const role *role_named(str name);
// role_at reports whether r may be assigned at scope (an index).
hot bool role_at(const role *r, u32 scope) {
	if (!r->scopes)
		return true;
	for (u32 i = 0; i < r->nscopes; i++)
		if (r->scopes[i] == scope)
			return true;
	return false;
}
// roles_load is rt_load_roles (abi.h).
int roles_load(str data, buf *msg);

// ---- Requests (decode.c) ---------------------------------------------------------

// A credential's list of strings; present is false when the request does not give it
// (which does not narrow), true for an empty list (which unlocks nothing).
typedef struct strlist {
	bool present;
	u32 n;
	const str *items;
} strlist;

// A role assignment of the principal.
typedef struct assignment {
	const role *role;    // NULL: an unknown role
	i32 scope;           // the scope type's index; -1: unknown
	bool incomplete;     // a scope parameter is missing
	const value *params; // the scope's parameters by slot
} assignment;

// A decoded request. Values are views of the request and of rt.arena.
typedef struct request {
	u32 resource, perm; // indexes
	const value *principal, *resource_attrs, *context, *cred_attrs;
	const assignment *roles;
	u32 nroles;
	bool has_cred;
	strlist scopes, perms, cred_roles, filters;
	// The warnings of invalid assignments, in order.
	rt_warning *warnings;
	u32 nwarnings, capwarnings;
} request;

// decode_request decodes req into q, or appends the message of its first problem to
// msg and returns false (also when memory runs out: rt.oom is then set).
bool decode_request(str req, request *q, buf *msg);
// decode_plan_request decodes a plan request (plan.c) as the generated PlanJSON(req,
// "") does: a check request without its resource, or whose resource gives only its
// type, with the permission's resource type in q->resource.
bool decode_plan_request(str req, request *q, buf *msg);

// assignment_grants reports whether the role assignment as is valid and its role
// grants permission perm (gen's valid and grants.Has).
static inline bool assignment_grants(const assignment *as, u32 perm) {
	return as->role && !as->incomplete && as->scope >= 0 && role_at(as->role, (u32)as->scope) &&
	       perm_in(as->role->perms, perm);
}

// ---- Decisions (decide.c) --------------------------------------------------------

// decide appends the decision on q to out.
void decide(const request *q, buf *out);
// credential_unlocks is gen's credentialUnlocks: whether q's credential, which has
// scopes, permissions or roles, unlocks q's permission with one of them and names
// nothing unknown (true when it has none of the three).
bool credential_unlocks(const request *q);

#endif
