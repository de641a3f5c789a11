package wasm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/wasm"
)

const quadratic = "testdata/quadratic.yaml"

// quadraticRequest is a request of the quadratic spec with n groups and n tags, none
// shared: deciding it compares each group with each tag.
func quadraticRequest(n int, role string) []byte {
	var groups, tags []string
	for i := range n {
		groups = append(groups, fmt.Sprintf(`"g%d"`, i))
		tags = append(tags, fmt.Sprintf(`"t%d"`, i))
	}
	roles := ""
	if role != "" {
		roles = `,"roles":[{"role":"` + role + `","scope":{"type":"global"}}]`
	}
	return []byte(`{"principal":{"id":"p","attributes":{"groups":[` + strings.Join(groups, ",") + `]}` + roles +
		`},"resource":{"type":"doc","id":"d","attributes":{"tags":[` + strings.Join(tags, ",") + `]}},"permission":"doc.read"}`)
}

// TestDeadline: a call whose deadline passes while the module decides returns the
// context's error at once, not after the check, and never a decision; the stopped
// instance is replaced, custom roles included, and the pool answers as before.
func TestDeadline(t *testing.T) {
	_, a := wasmtest.Authorizer(t, quadratic, wasm.Options{Instances: 1})
	if err := a.LoadRoles(ctx, []byte(`[{"name":"editor","permissions":["doc.edit"]}]`)); err != nil {
		t.Fatal(err)
	}
	// 50,000 groups and tags: 2.5 billion comparisons, tens of seconds in the module.
	slow := quadraticRequest(50000, "")
	if len(slow) > wasm.MaxRequest {
		t.Fatalf("the slow request is %d bytes, over the limit", len(slow))
	}
	editor := bytes.Replace(quadraticRequest(3, "editor"), []byte(`"doc.read"`), []byte(`"doc.edit"`), 1)
	const editorAnswer = `{"allowed":true,"permission":"doc.edit","reason":{"kind":"role","role":"editor","assignment":0},"errors":[],"warnings":[]}`
	// The first call with a deadline starts the stoppable instances (compiling the
	// module for them); the calls below are stopped while the module decides.
	long, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if got, err := a.CheckJSON(long, nil, editor); err != nil || string(got) != editorAnswer {
		t.Fatalf("CheckJSON = %s, %v", got, err)
	}
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 50*time.Millisecond) }, context.DeadlineExceeded},
		{"canceled", func() (context.Context, context.CancelFunc) {
			c, cancel := context.WithTimeout(ctx, time.Hour)
			time.AfterFunc(50*time.Millisecond, cancel)
			return c, cancel
		}, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			callCtx, cancel := c.ctx()
			defer cancel()
			start := time.Now()
			got, err := a.CheckJSON(callCtx, nil, slow)
			// Generous, for a loaded machine: the check itself takes tens of seconds.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the call returned after %v", d)
			}
			if !errors.Is(err, c.want) || got != nil || err.Error() != "permc wasm: the call was stopped: "+c.want.Error() {
				t.Fatalf("CheckJSON = %.100s, %v; want no answer and %v", got, err, c.want)
			}
			// Another call with a deadline gets a fresh instance (the pool holds one),
			// with the custom roles.
			if got, err := a.CheckJSON(long, nil, editor); err != nil || string(got) != editorAnswer {
				t.Fatalf("after the stopped call: %s, %v", got, err)
			}
			if got, err := a.CheckJSON(ctx, nil, editor); err != nil || string(got) != editorAnswer {
				t.Fatalf("without a deadline, after the stopped call: %s, %v", got, err)
			}
		})
	}
	// Batches stop too.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if answers, err := a.CheckBatch(short, [][]byte{editor, slow, editor}); !errors.Is(err, context.DeadlineExceeded) || answers != nil {
		t.Fatalf("CheckBatch = %d answers, %v", len(answers), err)
	}
	if answers, err := a.CheckBatch(long, [][]byte{editor, editor}); err != nil || string(answers[1]) != editorAnswer {
		t.Fatalf("CheckBatch after the stopped one: %q, %v", answers, err)
	}
}

// TestCanceledWithoutDeadline: a call whose context can be canceled but has no
// deadline runs on an instance that cannot be stopped; canceled while it runs, it
// returns the context's error, not the answer that came too late.
func TestCanceledWithoutDeadline(t *testing.T) {
	_, a := wasmtest.Authorizer(t, quadratic, wasm.Options{Instances: 1})
	req := quadraticRequest(3000, "") // 9 million comparisons, within the budget: milliseconds at least
	c, cancel := context.WithCancel(ctx)
	time.AfterFunc(time.Millisecond, cancel)
	if got, err := a.CheckJSON(c, nil, req); !errors.Is(err, context.Canceled) || got != nil {
		t.Fatalf("CheckJSON = %.100s, %v; want no answer and context.Canceled", got, err)
	}
	want := `{"allowed":false,"permission":"doc.read","reason":{"kind":"no_grant"},"errors":[],"warnings":[]}`
	if got, err := a.CheckJSON(ctx, nil, req); err != nil || string(got) != want {
		t.Fatalf("CheckJSON = %s, %v", got, err)
	}
}

