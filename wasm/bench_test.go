package wasm_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/wasm"
)

// request10 is a request whose principal has ten role assignments, the last one
// granting: every assignment is validated and nine are tried before it.
func request10() []byte {
	var roles []string
	for i := range 9 {
		roles = append(roles, fmt.Sprintf(`{"role":"library_user","scope":{"type":"libraries","ids":["lib%d","lib%d"]}}`, 2*i+10, 2*i+11))
	}
	roles = append(roles, `{"role":"library_author","scope":{"type":"org","org":"MITx"}}`)
	return []byte(`{"principal":{"id":"alice","attributes":{"orgs":["MITx"]},"roles":[` + strings.Join(roles, ",") +
		`]},"resource":{"type":"library","id":"mit-physics","attributes":{"org":"MITx","tags":["physics"]}},` +
		`"permission":"library.edit","context":{"time":"2026-11-22T10:00:00Z","ip":"10.1.2.3"}}`)
}

// BenchmarkCheck: one request, answered warm by one instance; the reference
// evaluator on the same request for scale.
func BenchmarkCheck(b *testing.B) {
	req := request10()
	b.Run("wasm", func(b *testing.B) {
		_, a := wasmtest.Authorizer(b, libraries, wasm.Options{Instances: 1})
		out, err := a.CheckJSON(ctx, nil, req)
		if err != nil || !bytes.Contains(out, []byte(`"assignment":9`)) {
			b.Fatalf("%s %v", out, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			out, _ = a.CheckJSON(ctx, out[:0], req)
		}
	})
	// A context with a deadline: the call runs on an instance wazero can stop, which
	// checks for the end of the context throughout the module's code.
	b.Run("wasm-deadline", func(b *testing.B) {
		_, a := wasmtest.Authorizer(b, libraries, wasm.Options{Instances: 1})
		deadline, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		out, err := a.CheckJSON(deadline, nil, req)
		if err != nil || !bytes.Contains(out, []byte(`"assignment":9`)) {
			b.Fatalf("%s %v", out, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			out, _ = a.CheckJSON(deadline, out[:0], req)
		}
	})
	b.Run("eval", func(b *testing.B) {
		s, _ := wasmtest.Module(b, libraries)
		ev, err := eval.New(s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			ev.DecideJSON(req)
		}
	})
}

// BenchmarkCheckBatch: 100 requests per call; ns/request is the figure to compare
// with BenchmarkCheck.
func BenchmarkCheckBatch(b *testing.B) {
	_, a := wasmtest.Authorizer(b, libraries, wasm.Options{Instances: 1})
	reqs := make([][]byte, 100)
	for i := range reqs {
		reqs[i] = request10()
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.CheckBatch(ctx, reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/request")
}

// BenchmarkCheckParallel: goroutines on every core through one pooled Authorizer.
func BenchmarkCheckParallel(b *testing.B) {
	_, a := wasmtest.Authorizer(b, libraries, wasm.Options{})
	req := request10()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var out []byte
		for pb.Next() {
			var err error
			if out, err = a.CheckJSON(ctx, out[:0], req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkColdStart: from module bytes to the first answer: compiling (without and
// with a compilation cache holding the module's machine code) and instantiating.
func BenchmarkColdStart(b *testing.B) {
	_, module := wasmtest.Module(b, libraries)
	req := request10()
	run := func(b *testing.B, cache wazero.CompilationCache) {
		for b.Loop() {
			a, err := wasm.New(ctx, module, wasm.Options{Instances: 1, CompilationCache: cache})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.CheckJSON(ctx, nil, req); err != nil {
				b.Fatal(err)
			}
			a.Close(ctx)
		}
	}
	b.Run("compile", func(b *testing.B) { run(b, nil) })
	b.Run("cached", func(b *testing.B) {
		cache, err := wazero.NewCompilationCacheWithDir(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		a, err := wasm.New(ctx, module, wasm.Options{CompilationCache: cache})
		if err != nil {
			b.Fatal(err)
		}
		a.Close(ctx)
		b.ResetTimer()
		run(b, cache)
	})
}

// BenchmarkModuleSize reports each example's module size, raw and gzip'ed (-9).
func BenchmarkModuleSize(b *testing.B) {
	specs, _ := filepath.Glob("../examples/*/spec.yaml")
	for _, path := range specs {
		b.Run(filepath.Base(filepath.Dir(path)), func(b *testing.B) {
			_, module := wasmtest.Module(b, path)
			var gz bytes.Buffer
			for b.Loop() {
				gz.Reset()
				w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
				w.Write(module)
				w.Close()
			}
			b.ReportMetric(float64(len(module)), "bytes")
			b.ReportMetric(float64(gz.Len()), "gzip-bytes")
		})
	}
}
