package wasm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// libauthzWasm returns the module that
//
//	permc build-wasm --spec examples/contentlibraries/spec.yaml --out libauthz.wasm
//
// writes.
func libauthzWasm() []byte {
	s, err := spec.LoadFile("../examples/contentlibraries/spec.yaml")
	if err != nil {
		log.Fatal(err)
	}
	module, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return module
}

// compilationCache returns the compilation cache of the test run: in a program,
// wazero.NewCompilationCacheWithDir(dir), so that it compiles a module to machine
// code once, not at every start.
func compilationCache() wazero.CompilationCache { return wasmtest.CompilationCache() }

func Example() {
	ctx := context.Background()
	module := libauthzWasm() // or os.ReadFile("libauthz.wasm")
	a, err := wasm.New(ctx, module, wasm.Options{CompilationCache: compilationCache()})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close(ctx)

	// Custom roles, defined by an admin at run time, reach every instance.
	err = a.LoadRoles(ctx, []byte(`[{"name": "reviewer", "permissions": ["library.view"], "scopes": ["libraries"]}]`))
	if err != nil {
		log.Fatal(err)
	}
	answer, err := a.CheckJSON(ctx, nil, []byte(`{
		"principal": {"id": "bob", "roles": [{"role": "reviewer", "scope": {"type": "libraries", "ids": ["lib1"]}}]},
		"resource": {"type": "library", "id": "lib1", "attributes": {"org": "MITx"}},
		"permission": "library.view"}`))
	if err != nil {
		log.Fatal(err) // no answer: the instance failed, or ctx ended
	}
	fmt.Println(string(answer))

	// A malformed request is an answer too.
	answer, _ = a.CheckJSON(ctx, nil, []byte(`{"principal": {"id": "bob"}, "resource": {"type": "book", "id": "b"}, "permission": "book.read"}`))
	fmt.Println(string(answer))
	// Output:
	// {"allowed":true,"permission":"library.view","reason":{"kind":"role","role":"reviewer","assignment":0},"errors":[],"warnings":[]}
	// {"error":"unknown resource type \"book\""}
}

func ExampleAuthorizer_CheckBatch() {
	ctx := context.Background()
	a, err := wasm.New(ctx, libauthzWasm(), wasm.Options{CompilationCache: compilationCache()})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close(ctx)
	answers, err := a.CheckBatch(ctx, [][]byte{
		[]byte(`{"principal": {"id": "ann"}, "resource": {"type": "library", "id": "l1", "attributes": {"public": true}}, "permission": "library.view"}`),
		[]byte(`{"principal": {"id": "ann"}, "resource": {"type": "library", "id": "l1", "attributes": {"public": true}}, "permission": "library.edit"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, answer := range answers {
		fmt.Println(string(answer))
	}
	// Output:
	// {"allowed":true,"permission":"library.view","reason":{"kind":"allow_rule","rule":"public-libraries"},"errors":[],"warnings":[]}
	// {"allowed":false,"permission":"library.edit","reason":{"kind":"no_grant"},"errors":[],"warnings":[]}
}
