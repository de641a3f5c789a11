package wasm_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/suite"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/wasm"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

const libraries = "../examples/contentlibraries/spec.yaml"

var ctx = context.Background()

// sameAnswer fails the test unless the module answered as the reference evaluator:
// the same bytes, but for the messages of evaluation errors.
func sameAnswer(t testing.TB, what string, req, want, got []byte) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	if err := corpus.Same(want, got); err != nil || !bytes.Contains(want, []byte(`"errors":[{`)) {
		t.Errorf("%s: the module and the evaluator differ on %s\neval: %s\nwasm: %s", what, req, want, got)
	}
}

// exampleCases returns the requests of every example suite, by spec, with the
// suite's custom roles.
type exampleSuite struct {
	spec  string
	roles []byte
	reqs  [][]byte
}

func exampleSuites(t testing.TB) []exampleSuite {
	t.Helper()
	paths, _ := filepath.Glob("../examples/*/*_test.yaml")
	if len(paths) == 0 {
		t.Fatal("no example suites")
	}
	var out []exampleSuite
	for _, p := range paths {
		s, err := suite.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		cases, err := s.Cases()
		if err != nil {
			t.Fatal(err)
		}
		es := exampleSuite{spec: s.SpecPath()}
		if rp := s.RolesPath(); rp != "" {
			if es.roles, err = os.ReadFile(rp); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range cases {
			es.reqs = append(es.reqs, c.Request)
		}
		out = append(out, es)
	}
	return out
}

// maxModuleSize is what an example's module may weigh (100 KB): users download it to
// browsers, and every engine's compile time grows with it.
const maxModuleSize = 100_000

// TestExamples answers every request of every example suite with the module, alone
// and in one batch, and with the reference evaluator, and holds the module to
// maxModuleSize.
func TestExamples(t *testing.T) {
	for _, es := range exampleSuites(t) {
		t.Run(filepath.Base(filepath.Dir(es.spec)), func(t *testing.T) {
			if _, module := wasmtest.Module(t, es.spec); len(module) > maxModuleSize {
				t.Errorf("the module is %d bytes, more than %d", len(module), maxModuleSize)
			}
			s, a := wasmtest.Authorizer(t, es.spec, wasm.Options{})
			ev, err := eval.New(s)
			if err != nil {
				t.Fatal(err)
			}
			if es.roles != nil {
				if err := ev.LoadRoles(es.roles); err != nil {
					t.Fatal(err)
				}
				if err := a.LoadRoles(ctx, es.roles); err != nil {
					t.Fatal(err)
				}
			}
			batch, err := a.CheckBatch(ctx, es.reqs)
			if err != nil {
				t.Fatal(err)
			}
			for i, req := range es.reqs {
				got, err := a.CheckJSON(ctx, nil, req)
				if err != nil {
					t.Fatal(err)
				}
				sameAnswer(t, "check", req, ev.DecideJSON(req), got)
				if !bytes.Equal(got, batch[i]) {
					t.Errorf("batch answer %d differs:\ncheck: %s\nbatch: %s", i, got, batch[i])
				}
			}
		})
	}
}

// TestCorpus answers the decision corpus with the module.
func TestCorpus(t *testing.T) {
	groups, err := corpus.Load("../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Skip("no corpus groups under testdata/corpus")
	}
	for _, g := range groups {
		t.Run(g.Name, func(t *testing.T) {
			s, a := wasmtest.Authorizer(t, g.Spec, wasm.Options{})
			ev, err := eval.New(s)
			if err != nil {
				t.Fatal(err)
			}
			if g.Roles != nil {
				if err := errors.Join(ev.LoadRoles(g.Roles), a.LoadRoles(ctx, g.Roles)); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range g.Cases {
				got, err := a.CheckJSON(ctx, nil, c.Request)
				if err != nil {
					t.Fatal(err)
				}
				if err := corpus.Check(got, c.Want); err != nil {
					t.Errorf("%s:%d %s: %v", g.Name, c.Line, c.Name, err)
				}
				sameAnswer(t, c.Name, c.Request, ev.DecideJSON(c.Request), got)
			}
		})
	}
}

const good = `{"principal":{"id":"alice","roles":[{"role":"library_author","scope":{"type":"org","org":"MITx"}}]},"resource":{"type":"library","id":"lib1","attributes":{"org":"MITx"}},"permission":"library.edit"}`

const goodAnswer = `{"allowed":true,"permission":"library.edit","reason":{"kind":"role","role":"library_author","assignment":0},"errors":[],"warnings":[]}`

// mustGood checks that the authorizer still answers a good request correctly.
func mustGood(t *testing.T, a *wasm.Authorizer, after string) {
	t.Helper()
	got, err := a.CheckJSON(ctx, nil, []byte(good))
	if err != nil || string(got) != goodAnswer {
		t.Fatalf("after %s: %s, %v", after, got, err)
	}
}

// hostile returns malformed and oversized requests.
func hostile() map[string][]byte {
	zeros := func(n int) []byte {
		b := append(bytes.Repeat([]byte("0,"), n/2), '0')
		return append(append([]byte{'['}, b...), ']')
	}
	return map[string][]byte{
		"empty":           nil,
		"blank":           []byte(" \n\t"),
		"not JSON":        []byte("permission: library.edit"),
		"truncated":       []byte(good[:len(good)/2]),
		"invalid UTF-8":   []byte(`{"principal":{"id":"\xff"}}`),
		"NUL bytes":       make([]byte, 1000),
		"deep":            []byte(strings.Repeat("[", 100000)),
		"1 MiB of zeros":  zeros(wasm.MaxRequest - 2),
		"just over limit": append([]byte(good), bytes.Repeat([]byte(" "), wasm.MaxRequest)...),
		"8 MiB":           bytes.Repeat([]byte(`{"a":`), 8<<20/5),
		"duplicate keys":  []byte(`{"permission":"library.view","permission":"library.edit"}`),
		"wrong types":     []byte(`{"principal":{"id":1},"resource":[],"permission":null}`),
		"100,000 keys":    manyKeys(),
		"many roles":      []byte(`{"principal":{"id":"a","roles":[` + strings.Repeat(`{"role":"nope","scope":{"type":"nope"}},`, 20000) + `{"role":"x","scope":{"type":"y"}}]},"resource":{"type":"library","id":"l"},"permission":"library.view"}`),
	}
}

// manyKeys is a request of almost MaxRequest bytes with ~100,000 distinct keys.
func manyKeys() []byte {
	b := []byte(`{"principal":{"id":"a","attributes":{`)
	for i := 0; len(b) < wasm.MaxRequest-100; i++ {
		b = fmt.Appendf(b, `"k%x":0,`, i)
	}
	return append(b, `"z":0}}}`...)
}

// TestHostileRequests: every malformed request is answered with an error (or, for
// one with unknown roles, a decision with warnings), never a failure, and the next
// good request is answered correctly.
func TestHostileRequests(t *testing.T) {
	s, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 1})
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	var batch [][]byte
	for name, req := range hostile() {
		got, err := a.CheckJSON(ctx, nil, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(req) <= wasm.MaxRequest {
			sameAnswer(t, name, req[:min(len(req), 200)], ev.DecideJSON(req), got)
		} else if want := `{"error":"the request is longer than 1048576 bytes"}`; string(got) != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
		mustGood(t, a, name)
		batch = append(batch, req, []byte(good))
	}
	answers, err := a.CheckBatch(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i := range batch {
		want, err := a.CheckJSON(ctx, nil, batch[i])
		if err != nil {
			t.Errorf("batch request %d: %v", i, err)
		}
		if !bytes.Equal(answers[i], want) {
			t.Errorf("batch answer %d: %.200s, want %.200s", i, answers[i], want)
		}
	}
}

// TestMemoryLimit: an instance that runs out of memory fails its call, closed, and a
// fresh instance answers the next.
func TestMemoryLimit(t *testing.T) {
	_, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 1, MemoryLimit: 2 << 20})
	mustGood(t, a, "start")
	zeros := append(bytes.Repeat([]byte("0,"), wasm.MaxRequest/2-2), '0')
	req := append(append([]byte{'['}, zeros...), ']')
	got, err := a.CheckJSON(ctx, nil, req)
	if err == nil {
		t.Fatalf("a request needing more than 2 MiB: %.100s, no error", got)
	}
	if want := "permc wasm: the instance ran out of memory (limit 2 MiB) and was replaced"; err.Error() != want {
		t.Errorf("CheckJSON: %q, want %q", err, want)
	}
	mustGood(t, a, "running out of memory")
}

