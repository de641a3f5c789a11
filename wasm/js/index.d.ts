// Types of @permc/wasm. `permc build-wasm --dts FILE.d.ts` (or `permc dts`) writes a
// spec's own request and decision types; pass its Spec to loadAuthorizer for them.

/** The module ABI version this loader speaks. */
export declare const ABI_VERSION: 1;

/**
 * The longest request, in UTF-8 bytes, a module decides unless LoadOptions say
 * otherwise; a longer one is answered with an error.
 */
export declare const MAX_REQUEST: number;

/** The types of one spec, as a file from `permc dts` declares them in its `Spec`. */
export interface SpecTypes {
  request: unknown;
  decision: unknown;
  customRoles: unknown;
}

/** Any spec: requests are objects, decisions and custom roles have their general shapes. */
export interface AnySpec {
  request: object;
  decision: Decision;
  customRoles: CustomRole[] | { roles: CustomRole[] };
}

/** Why a decision came out as it did. */
export type Reason =
  | { kind: "role"; role: string; assignment: number }
  | { kind: "allow_rule"; rule: string }
  | { kind: "deny_rule"; rule: string }
  | { kind: "credential" }
  | { kind: "no_grant" };

/** A decision, for any spec. */
export interface Decision {
  allowed: boolean;
  /** Absent: what tells a decision from a RequestError. */
  error?: undefined;
  permission: string;
  reason: Reason;
  /** Expressions that failed to evaluate (and counted as false, or denied). */
  errors: { kind: "rule" | "role" | "scope" | "filter"; name: string; assignment?: number; message: string }[];
  /** Role assignments that grant nothing: unknown role or scope type, missing parameter. */
  warnings: { assignment: number; message: string }[];
}

/** The answer to a malformed request; allowed is absent, so it reads as a denial. */
export interface RequestError {
  error: string;
  allowed?: undefined;
}

/** What a check answers: a decision, or a request error. */
export type Answer<S extends SpecTypes = AnySpec> = S["decision"] | RequestError;

/** A role defined at run time. */
export interface CustomRole {
  name: string;
  description?: string;
  permissions: string[];
  scopes?: string[];
}

/** What MetadataJSON of the generated package describes. */
export interface Metadata {
  permc: string;
  package: string;
  source: string;
  spec_sha256: string;
  resource_types: {
    name: string;
    description?: string;
    attributes: { name: string; type: string; description?: string }[];
    permissions: string[];
  }[];
  permissions: string[];
  roles: { name: string; description?: string; permissions: string[]; scopes: string[] | null }[];
  scope_types: {
    name: string;
    description?: string;
    params: { name: string; type: string; description?: string }[];
    resources: string[];
  }[];
  credentials: { scopes: string[]; filters: string[] };
}

export interface LoadOptions {
  /**
   * The longest request, in UTF-8 bytes: 1 MiB (MAX_REQUEST) by default, at most
   * 4 MiB. A longer one is answered with an error.
   */
  maxRequestBytes?: number;
  /** The longest custom roles, in UTF-8 bytes: 1 MiB by default, at most 4 MiB. */
  maxRolesBytes?: number;
  /**
   * The most requests in one call of the module's batch export: 4096 by default, at
   * most 65536. checkBatch takes any number; it splits them.
   */
  maxBatchRequests?: number;
  /**
   * The evaluation budget of each check and plan, in steps: 10,000,000 by default, at
   * most 2^53 − 1. A check that exhausts it fails closed, the error in its decision.
   */
  budget?: number;
}

/** A condition value of a plan: an attribute of the resource, a quantifier's variable, a size, or a constant. */
export type PlanValue =
  | { attr: string }
  | { var: string }
  | { size: PlanValue }
  | { value: unknown; type: string };

/** A plan's condition on the resource (docs/query-plans.md). */
export type Condition =
  | boolean
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { op: "==" | "<" | "<=" | ">" | ">=" | "in" | "startsWith" | "endsWith" | "contains"; left: PlanValue; right: PlanValue }
  | { op: "matches"; left: PlanValue; pattern: string }
  | { op: "exists" | "all"; var: string; in: PlanValue; where: Condition }
  | { op: "unplanned"; expr: string; want: boolean; why: string; what?: string; at?: string };

/** A query plan: which resources of a type a principal may act on. */
export interface Plan {
  permission: string;
  resource_type: string;
  /** allowed: every resource; denied: none; conditional: those where condition holds. */
  decision: "allowed" | "denied" | "conditional";
  condition: Condition;
  /** The condition in CEL, for people. */
  cel: string;
  /** For allowed and denied plans, when one step of the decision order decides for every resource. */
  reason?: Decision["reason"];
  warnings: Decision["warnings"];
}

/** A module: its bytes, a compiled module, or a fetch Response (compiled while it downloads). */
export type ModuleSource = BufferSource | WebAssembly.Module | Response | PromiseLike<Response>;

/**
 * Compiles a permc module and returns an Authorizer over one instance of it. Limits
 * other than the defaults need a module with permc_configure, which checks them: the
 * promise rejects with a PermcError saying what is wrong.
 */
export declare function loadAuthorizer<S extends SpecTypes = AnySpec>(
  source: ModuleSource,
  options?: LoadOptions,
): Promise<Authorizer<S>>;

/**
 * Answers requests with one module instance, synchronously. If the instance fails (a
 * trap, or memory that cannot grow), the call throws a PermcError with status -1 (or
 * 3) and the next call runs on a fresh instance, with the custom roles reloaded.
 */
export declare class Authorizer<S extends SpecTypes = AnySpec> {
  private constructor();
  /** The module's ABI version. */
  readonly abiVersion: number;
  /** Answers one request: a decision, or {error} for a malformed request. */
  check(request: S["request"] | string | Uint8Array): Answer<S>;
  /** Answers one request given as JSON, with the answer as JSON, byte for byte as the generated Go code answers. */
  checkJSON(request: string | Uint8Array): string;
  /** Answers many requests, in order, in as few calls into the module as their size allows. */
  checkBatch(requests: ReadonlyArray<S["request"] | string>): Answer<S>[];
  /**
   * Plans one request: a check request without its resource (or whose resource gives
   * only its "type"). The answer is the plan, or {error} for a malformed request.
   */
  plan(request: Omit<S["request"], "resource"> | string | Uint8Array): Plan | RequestError;
  /** Plans one request given as JSON, with the answer as JSON, byte for byte as the generated Go code answers. */
  planJSON(request: string | Uint8Array): string;
  /** Replaces the custom roles; throws a PermcError listing every problem, keeping the roles in force. */
  loadRoles(roles: S["customRoles"] | string): void;
  /** Describes the spec the module was built from. */
  metadata(): Metadata;
}

/** An error from the module: invalid custom roles, a bad call, or an instance that failed. */
export declare class PermcError extends Error {
  /** 1 rejected input, 2 bad call, 3 internal error, -1 the instance failed. */
  readonly status: number;
}
