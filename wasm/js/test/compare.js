// Comparison of a module's answer with the reference evaluator's, shared by the Node
// and the browser tests: the same bytes, but for the messages of evaluation errors,
// which backends may word differently.

function withoutErrorMessages(answer) {
  const v = JSON.parse(answer);
  if (Array.isArray(v.errors)) for (const e of v.errors) delete e.message;
  return JSON.stringify(v);
}

/** Returns null when got answers as want does, else a description of the difference. */
export function differs(want, got) {
  if (want === got) return null;
  if (want.includes('"errors":[{') && withoutErrorMessages(want) === withoutErrorMessages(got)) return null;
  return `want ${want}\n got ${got}`;
}

/** Parses JSON Lines. */
export function jsonLines(text) {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}
