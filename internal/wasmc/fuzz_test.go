package wasmc_test

import (
	"bytes"
	"testing"

	"github.com/permc/permc/spec"
)

// FuzzCheck answers any bytes as a request with the module and with the generated Go:
// the module must not trap, and must answer as the generated Go does. `go test` runs
// the seeds; `go test -fuzz FuzzCheck ./internal/wasmc` explores.
func FuzzCheck(f *testing.F) {
	s, err := spec.Load("hostile.yaml", []byte(hostileSpec))
	if err != nil {
		f.Fatal(err)
	}
	p := &pair{s: s, a: module(f, s), d: driver(f, s)}
	for _, seed := range []string{
		``,
		`{}`,
		`{"principal":{"id":"p"},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`,
		`{"principal":{"id":"p","attributes":{"tags":["a"],"labels":{"x":"y"},"nested":[[1,2],[3]],"n":3,"u":4,"d":2.5,"when":"2026-01-01T00:00:00Z","ttl":"1h","blob":"AAE="},` +
			`"roles":[{"role":"writer","scope":{"type":"org","org":"o"}},{"role":"reader","scope":{"type":"everywhere"}},{"role":"ghost","scope":{"type":"nowhere"}}]},` +
			`"resource":{"type":"doc","id":"d","attributes":{"org":"o","tags":["a","b"]}},"permission":"doc.write",` +
			`"credential":{"scopes":["docs:read"],"permissions":["doc.*"],"roles":["writer"],"filters":["org:o","org:p"]},"context":{}}`,
		`{"principal":{"id":"p","roles":[{"role":"writer","scope":{"type":"org"}}]},"resource":{"type":"doc","id":"d"},"permission":"doc.write"}`,
		`{"principal":{"id":"p","roles":[{"role":"writer","scope":{"type":"org","org":1}}]},"resource":{"type":"doc","id":"d"},"permission":"doc.write"}`,
		`{"principal":{"id":"p"},"resource":{"type":"dco","id":"d"},"permission":"doc.read"}`,
		`{"principal":{"id":"p"},"resource":{"type":"doc","id":"d"},"permission":"doc.raed"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		"{\"principal\":{\"id\":\"\xff\"}}",
		`{"principal":{"id":"p"},"resource":{"type":"doc","id":"d"},"permission":"doc.read","credential":{"scopes":null}}`,
		`{"principal":{"id":"p"},"resource":{"type":"doc","id":"d"},"permission":"doc.read","credential":{"filters":null,"roles":null}}`,
		`{"principal":{"id":"p","attributes":null},"resource":{"type":"doc","id":"d","attributes":null},"permission":"doc.read","context":null,"credential":null}`,
		`{"principal":{"id":"p"},"resource":{"type":"vault","id":"v","attributes":{"key":"AAE=","until":"2027-01-01T00:00:00Z"}},"permission":"vault.open"}`,
		`{"principal":{"id":"p"},"resource":{"type":"vault","id":"v","attributes":{"key":null,"tags":[1]}},"permission":"vault.open"}`,
		`{"principal":{"id":"p"},"resource":{"type":"vault","id":"v","attributes":{"tags":[]}},"permission":"vault.open"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		if len(req) > 1<<20 {
			return // refused by the module's limit without being read (TestLimits)
		}
		want := p.d.DecideJSON(req)
		got, err := p.a.CheckJSON(ctx, nil, req)
		if err != nil {
			t.Fatalf("%q: %v", req, err)
		}
		if !bytes.Equal(want, got) {
			t.Fatalf("%q\ngo:   %s\nwasm: %s", req, want, got)
		}
	})
}
