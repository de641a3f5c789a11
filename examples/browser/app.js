// Decides, in the page, what a user of the content-libraries example may do to a
// library: the module permc built from examples/contentlibraries/spec.yaml, run by
// permc's JS loader, with the custom roles of roles.json. One button per permission of
// the library type (from the module's metadata), enabled when allowed, disabled when
// denied, with the decision's reason as its title.
//
// ?user=ID&library=ID selects a pair; the page keeps the address in step with the
// selects, so a link shows the same decisions.
import { loadAuthorizer } from "/permc/index.js";

const $ = (id) => document.getElementById(id);

async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${r.statusText}`);
  return r;
}

// reasonText says why a decision came out as it did, from its reason, errors and
// warnings as the decision gives them (docs/spec.md, "The decision"). The test
// (browser_test.go) expects the same text from the generated Go's decisions.
function reasonText(answer) {
  if (answer.error !== undefined) return `error: ${answer.error}`;
  const r = answer.reason;
  let text;
  switch (r.kind) {
    case "role":
      text = `allowed by role ${r.role} (assignment ${r.assignment})`;
      break;
    case "allow_rule":
      text = `allowed by rule ${r.rule}`;
      break;
    case "deny_rule":
      text = `denied by rule ${r.rule}`;
      break;
    case "credential":
      text = "denied by the credential";
      break;
    default:
      text = "denied: nothing grants it";
  }
  for (const e of answer.errors) text += `; ${e.kind} ${e.name} failed: ${e.message}`;
  for (const w of answer.warnings) text += `; assignment ${w.assignment}: ${w.message}`;
  return text;
}

function scopeText(scope) {
  const params = Object.entries(scope)
    .filter(([k]) => k !== "type")
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(", ") : v}`);
  return params.length ? `${scope.type} (${params.join("; ")})` : scope.type;
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

try {
  const [authz, roles, data] = await Promise.all([
    // Served as application/wasm, the module compiles while it downloads.
    loadAuthorizer(get("/contentlibraries.wasm")),
    get("/roles.json").then((r) => r.text()),
    get("data.json").then((r) => r.json()),
  ]);
  authz.loadRoles(roles);
  const library = authz.metadata().resource_types.find((t) => t.name === "library");
  const customRoles = new Map(JSON.parse(roles).map((r) => [r.name, r]));
  const builtinRoles = new Map(authz.metadata().roles.map((r) => [r.name, r]));

  for (const u of data.users) $("user").append(option(u.id, u.label));
  for (const l of data.libraries) $("library").append(option(l.id, `${l.title} (${l.id})`));
  const params = new URLSearchParams(location.search);
  for (const name of ["user", "library"]) {
    const want = params.get(name);
    if (want !== null && [...$(name).options].some((o) => o.value === want)) $(name).value = want;
  }

  const render = () => {
    const user = data.users.find((u) => u.id === $("user").value);
    const lib = data.libraries.find((l) => l.id === $("library").value);
    history.replaceState(null, "", `?user=${encodeURIComponent(user.id)}&library=${encodeURIComponent(lib.id)}`);

    $("roles").replaceChildren(
      ...user.roles.map((a) => {
        const li = document.createElement("li");
        const role = customRoles.get(a.role) ?? builtinRoles.get(a.role);
        li.textContent = `${a.role} at ${scopeText(a.scope)}`;
        if (role?.description) li.title = role.description;
        return li;
      }),
    );
    const { orgs, is_staff } = user.attributes;
    $("attributes").textContent = `Member of ${orgs.length ? orgs.join(", ") : "no organization"}${is_staff ? "; platform staff" : ""}.`;
    const a = lib.attributes;
    $("library-attributes").textContent =
      `${lib.title}, of ${a.org}; ${a.public ? "public" : "not public"}` + (a.tags.length ? `; tagged ${a.tags.join(", ")}` : "") + ".";

    const principal = { id: user.id, attributes: user.attributes, roles: user.roles };
    const resource = { type: "library", id: lib.id, attributes: lib.attributes };
    const answers = authz.checkBatch(library.permissions.map((permission) => ({ principal, resource, permission })));
    $("actions").replaceChildren(
      ...library.permissions.map((permission, i) => {
        const div = document.createElement("div");
        div.className = "action";
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.permission = permission;
        button.textContent = permission.slice(permission.indexOf(".") + 1);
        button.disabled = answers[i].allowed !== true;
        button.title = reasonText(answers[i]);
        const why = document.createElement("small");
        why.textContent = button.title;
        div.append(button, why);
        return div;
      }),
    );
    document.body.dataset.state = "ready";
  };
  $("user").addEventListener("change", render);
  $("library").addEventListener("change", render);
  $("status").textContent = `Decided in this page by the ${authz.metadata().package} module (ABI ${authz.abiVersion}), with the custom roles ${[...customRoles.keys()].join(", ")}.`;
  render();
} catch (e) {
  $("status").textContent = `Could not load: ${e.message}`;
  $("status").className = "error";
  document.body.dataset.state = "error";
}
