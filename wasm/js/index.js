// @permc/wasm: load a permc module (built by `permc build-wasm`) and answer
// authorization requests and query plans with it, in Node and in browsers. No
// dependencies, and nothing to give the module: it imports nothing. The ABI is
// docs/wasm-abi.md in the permc repository.

/** The module ABI version this loader speaks. */
export const ABI_VERSION = 1;

/**
 * The longest request (in UTF-8 bytes) a module decides unless the load options say
 * otherwise; longer ones are answered with an error.
 */
export const MAX_REQUEST = 1 << 20;

const MAX_BLOCK = 4 << 20; // the largest block permc_alloc hands out
// The default limits of a module's inputs and its evaluation budget (docs/wasm-abi.md),
// and the options and permc_configure keys that change them.
const LIMITS = [
  ["maxRequestBytes", "max_request_bytes", MAX_REQUEST],
  ["maxRolesBytes", "max_roles_bytes", 1 << 20],
  ["maxBatchRequests", "max_batch_requests", 4096],
  ["budget", "budget", 10_000_000],
];

// Result statuses (bits 28-31 of an export's i64).
const OK = 0;
const REJECTED = 1;

/** An error from the module: invalid custom roles, a bad call, or an instance that failed. */
export class PermcError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "PermcError";
    /** The ABI status: 1 rejected input, 2 bad call, 3 internal error; -1 the instance failed. */
    this.status = status;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// utf8 encodes text as UTF-8. A lone surrogate has none: TextEncoder would make it
// U+FFFD, and the module would decide another request than the one given. It is
// encoded as the three bytes a surrogate would take (as WTF-8 does), which are not
// UTF-8, so the module refuses it as it refuses any other invalid UTF-8.
function utf8(text) {
  if (wellFormed(text)) return encoder.encode(text);
  const out = new Uint8Array(3 * text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
      i++; // the pair's second half
    }
  }
  return out.subarray(0, n);
}

// wellFormed reports whether text holds no lone surrogate.
function wellFormed(text) {
  return typeof text.isWellFormed === "function" ? text.isWellFormed() : !/\p{Cs}/u.test(text);
}

// tooLong is the answer to a request longer than limit bytes, as the module gives it.
const tooLong = (limit) => `{"error":"the request is longer than ${limit} bytes"}`;

/**
 * Compiles a permc module and returns an Authorizer over one instance of it.
 *
 * source is the module: bytes (ArrayBuffer, typed array), a WebAssembly.Module, or a
 * fetch Response (or a promise of one), which is compiled while it downloads.
 */
export async function loadAuthorizer(source, options = {}) {
  source = await source;
  let module;
  if (source instanceof WebAssembly.Module) {
    module = source;
  } else if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) throw new PermcError(`fetching the module: ${source.status} ${source.statusText}`.trim(), -1);
    module = await (WebAssembly.compileStreaming && /wasm/.test(source.headers.get("content-type") ?? "")
      ? WebAssembly.compileStreaming(source)
      : WebAssembly.compile(await source.arrayBuffer()));
  } else {
    module = await WebAssembly.compile(source);
  }
  return new Authorizer(module, options, TOKEN);
}

const TOKEN = Symbol("permc");

/**
 * Authorizer answers requests with one module instance. Its methods are synchronous;
 * an instance runs one call at a time, which is all JavaScript needs (use one
 * Authorizer per worker for parallelism). If the instance fails (it traps, or runs out
 * of memory), the call throws a PermcError with status -1 (or 3) and the next call
 * runs on a fresh instance, with the custom roles reloaded.
 */
export class Authorizer {
  #module;
  #exports = null;
  #memory = null;
  #block = 0;
  #blockLen = 0;
  #roles = null; // the custom roles in force, as bytes
  #metadata = null;
  #limits = {}; // the limits in force, by option name
  #settings = null; // the permc_configure input, or null for the module's defaults

  constructor(module, options, token) {
    if (token !== TOKEN) throw new TypeError("use loadAuthorizer() to make an Authorizer");
    this.#module = module;
    // Only limits other than the defaults are sent, so that modules built before
    // permc_configure existed serve hosts that keep the defaults.
    const settings = {};
    for (const [option, key, def] of LIMITS) {
      const value = options[option];
      this.#limits[option] = value ?? def;
      if (value !== undefined && value !== def) settings[key] = value;
    }
    if (Object.keys(settings).length > 0) this.#settings = encoder.encode(JSON.stringify(settings));
    this.#start();
    const version = this.#exports.permc_abi_version();
    if (version !== ABI_VERSION) {
      throw new PermcError(`the module speaks ABI version ${version} and this loader version ${ABI_VERSION}; rebuild it with a matching permc`, -1);
    }
  }