// TestRoles: custom roles are validated as the spec loader validates them, reach every
// instance, and invalid ones leave the roles in force.
func TestRoles(t *testing.T) {
	s, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 3})
	req := func(role string) []byte {
		return []byte(`{"principal":{"id":"a","roles":[{"role":"` + role + `","scope":{"type":"libraries","ids":["lib1"]}}]},"resource":{"type":"library","id":"lib1"},"permission":"library.view"}`)
	}
	// checkAll runs enough concurrent checks to use every instance.
	checkAll := func(role string, allowed bool) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, 30)
		for range 30 {
			wg.Go(func() {
				got, err := a.CheckJSON(ctx, nil, req(role))
				if err == nil && bytes.HasPrefix(got, []byte(`{"allowed":true`)) != allowed {
					err = fmt.Errorf("role %s: %s", role, got)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	checkAll("reviewer", false)
	if err := a.LoadRoles(ctx, []byte(`[{"name":"reviewer","permissions":["library.view"]}]`)); err != nil {
		t.Fatal(err)
	}
	checkAll("reviewer", true)
	for _, bad := range []string{
		`[{"name": "library_user", "permissions": ["library.view"]}]`,
		`[{"name": "r", "permissions": ["library.vew"]}]`,
		`[{"name": "r", "permissions": ["library.view"], "scopes": ["orgs"]}]`,
		`[{"name": "r", "permissions": []}, {"name": "r", "permissions": []}]`,
		`[{"name": 1, "permissions": "x", "scopes": [2]}, 7]`,
		`{"name": "r"}`,
		`[{"name": "r", "permissions": ["library.view"]`,
		"",
		strings.Repeat(" ", wasm.MaxRequest+1),
	} {
		err := a.LoadRoles(ctx, []byte(bad))
		if err == nil {
			t.Fatalf("LoadRoles(%.100s) accepted", bad)
		}
		if _, want := s.ParseCustomRoles([]byte(bad)); len(bad) <= wasm.MaxRequest && err.Error() != want.Error() {
			t.Errorf("LoadRoles(%s):\nwasm: %v\nspec: %v", bad, err, want)
		}
	}
	checkAll("reviewer", true)
	if err := a.LoadRoles(ctx, []byte(`{"roles": [{"name":"auditor","permissions":["library.*"]}]}`)); err != nil {
		t.Fatal(err)
	}
	checkAll("reviewer", false)
	checkAll("auditor", true)
}

// TestConcurrent checks from many goroutines through a pool of two instances, each
// answer compared with the reference evaluator's. Run it with -race.
func TestConcurrent(t *testing.T) {
	suites := exampleSuites(t)
	var es exampleSuite
	for _, e := range suites {
		if e.spec == filepath.Clean(libraries) || strings.HasSuffix(e.spec, "contentlibraries/spec.yaml") {
			es = e
		}
	}
	s, a := wasmtest.Authorizer(t, es.spec, wasm.Options{Instances: 2})
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	if es.roles != nil {
		if err := errors.Join(ev.LoadRoles(es.roles), a.LoadRoles(ctx, es.roles)); err != nil {
			t.Fatal(err)
		}
	}
	want := make([][]byte, len(es.reqs))
	for i, req := range es.reqs {
		want[i] = ev.DecideJSON(req)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var out []byte
			for round := range 5 {
				if g%2 == 0 {
					answers, err := a.CheckBatch(ctx, es.reqs)
					if err != nil {
						t.Error(err)
						return
					}
					for i := range answers {
						sameAnswer(t, "batch", es.reqs[i], want[i], answers[i])
					}
					continue
				}
				for i := range es.reqs {
					j := (i + g + round) % len(es.reqs)
					var err error
					if out, err = a.CheckJSON(ctx, out[:0], es.reqs[j]); err != nil {
						t.Error(err)
						return
					}
					sameAnswer(t, "check", es.reqs[j], want[j], out)
				}
			}
		})
	}
	wg.Wait()
}

// TestContext: a call does not start once its context has ended, and a call waiting
// for a busy pool gives up when its context ends.
func TestContext(t *testing.T) {
	_, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 1})
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.CheckJSON(done, nil, []byte(good)); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckJSON with a canceled context: %v", err)
	}
	if _, err := a.CheckBatch(done, [][]byte{[]byte(good)}); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckBatch with a canceled context: %v", err)
	}
	if err := a.LoadRoles(done, []byte(`[]`)); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadRoles with a canceled context: %v", err)
	}
	mustGood(t, a, "canceled calls")

	// Hold the only instance with a long batch while another call waits.
	reqs := make([][]byte, 20000)
	for i := range reqs {
		reqs[i] = []byte(good)
	}
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		close(started)
		if _, err := a.CheckBatch(ctx, reqs); err != nil {
			t.Error(err)
		}
	})
	<-started
	time.Sleep(time.Millisecond)
	short, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	_, err := a.CheckJSON(short, nil, []byte(good))
	wg.Wait()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CheckJSON waiting for the pool: %v", err)
	}
	mustGood(t, a, "a timed-out wait")
}

