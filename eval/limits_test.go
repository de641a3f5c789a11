package eval_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/spec"
)

// TestLimits: a request or custom roles over their limit are refused before they are
// parsed, with the message every backend gives, by Decide and by the planner's
// decoding alike.
func TestLimits(t *testing.T) {
	s, err := spec.LoadFile("../examples/contentlibraries/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := []byte(`{"principal":{"id":"a"},"resource":{"type":"library","id":"l","attributes":{"public":true}},"permission":"library.view"}`)
	pad := func(b []byte, n int) []byte { return append(bytes.Clone(b), bytes.Repeat([]byte(" "), n-len(b))...) }
	for _, c := range []struct {
		opts  []eval.Options
		limit int
		want  string
	}{
		{nil, 1 << 20, `{"error":"the request is longer than 1048576 bytes"}`},
		{[]eval.Options{{MaxRequestBytes: -5}}, 1 << 20, `{"error":"the request is longer than 1048576 bytes"}`},
		{[]eval.Options{{MaxRequestBytes: 7}, {MaxRequestBytes: 200, MaxRolesBytes: 30}}, 200, `{"error":"the request is longer than 200 bytes"}`},
	} {
		e, err := eval.New(s, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.DecideJSON(pad(good, c.limit)); !bytes.HasPrefix(got, []byte(`{"allowed":true`)) {
			t.Errorf("%v: a request of %d bytes: %s", c.opts, c.limit, got)
		}
		if got := e.DecideJSON(pad(good, c.limit+1)); string(got) != c.want {
			t.Errorf("%v: a request of %d bytes: %.100s, want %s", c.opts, c.limit+1, got, c.want)
		}
		var re *eval.RequestError
		if _, err := e.DecodeRequestWithoutResource(pad(good, c.limit+1), ""); !errors.As(err, &re) || `{"error":"`+err.Error()+`"}` != c.want {
			t.Errorf("%v: DecodeRequestWithoutResource(%d bytes) = %v", c.opts, c.limit+1, err)
		}
	}
	e, err := eval.New(s, eval.Options{MaxRolesBytes: 30})
	if err != nil {
		t.Fatal(err)
	}
	roles := []byte(`[{"name":"r","permissions":["library.view"]}]`)
	if err := e.LoadRoles(roles); err == nil || err.Error() != "the custom roles are longer than 30 bytes" {
		t.Errorf("LoadRoles(%d bytes) = %v", len(roles), err)
	}
	if err := e.LoadRoles(pad([]byte(`[]`), 30)); err != nil {
		t.Errorf("LoadRoles(30 bytes) = %v", err)
	}
	if err := mustEvaluator(t, "../examples/contentlibraries/spec.yaml", nil).LoadRoles(pad(roles, 1<<20+1)); err == nil || err.Error() != "the custom roles are longer than 1048576 bytes" {
		t.Errorf("LoadRoles(1 MiB + 1) = %v", err)
	}
}