// TestLimits: the limits an Authorizer is given hold in the module, with the messages
// every backend gives, and a limit the module cannot take fails New.
func TestLimits(t *testing.T) {
	_, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 2, MaxRequestBytes: len(good), MaxRolesBytes: 60, MaxBatchRequests: 3})
	mustGood(t, a, "start")
	over := append([]byte(good), ' ')
	tooLong := fmt.Sprintf(`{"error":"the request is longer than %d bytes"}`, len(good))
	if got, err := a.CheckJSON(ctx, nil, over); err != nil || string(got) != tooLong {
		t.Errorf("CheckJSON(%d bytes) = %s, %v", len(over), got, err)
	}
	var reqs [][]byte
	for i := range 10 {
		if i == 7 {
			reqs = append(reqs, over)
			continue
		}
		reqs = append(reqs, []byte(good))
	}
	answers, err := a.CheckBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, got := range answers {
		want := goodAnswer
		if i == 7 {
			want = tooLong
		}
		if string(got) != want {
			t.Errorf("batch answer %d: %s, want %s", i, got, want)
		}
	}
	roles := `[{"name":"reviewer","permissions":["library.view"]}]`
	if err := a.LoadRoles(ctx, []byte(roles)); err != nil {
		t.Errorf("LoadRoles(%d bytes) = %v", len(roles), err)
	}
	roles = `[{"name":"reviewer","permissions":["library.view"]}, {}, {}, {}]`
	if err := a.LoadRoles(ctx, []byte(roles)); err == nil || err.Error() != "the custom roles are longer than 60 bytes" {
		t.Errorf("LoadRoles(%d bytes) = %v", len(roles), err)
	}

	_, module := wasmtest.Module(t, libraries)
	for _, c := range []struct {
		opts wasm.Options
		err  string
	}{
		{wasm.Options{MaxRequestBytes: 5 << 20}, "permc wasm: permc_configure: max_request_bytes: want an integer from 1 to 4194304, not 5242880"},
		{wasm.Options{MaxRolesBytes: 5 << 20}, "permc wasm: permc_configure: max_roles_bytes: want an integer from 1 to 4194304, not 5242880"},
		{wasm.Options{MaxBatchRequests: 100000}, "permc wasm: permc_configure: max_batch_requests: want an integer from 1 to 65536, not 100000"},
	} {
		c.opts.CompilationCache = wasmtest.CompilationCache()
		if _, err := wasm.New(ctx, module, c.opts); err == nil || err.Error() != c.err {
			t.Errorf("New(%+v) = %v, want %s", c.opts, err, c.err)
		}
	}
}

// TestDefaultRequestLimit: requests and custom roles over 1 MiB get the limit's
// message, however much longer they are (the module's blocks hold 4 MiB).
func TestDefaultRequestLimit(t *testing.T) {
	_, a := wasmtest.Authorizer(t, libraries, wasm.Options{Instances: 1})
	for _, n := range []int{wasm.MaxRequest + 1, 4<<20 + 1, 20 << 20} {
		req := append([]byte(good), bytes.Repeat([]byte(" "), n-len(good))...)
		if got, err := a.CheckJSON(ctx, nil, req); err != nil || string(got) != `{"error":"the request is longer than 1048576 bytes"}` {
			t.Errorf("CheckJSON(%d bytes) = %.100s, %v", n, got, err)
		}
		roles := append([]byte("[]"), bytes.Repeat([]byte(" "), n-2)...)
		if err := a.LoadRoles(ctx, roles); err == nil || err.Error() != "the custom roles are longer than 1048576 bytes" {
			t.Errorf("LoadRoles(%d bytes) = %v", n, err)
		}
	}
	mustGood(t, a, "long inputs")
}

// TestModuleWithoutConfigure: a module without permc_configure (built before it
// existed) serves a host that keeps the default limits, and New says why it cannot
// serve one that sets others.
func TestModuleWithoutConfigure(t *testing.T) {
	_, module := wasmtest.Module(t, libraries)
	// The name is in the export section, and in the Go runtime's table of function
	// names: renamed, the function is no export permc_configure.
	old := bytes.ReplaceAll(module, []byte("permc_configure"), []byte("permc_xonfigure"))
	if bytes.Equal(old, module) {
		t.Fatal("the module does not name permc_configure")
	}
	a, err := wasm.New(ctx, old, wasm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	mustGood(t, a, "start")
	if _, err := wasm.New(ctx, old, wasm.Options{MaxRequestBytes: 100}); err == nil || !strings.Contains(err.Error(), "does not export permc_configure") {
		t.Errorf("New with a limit = %v", err)
	}
}
