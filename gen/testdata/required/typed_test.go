package required

import (
	"bytes"
	"testing"
	"time"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
)

// TestRequired holds typed checks to the spec's required attributes: a zero value is
// a missing attribute, and the check is denied as malformed.
func TestRequired(t *testing.T) {
	a := NewAuthorizer()
	p := &Principal{ID: "p", Org: "a"}
	doc := &Doc{ID: "d", Org: "a", Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Labels: map[string]string{}}
	ctx := &Context{Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), IP: "10.1.2.3"}
	if d := a.CheckDoc(p, DocRead, doc, nil, ctx); !d.Allowed {
		t.Fatalf("every required attribute given: %+v", d)
	}
	for _, tt := range []struct {
		path string
		p    *Principal
		r    *Doc
		cred *Credential
		ctx  *Context
	}{
		{"context.time", p, doc, nil, &Context{IP: "10.1.2.3"}},
		{"context.time", p, doc, nil, nil},
		{"principal.attributes.org", &Principal{ID: "p"}, doc, nil, ctx},
		{"resource.attributes.labels", p, &Doc{ID: "d", Org: "a", Expires: doc.Expires}, nil, ctx},
		{"resource.attributes.org", nil, nil, nil, nil},
		{"credential.attributes.networks", p, doc, &Credential{AllPermissions: true, Key: []byte("k")}, ctx},
	} {
		d := a.CheckDoc(tt.p, DocRead, tt.r, tt.cred, tt.ctx)
		if d.Allowed || d.Reason.Kind != runtime.Malformed || len(d.Errors) != 1 || d.Errors[0].Name != tt.path || d.Errors[0].Kind != "request" {
			t.Errorf("without %s: %+v", tt.path, d)
		}
		if set := a.DocPermissions(tt.p, tt.r, tt.cred, tt.ctx); set != (DocPermissionSet{}) {
			t.Errorf("without %s: permissions %v", tt.path, set.Permissions())
		}
	}
	if pl := a.PlanDoc(p, DocRead, nil, &Context{IP: "10.1.2.3"}); pl.Cond != cond.False {
		t.Errorf("a plan without context.time: %v", pl.Cond)
	}
	if pl := a.PlanDoc(p, DocRead, nil, ctx); pl.Cond == cond.False {
		t.Errorf("a plan with every required attribute: %v", pl.Cond)
	}
	req := []byte(`{"principal": {"id": "p", "attributes": {"org": "a", "suspended": false}}, "resource": {"type": "folder", "id": "f"},
		"permission": "folder.open", "context": {"ip": "10.1.2.3", "grace": "0s"}}`)
	if got, want := a.CheckJSON(nil, req), `{"error":"context.time is required"}`; !bytes.Equal(got, []byte(want)) {
		t.Errorf("CheckJSON = %s, want %s", got, want)
	}
}
