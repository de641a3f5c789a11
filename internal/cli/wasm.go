package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/permc/permc/internal/dts"
	"github.com/permc/permc/internal/wasmc"
	rt "github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// buildWasm builds a spec's Wasm module, and optionally its TypeScript declarations:
//
//	permc build-wasm --spec FILE --out FILE.wasm [--dts FILE.d.ts]
func (e *env) buildWasm(args []string) int {
	fs := e.flags("build-wasm", "--spec FILE --out FILE.wasm [--dts FILE.d.ts]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	out := fs.String("out", "", "the module `FILE` to write")
	dtsPath := fs.String("dts", "", "also write the TypeScript declarations to `FILE`")
	rest, err := parse(fs, args)
	if err != nil {
		return exitSpec
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "permc build-wasm: unexpected arguments %s\n", strings.Join(rest, " "))
		return exitSpec
	}
	if *out == "" {
		fmt.Fprintln(e.stderr, "permc: --out FILE.wasm is required")
		return exitSpec
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	module, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: building the module: %v\n", err)
		return exitFailure
	}
	if err := writeFile(*out, module); err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitFailure
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(module)
	zw.Close()
	fmt.Fprintf(e.stdout, "%s: %d bytes (%d gzip'ed), ABI version %d\n", *out, len(module), gz.Len(), wasm.ABIVersion)
	if *dtsPath != "" {
		if err := writeFile(*dtsPath, dts.Generate(s, filepath.Base(s.File))); err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "%s: TypeScript declarations\n", *dtsPath)
	}
	return exitOK
}

// dts writes a spec's TypeScript declarations, to standard output without --out:
//
//	permc dts --spec FILE [--out FILE.d.ts]
func (e *env) dts(args []string) int {
	return e.declarations("dts", "FILE.d.ts", dts.Generate, args)
}

// pyi writes a spec's Python types, to standard output without --out:
//
//	permc pyi --spec FILE [--out FILE.pyi]
func (e *env) pyi(args []string) int {
	return e.declarations("pyi", "FILE.pyi", dts.GeneratePython, args)
}

// declarations writes what generate makes of a spec: `permc name --spec FILE [--out FILE]`.
func (e *env) declarations(name, outName string, generate func(*spec.Spec, string) []byte, args []string) int {
	fs := e.flags(name, "--spec FILE [--out "+outName+"]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	out := fs.String("out", "", "the `FILE` to write (default: standard output)")
	rest, err := parse(fs, args)
	if err != nil {
		return exitSpec
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "permc %s: unexpected arguments %s\n", name, strings.Join(rest, " "))
		return exitSpec
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	data := generate(s, filepath.Base(s.File))
	if *out == "" {
		e.stdout.Write(data)
		return exitOK
	}
	if err := writeFile(*out, data); err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// writeFile writes data to path, creating its folder.
func writeFile(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, data, 0o644)
}

// wasmBackend decides with the spec's Wasm module, built by permc in milliseconds, on
// wazero.
type wasmBackend struct {
	a *wasm.Authorizer
}

func newWasmBackend(ctx context.Context, s *spec.Spec, lim *limits) (*wasmBackend, error) {
	module, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		return nil, err
	}
	a, err := wasm.New(ctx, module, wasm.Options{Instances: 1, MaxRequestBytes: lim.request, MaxRolesBytes: lim.roles, Budget: lim.budget})
	if err != nil {
		return nil, err
	}
	return &wasmBackend{a: a}, nil
}

func (b *wasmBackend) DecideJSON(req []byte) []byte {
	out, err := b.a.CheckJSON(context.Background(), nil, req)
	if err != nil {
		return rt.AppendErrorJSON(nil, err.Error())
	}
	return out
}

func (b *wasmBackend) LoadRoles(data []byte) error {
	return b.a.LoadRoles(context.Background(), data)
}

func (b *wasmBackend) Close() { b.a.Close(context.Background()) }
