package rt

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// request800 is a request of about 800 bytes with 10 role assignments, the size of
// a typical check.
var request800 = func() string {
	var roles []string
	for i := range 10 {
		roles = append(roles, fmt.Sprintf(`{"role":"library_author","scope":{"type":"org","org":"org%d"}}`, i))
	}
	return `{"principal":{"id":"alice","orgs":["MITx","HarvardX"],"roles":[` + strings.Join(roles, ",") +
		`]},"resource":{"type":"library","id":"lib1","attributes":{"org":"MITx","public":false,"tags":["math","draft"]}},` +
		`"permission":"library.edit","credential":{"scopes":["libraries:write"]},"context":{"time":"2026-11-22T10:00:00Z","ip":"10.1.2.3"},"id":"a"}`
}()

// BenchmarkModule reports the release module's size, raw and gzipped, and how
// long wazero takes to compile it (afresh: no compilation cache).
func BenchmarkModule(b *testing.B) {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(Module)
	w.Close()
	ctx := context.Background()
	for b.Loop() {
		r := wazero.NewRuntime(ctx)
		if _, err := r.CompileModule(ctx, Module); err != nil {
			b.Fatal(err)
		}
		r.Close(ctx)
	}
	b.ReportMetric(float64(len(Module)), "bytes")
	b.ReportMetric(float64(z.Len()), "gzip-bytes")
}

// BenchmarkJSON parses documents in the module (t_json_parse_only), and reports the
// instance's memory after the first parse.
func BenchmarkJSON(b *testing.B) {
	for _, c := range []struct{ name, doc string }{
		{"800B", request800},
		{"1MiB-numbers", "[" + strings.TrimSuffix(strings.Repeat("0,", maxRequest/2-1), ",") + "]"},
		{"1MiB-objects", "[" + strings.TrimSuffix(strings.Repeat(`{"id":"x","n":1,"l":["a\n"]},`, maxRequest/30), ",") + "]"},
		{"1MiB-string", `"` + strings.Repeat("x", maxRequest-2) + `"`},
		{"1MiB-keys", manyKeys(maxRequest)},
	} {
		b.Run(c.name, func(b *testing.B) {
			in := newInst(b, testModule)
			p := in.put([]byte(c.doc))
			fn := in.mod.ExportedFunction("t_json_parse_only")
			stack := []uint64{uint64(p), uint64(len(c.doc))}
			if s, out := in.result(in.invoke("t_json_parse_only", stack...)); s != stOK {
				b.Fatalf("parse: %d %s", s, out)
			}
			mem := in.mod.Memory().Size()
			b.SetBytes(int64(len(c.doc)))
			for b.Loop() {
				stack[0], stack[1] = uint64(p), uint64(len(c.doc))
				if err := fn.CallWithStack(in.ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(mem), "mem-bytes")
		})
	}
}

// BenchmarkCall measures a call's round trip through wazero: a bare export, and
// a check as a host makes it (write the request into its block, call, copy the
// answer out) with the test engine, whose work is a parse and a short answer.
func BenchmarkCall(b *testing.B) {
	in := newInst(b, testModule)
	b.Run("abi_version", func(b *testing.B) {
		fn := in.mod.ExportedFunction("permc_abi_version")
		stack := make([]uint64, 1)
		for b.Loop() {
			if err := fn.CallWithStack(in.ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct{ name, req string }{{"check-small", `{"id":"a"}`}, {"check-800B", request800}} {
		b.Run(c.name, func(b *testing.B) {
			req := []byte(c.req)
			block := in.alloc(4096)
			fn := in.mod.ExportedFunction("permc_check")
			mem := in.mod.Memory()
			stack := make([]uint64, 2)
			var answer []byte
			for b.Loop() {
				mem.Write(block, req)
				stack[0], stack[1] = uint64(block), uint64(len(req))
				if err := fn.CallWithStack(in.ctx, stack); err != nil {
					b.Fatal(err)
				}
				ptr, status, n := unpack(stack[0])
				out, _ := mem.Read(ptr, n)
				answer = append(answer[:0], out...)
				if status != stOK {
					b.Fatalf("%d %s", status, answer)
				}
			}
			in.free(block)
		})
	}
}
