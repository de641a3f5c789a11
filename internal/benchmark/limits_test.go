package benchmark

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/runtime"
)

// hungryRequests are requests of up to limit bytes built to make decoding cost the
// most memory: the smallest JSON values, most of them, where a request may hold them
// (parsed, and decoded where the spec lets them be), and a request past the limit.
func hungryRequests(limit int) map[string][]byte {
	fill := func(prefix, item, suffix string) []byte {
		n := (limit - len(prefix) - len(suffix)) / (len(item) + 1)
		return []byte(prefix + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + suffix)
	}
	const resource = `"resource":{"type":"library","id":"l"},"permission":"library.view"}`
	return map[string][]byte{
		// Parsed whole, then refused: orgs holds strings.
		"numbers": fill(`{`+resource[:len(resource)-1]+`,"principal":{"id":"a","attributes":{"orgs":[`, `0`, `]}}}`),
		"objects": fill(`{`+resource[:len(resource)-1]+`,"principal":{"id":"a","attributes":{"orgs":[`, `{}`, `]}}}`),
		"keys": func() []byte {
			b := []byte(`{` + resource[:len(resource)-1] + `,"principal":{"id":"a","attributes":{`)
			for i := 0; len(b) < limit-20; i++ {
				b = fmt.Appendf(b, `"%x":0,`, i)
			}
			return append(b, `"z":0}}}`...)
		}(),
		// Decoded and decided.
		"strings": fill(`{"principal":{"id":"a","attributes":{"orgs":[`, `""`, `]}},`+resource),
		"roles":   fill(`{"principal":{"id":"a","roles":[`, `{"role":"r","scope":{"type":"s"}}`, `]},`+resource),
		"over the limit": append(fill(`{"principal":{"id":"a","attributes":{"orgs":[`, `""`, `]}},`+resource),
			bytes.Repeat([]byte(" "), 15*limit)...),
	}
}

// TestHungryRequests: the requests of BenchmarkMaxRequest are what they claim to be,
// and every engine answers them alike.
func TestHungryRequests(t *testing.T) {
	ev := evaluator(t)
	a := libauthz.NewAuthorizer()
	for name, req := range hungryRequests(runtime.DefaultMaxRequestBytes) {
		if over := name == "over the limit"; over != (len(req) > runtime.DefaultMaxRequestBytes) || len(req) < runtime.DefaultMaxRequestBytes-100 {
			t.Errorf("%s: %d bytes", name, len(req))
		}
		want := ev.DecideJSON(req)
		if got := a.CheckJSON(nil, req); !bytes.Equal(got, want) {
			t.Errorf("%s: CheckJSON = %.200s, eval %.200s", name, got, want)
		}
	}
}

// BenchmarkMaxRequest measures the memory (B/op) the hungriest requests of the
// request limit cost the reference evaluator and the generated CheckJSON: the bound
// docs/spec.md states. A request past the limit costs nothing, however long.
func BenchmarkMaxRequest(b *testing.B) {
	reqs := hungryRequests(runtime.DefaultMaxRequestBytes)
	for _, name := range []string{"numbers", "objects", "keys", "strings", "roles", "over the limit"} {
		req := reqs[name]
		b.Run("eval/"+name, func(b *testing.B) {
			ev := evaluator(b)
			b.ReportAllocs()
			for b.Loop() {
				ev.DecideJSON(req)
			}
		})
		b.Run("generated-json/"+name, func(b *testing.B) {
			a := libauthz.NewAuthorizer()
			b.ReportAllocs()
			var out []byte
			for b.Loop() {
				out = a.CheckJSON(out[:0], req)
			}
		})
	}
}
