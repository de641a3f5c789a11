// Type tests: compiled (not run) by test/run.js with tsc --noEmit. The declarations
// of the content-libraries example are the golden file of internal/dts.
import { loadAuthorizer, PermcError, ABI_VERSION, type Answer, type Decision as AnyDecision } from "../../index.js";
import type { Spec, Request, Decision, CustomRole } from "../../../../internal/dts/testdata/libauthz.js";

const version: 1 = ABI_VERSION;
const authz = await loadAuthorizer<Spec>(new Uint8Array(), { maxRequestBytes: 2 << 20 });

const request: Request = {
  principal: { id: "alice", roles: [{ role: "library_author", scope: { type: "org", org: "MITx" } }] },
  resource: { type: "library", id: "lib1", attributes: { org: "MITx", tags: ["x"] } },
  permission: "library.edit",
  credential: { scopes: ["libraries:read"], filters: ["org:MITx"], permissions: ["library.*"] },
  context: { time: "2026-11-22T10:00:00Z" },
};
const answer: Answer<Spec> = authz.check(request);
if (answer.error !== undefined) {
  const message: string = answer.error;
  void message;
} else {
  const d: Decision = answer;
  switch (d.reason.kind) {
    case "role":
      void (d.reason.assignment + 1);
      break;
    case "deny_rule": {
      const id: "archived-is-read-only" | "key-ip-allowlist" = d.reason.rule;
      void id;
      break;
    }
  }
}
if (answer.allowed) {
  // allowed is undefined on a request error: falsy, so this branch fails closed.
}
const answers: Answer<Spec>[] = authz.checkBatch([request, JSON.stringify(request)]);
const text: string = authz.checkJSON(JSON.stringify(request));
const roles: CustomRole[] = [{ name: "reviewer", permissions: ["library.view"], scopes: ["libraries"] }];
authz.loadRoles(roles);
authz.loadRoles(JSON.stringify(roles));
const pkg: string = authz.metadata().package;
void [version, answers, text, pkg];

// @ts-expect-error a course permission asked of a library
const wrongPermission: Request = { ...request, permission: "course.grade" };
// @ts-expect-error a scope without its parameter
const missingParam: Request = { ...request, principal: { id: "a", roles: [{ role: "x", scope: { type: "org" } }] } };
// @ts-expect-error an unknown scope type in a custom role
authz.loadRoles([{ name: "r", permissions: ["library.view"], scopes: ["orgs"] }]);
void [wrongPermission, missingParam];

// A real token's lists are string[]: they type-check, and the module denies the names
// the spec does not know.
const token: { scopes: string[]; filters: string[]; permissions: string[] } = JSON.parse("{}");
const fromToken: Request = { ...request, credential: { scopes: token.scopes, filters: token.filters, permissions: token.permissions } };
const literal: Request = { ...request, credential: { scopes: ["libraries:read", "custom:scope"], filters: ["org:MITx", "org"] } };
void [fromToken, literal];

// Without a Spec, any object is a request and answers are the general Decision.
const any = await loadAuthorizer(new Uint8Array());
const general: AnyDecision | { error: string } = any.check({ anything: true });
void general;

try {
  authz.loadRoles([]);
} catch (e) {
  if (e instanceof PermcError) void e.status;
}

// @ts-expect-error a limit is a number
void loadAuthorizer(new Uint8Array(), { maxBatchRequests: "7" });
