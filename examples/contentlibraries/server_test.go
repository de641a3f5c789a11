package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/examples/contentlibraries/libauthz"
	"github.com/permc/permc/runtime"
)

func newTestServer(t *testing.T) http.Handler {
	t.Helper()
	srv, err := NewServer(demoStore(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

const libs = "/api/libraries/v2/"

func TestAPI(t *testing.T) {
	block := `{"block_type": "html", "definition_id": "h1"}`
	tests := []struct {
		name, token, method, path, body string
		from                            string // client address; httptest's 192.0.2.1 when empty
		status                          int
		reason                          string
		contains                        string
	}{
		// Allowed.
		{name: "an author reads a library of their org, and sees what they may do", token: "alice-session", method: "GET", path: libs + "mit-physics/", status: 200, contains: `"permissions":["library.view","library.edit"]`},
		{name: "an author adds a block", token: "alice-session", method: "POST", path: libs + "mit-physics/blocks/", body: block, status: 201, contains: `"definition_id":"h1"`},
		{name: "the list holds only what the caller may view", token: "bob-session", method: "GET", path: libs, status: 200, contains: `"results":[{"id":"hx-intro","title":"Intro videos","org":"HarvardX"},{"id":"hx-public","title":"Open readings","org":"HarvardX"}]}`},
		{name: "the list of what the caller may edit leaves the archived library out", token: "alice-session", method: "GET", path: libs + "?permission=library.edit", status: 200, contains: `{"permission":"library.edit","results":[{"id":"mit-physics","title":"Physics problems","org":"MITx"}]}`},
		{name: "a custom role over a group of libraries", token: "carol-session", method: "GET", path: libs + "hx-secret/", status: 200},
		{name: "an org admin publishes", token: "erin-session", method: "POST", path: libs + "mit-physics/commit/", status: 200, contains: `"published_blocks":1`},
		{name: "an org admin deletes", token: "erin-session", method: "DELETE", path: libs + "mit-physics/", status: 204},
		{name: "staff read everything", token: "dan-session", method: "GET", path: libs + "hx-secret/", status: 200},
		{name: "an org-filtered token inside its org", token: "dan-mit", method: "POST", path: libs + "mit-physics/blocks/", body: block, status: 201},
		{name: "a network-bound token from its network", token: "alice-office", method: "POST", path: libs + "mit-physics/blocks/", body: block, from: "10.1.2.3:5555", status: 201},

		// Denied.
		{name: "an archived library is read-only", token: "alice-session", method: "POST", path: libs + "mit-archive/blocks/", body: block, status: 403, reason: "deny_rule"},
		{name: "an archived library is not deleted, even by staff", token: "dan-session", method: "DELETE", path: libs + "mit-archive/", status: 403, reason: "deny_rule"},
		{name: "authors do not publish", token: "alice-session", method: "POST", path: libs + "mit-physics/commit/", status: 403, reason: "no_grant"},
		{name: "the excepted library stays closed", token: "bob-session", method: "GET", path: libs + "hx-secret/", status: 403, reason: "no_grant"},
		{name: "a reviewer does not edit", token: "carol-session", method: "POST", path: libs + "mit-physics/blocks/", body: block, status: 403, reason: "no_grant"},
		{name: "a read-only token does not edit", token: "alice-reader", method: "POST", path: libs + "mit-physics/blocks/", body: block, status: 403, reason: "credential"},
		{name: "an org-filtered token outside its org", token: "dan-mit", method: "GET", path: libs + "hx-intro/", status: 403, reason: "credential"},
		{name: "a network-bound token from elsewhere", token: "alice-office", method: "GET", path: libs + "mit-physics/", status: 403, reason: "deny_rule"},
		{name: "a network-bound token from an unreadable address", token: "alice-office", method: "GET", path: libs + "mit-physics/", from: "@", status: 403, reason: "deny_rule"},
		{name: "a denied caller learns nothing about the body", token: "carol-session", method: "POST", path: libs + "mit-physics/blocks/", body: `{`, status: 403, reason: "no_grant"},

		// Malformed or unknown.
		{name: "no token", method: "GET", path: libs, status: 401},
		{name: "an unknown token", token: "guess", method: "GET", path: libs, status: 401},
		{name: "a list by an unknown permission", token: "alice-session", method: "GET", path: libs + "?permission=library.own", status: 400},
		{name: "a list by another resource type's permission", token: "alice-session", method: "GET", path: libs + "?permission=course.view", status: 400},
		{name: "an unknown library", token: "dan-session", method: "GET", path: libs + "nowhere/", status: 404},
		{name: "a body that is not JSON", token: "alice-session", method: "POST", path: libs + "mit-physics/blocks/", body: `html`, status: 400},
		{name: "an unknown block type", token: "alice-session", method: "POST", path: libs + "mit-physics/blocks/", body: `{"block_type": "exe", "definition_id": "x"}`, status: 400},
		{name: "a body with an unknown field", token: "alice-session", method: "POST", path: libs + "mit-physics/blocks/", body: `{"block_type": "html", "definition_id": "x", "org": "HarvardX"}`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestServer(t) // fresh data: some requests change it
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.path, body)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			if tt.from != "" {
				req.RemoteAddr = tt.from
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == http.StatusNoContent {
				return
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("not JSON: %v: %s", err, rec.Body)
			}
			if tt.status >= 400 && v["error"] == nil {
				t.Errorf("error answer without an error message: %s", rec.Body)
			}
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.reason != "" && v["reason"] != tt.reason {
				t.Errorf("reason = %v, want %s", v["reason"], tt.reason)
			}
			if tt.contains != "" && !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("body does not contain %s: %s", tt.contains, rec.Body)
			}
		})
	}
}

func TestCredential(t *testing.T) {
	if c := credential(&Token{User: "alice", FirstParty: true}); c != nil {
		t.Errorf("a session token narrows: %#v", c)
	}
	staff := &libauthz.Principal{ID: "alice", IsStaff: true}
	lib := &libauthz.Library{ID: "lib1"}
	a := libauthz.NewAuthorizer()
	// An application's token without scopes must unlock nothing, not everything.
	c := credential(&Token{User: "alice"})
	if d := a.CheckLibrary(staff, libauthz.LibraryView, lib, c, nil); d.Allowed || d.Reason.Kind != runtime.Credential {
		t.Errorf("an application token without scopes (%#v) = %+v, want denied by the credential", c, d)
	}
	// A first-party token limited to networks keeps its user's permissions.
	c = credential(&Token{User: "alice", FirstParty: true, AllowedIPs: []string{"10.0.0.0/8"}})
	if d := a.CheckLibrary(staff, libauthz.LibraryView, lib, c, &libauthz.Context{IP: "10.1.2.3"}); !d.Allowed {
		t.Errorf("a first-party token with networks (%#v) = %+v, want allowed", c, d)
	}
}

// TestListAgreesWithChecks: for every token and every library permission, the list
// (one query plan per request) holds exactly the libraries a check allows.
func TestListAgreesWithChecks(t *testing.T) {
	srv, err := NewServer(demoStore(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	srv.now = func() time.Time { return now }
	h := srv.Handler()
	for secret, tok := range demoTokens {
		user, _ := srv.store.User(tok.User)
		for _, from := range []string{"10.1.2.3", "192.0.2.1"} {
			ctx := &libauthz.Context{Time: now, IP: from}
			for _, perm := range libraryPermissions {
				req := httptest.NewRequest("GET", libs+"?permission="+perm.String(), nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				req.RemoteAddr = from + ":5555"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var got struct{ Results []struct{ ID string } }
				if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != 200 || err != nil {
					t.Fatalf("%s %s: %d %s", secret, perm, rec.Code, rec.Body)
				}
				var gotIDs, want []string
				for _, r := range got.Results {
					gotIDs = append(gotIDs, r.ID)
				}
				for _, l := range srv.store.Libraries() {
					if srv.authz.CheckLibrary(srv.principal(user), perm, resource(l), credential(tok), ctx).Allowed {
						want = append(want, l.ID)
					}
				}
				if !slices.Equal(gotIDs, want) {
					t.Errorf("%s from %s, %s: the list holds %q, the checks allow %q", secret, from, perm, gotIDs, want)
				}
			}
		}
	}
}