func TestClose(t *testing.T) {
	_, a := wasmtest.Authorizer(t, libraries, wasm.Options{})
	mustGood(t, a, "start")
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckJSON(ctx, nil, []byte(good)); !errors.Is(err, wasm.ErrClosed) {
		t.Errorf("CheckJSON after Close: %v", err)
	}
	if err := a.LoadRoles(ctx, []byte(`[]`)); !errors.Is(err, wasm.ErrClosed) {
		t.Errorf("LoadRoles after Close: %v", err)
	}
	if err := a.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	s, a := wasmtest.Authorizer(t, libraries, wasm.Options{})
	var m struct {
		Package     string   `json:"package"`
		SpecSHA256  string   `json:"spec_sha256"`
		Permissions []string `json:"permissions"`
	}
	if err := json.Unmarshal(a.MetadataJSON(), &m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(s.Source)
	if m.Package != s.Package || m.SpecSHA256 != hex.EncodeToString(sum[:]) || len(m.Permissions) != len(s.Permissions) {
		t.Errorf("metadata %s", a.MetadataJSON())
	}
}

// TestNotAModule: New refuses what is not a permc module of this ABI.
func TestNotAModule(t *testing.T) {
	empty := []byte("\x00asm\x01\x00\x00\x00")
	for name, c := range map[string]struct {
		module []byte
		err    string
	}{
		"nothing":      {nil, "compiling the module"},
		"not wasm":     {[]byte("<html>"), "compiling the module"},
		"empty module": {empty, "does not export permc_abi_version"},
	} {
		if _, err := wasm.New(ctx, c.module, wasm.Options{}); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.err)
		}
	}
}
