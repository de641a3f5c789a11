// Package runtime is, with its subpackages cond (the conditions of query plans) and
// cond/pgsql (their PostgreSQL translation), the only package tree that code generated
// by permc imports. It holds the few helpers generated checkers share: CEL value
// semantics that plain Go lacks, the request decoder and the decision encoder.
//
// It stays small and depends on nothing outside the standard library, because it is
// compiled into every generated package and every Wasm module.
package runtime