  /** The module's ABI version. */
  get abiVersion() {
    return ABI_VERSION;
  }

  #start() {
    const imports = WebAssembly.Module.imports(this.#module);
    if (imports.length > 0) {
      throw new PermcError(`the module imports ${imports[0].module}.${imports[0].name}: not a module this loader runs (rebuild it with a newer permc)`, -1);
    }
    const ex = new WebAssembly.Instance(this.#module, {}).exports;
    for (const name of ["memory", "permc_abi_version", "permc_alloc", "permc_free", "permc_check", "permc_check_batch", "permc_load_roles", "permc_metadata"]) {
      if (!(name in ex)) throw new PermcError(`the module does not export ${name}: not a permc module`, -1);
    }
    if (typeof ex._initialize === "function") ex._initialize();
    this.#exports = ex;
    this.#memory = ex.memory;
    this.#block = 0;
    this.#blockLen = 0;
    if (this.#settings !== null) {
      if (!("permc_configure" in ex)) {
        throw new PermcError("the module does not export permc_configure, which limits other than the defaults need: rebuild it with a newer permc", -1);
      }
      const [status, text] = this.#call("permc_configure", this.#settings);
      if (status !== OK) throw new PermcError(errorMessage(text), status);
    }
    if (this.#roles !== null) {
      const [status, text] = this.#call("permc_load_roles", this.#roles);
      if (status !== OK) throw new PermcError(errorMessage(text), status);
    }
  }

  // #write copies bytes into the instance's block, growing it when needed.
  #write(bytes) {
    if (bytes.length > this.#blockLen || this.#block === 0) {
      const size = Math.min(Math.max(bytes.length, 2 * this.#blockLen, 4096), MAX_BLOCK);
      if (bytes.length > size) throw new PermcError(`the input is longer than ${MAX_BLOCK} bytes`, REJECTED);
      if (this.#block !== 0) this.#exports.permc_free(this.#block);
      this.#block = this.#exports.permc_alloc(size) >>> 0;
      this.#blockLen = this.#block === 0 ? 0 : size;
      if (this.#block === 0) throw new PermcError(`the module refused a block of ${size} bytes`, -1);
    }
    new Uint8Array(this.#memory.buffer, this.#block, bytes.length).set(bytes);
  }

  // #call passes bytes to an export and returns [status, result text].
  #call(name, bytes) {
    if (this.#exports === null) this.#start();
    try {
      this.#write(bytes);
      return this.#result(this.#exports[name](this.#block, bytes.length));
    } catch (e) {
      if (e instanceof PermcError && e.status !== -1) throw e;
      // A trap leaves the instance in no state to be trusted.
      this.#drop();
      const why = e instanceof WebAssembly.RuntimeError ? e.message : String(e);
      throw new PermcError(`the module instance failed (it is replaced): ${why}`, -1);
    }
  }

  // #drop forgets the instance: the next call starts a fresh one.
  #drop() {
    this.#exports = null;
    this.#memory = null;
  }

  // #answer passes one request to an export (permc_check or permc_plan) and returns its
  // answer: the result, or {"error": ...} for a malformed request.
  #answer(name, request) {
    const bytes = typeof request === "string" ? utf8(request) : request;
    // The module answers a longer request so without reading it; so does the loader,
    // without copying it in.
    if (bytes.length > this.#limits.maxRequestBytes) return tooLong(this.#limits.maxRequestBytes);
    const [status, text] = this.#call(name, bytes);
    if (status !== OK && status !== REJECTED) {
      // INTERNAL: a bug caught, or memory that could not grow; a fresh instance
      // serves the next call.
      this.#drop();
      throw new PermcError(errorMessage(text), status);
    }
    return text;
  }

  #result(packed) {
    const ptr = Number(packed >> 32n);
    const status = Number((packed >> 28n) & 0xfn);
    const len = Number(packed & 0xfffffffn);
    // Memory may have grown during the call: view its current buffer.
    const text = len === 0 ? "" : decoder.decode(new Uint8Array(this.#memory.buffer, ptr, len));
    return [status, text];
  }

  /**
   * checkJSON answers one request given as JSON text or UTF-8 bytes, with the answer's
   * JSON text: the decision, or {"error": "..."} for a malformed request, byte for
   * byte what the Go code generated from the same spec answers.
   */
  checkJSON(request) {
    return this.#answer("permc_check", request);
  }

  /**
   * check answers one request (an object, or its JSON text) with the parsed answer: a
   * decision, or {error} for a malformed request.
   */
  check(request) {
    return JSON.parse(this.checkJSON(typeof request === "string" || request instanceof Uint8Array ? request : JSON.stringify(request)));
  }

  /**
   * checkBatch answers many requests (objects or JSON texts) in as few calls into the
   * module as their size allows; the answers are in order, each as check gives it.
   */
  checkBatch(requests) {
    const answers = new Array(requests.length);
    let lines = [];
    let indexes = []; // the request each line is
    let size = 0; // an upper bound of the lines' UTF-8 length
    const flush = () => {
      if (lines.length === 0) return;
      const [status, text] = this.#call("permc_check_batch", encoder.encode(lines.join("")));
      if (status !== OK) throw new PermcError(errorMessage(text), status);
      const out = text.split("\n");
      indexes.forEach((i, k) => (answers[i] = JSON.parse(out[k])));
      lines = [];
      indexes = [];
      size = 0;
    };
    const limit = this.#limits.maxRequestBytes;
    requests.forEach((r, i) => {
      const text = typeof r === "string" ? r : JSON.stringify(r);
      if (!oneLine(text, limit)) {
        flush();
        answers[i] = this.check(text);
        return;
      }
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (lines.length === this.#limits.maxBatchRequests || size + 3 * text.length + 1 > MAX_BLOCK) flush();
      lines.push(text + "\n");
      indexes.push(i);
      size += 3 * text.length + 1;
    });
    flush();
    return answers;
  }

  /**
   * loadRoles replaces the custom roles with roles (an array of roles, {roles: [...]},
   * or its JSON text), validated against the spec. Invalid roles throw a PermcError
   * listing every problem, and the roles in force stay in force.
   */
  loadRoles(roles) {
    const bytes = utf8(typeof roles === "string" ? roles : JSON.stringify(roles));
    const limit = this.#limits.maxRolesBytes;
    if (bytes.length > limit) throw new PermcError(`the custom roles are longer than ${limit} bytes`, REJECTED);
    const [status, text] = this.#call("permc_load_roles", bytes);
    if (status !== OK) throw new PermcError(errorMessage(text), status);
    this.#roles = bytes;
  }

  /**
   * planJSON returns the query plan of one request (JSON text or UTF-8 bytes): a check
   * request without its resource (or whose resource gives only its "type"), whose
   * "permission" names the permission planned. The answer's JSON text is the plan, as
   * `permc plan` prints it without its SQL, or {"error": "..."} for a malformed
   * request: byte for byte what the Go code generated from the same spec answers.
   */
  planJSON(request) {
    if (this.#exports === null) this.#start();
    if (!("permc_plan" in this.#exports)) {
      throw new PermcError("the module does not export permc_plan: rebuild it with a newer permc to plan", -1);
    }
    return this.#answer("permc_plan", request);
  }

  /**
   * plan answers one plan request (an object, or its JSON text) with the parsed plan:
   * {permission, resource_type, decision, condition, cel, reason?, warnings}, or
   * {error} for a malformed request.
   */
  plan(request) {
    return JSON.parse(this.planJSON(typeof request === "string" || request instanceof Uint8Array ? request : JSON.stringify(request)));
  }

  /** metadata describes the spec the module was built from. */
  metadata() {
    if (this.#metadata === null) {
      if (this.#exports === null) this.#start();
      const [status, text] = this.#result(this.#exports.permc_metadata());
      if (status !== OK) throw new PermcError(errorMessage(text), status);
      this.#metadata = JSON.parse(text);
    }
    return structuredClone(this.#metadata);
  }
}

// oneLine reports whether a request can be one line of a JSON Lines batch: no newline,
// not blank (the module skips blank lines), not starting with "[" (which makes the
// module read the batch as an array), surely within the limit, and UTF-8 once
// encoded. One that cannot is checked alone.
function oneLine(text, limit) {
  const t = text.trimStart();
  return t.length > 0 && t[0] !== "[" && !text.includes("\n") && text.length <= limit / 3 && wellFormed(text);
}

function errorMessage(text) {
  try {
    const v = JSON.parse(text);
    if (typeof v.error === "string") return v.error;
  } catch {
    // not JSON: report it as it is
  }
  return text;
}
