package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestServer(t *testing.T) http.Handler {
	t.Helper()
	srv, err := NewServer(demoStore(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

type request struct {
	method, path, auth, body string
	// from is the client's address; httptest's 192.0.2.1 when empty.
	from string
}

func (rq request) do(h http.Handler) *httptest.ResponseRecorder {
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req := httptest.NewRequest(rq.method, rq.path, body)
	if rq.auth != "" {
		req.Header.Set("Authorization", rq.auth)
	}
	if rq.from != "" {
		req.RemoteAddr = rq.from
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

const (
	legacy    = "ApiKey wanda:wanda-legacy-0001"
	tzOnly    = "ApiKey wanda:wanda-tz-0002"
	appsRead  = "ApiKey wanda:wanda-apps-0003"
	readOnly  = "ApiKey wanda:wanda-ro-0004"
	office    = "ApiKey wanda:wanda-office-0005"
	caseSync  = "ApiKey dami:dami-sync-0006"
	supportIP = "ApiKey support:support-0007"
	sam       = "ApiKey sam:sam-0010"
	dashboard = "Bearer oauth-dashboards-0008"
	signIn    = "Bearer oauth-signin-0009"

	tz = "/a/malaria-tz/api/v1"
	ke = "/a/nutrition-ke/api/v1"
)

func TestAPI(t *testing.T) {
	h := newTestServer(t)
	newCase := `{"case_type": "household", "name": "Household 18"}`
	tests := []struct {
		name     string
		req      request
		status   int
		reason   string
		contains string
	}{
		// Allowed.
		{"a legacy key has the user's full access", request{method: "GET", path: tz + "/case/", auth: legacy}, 200, "", `"case_id":"c-1"`},
		{"a legacy key writes data", request{method: "POST", path: tz + "/case/", auth: legacy, body: newCase}, 201, "", `"name":"Household 18"`},
		{"a project key works in its project", request{method: "GET", path: tz + "/user/", auth: tzOnly}, 200, "", `"username":"wanda"`},
		{"a key limited to a permission", request{method: "GET", path: tz + "/application/", auth: appsRead}, 200, "", `Bed net distribution`},
		{"a key limited to a role reads", request{method: "GET", path: tz + "/case/", auth: readOnly}, 200, "", ""},
		{"a key limited to a role opens reports", request{method: "GET", path: tz + "/report/tz-monthly/", auth: readOnly}, 200, "", `Monthly distribution`},
		{"a key limited to a custom role syncs cases", request{method: "POST", path: ke + "/case/", auth: caseSync, body: newCase}, 201, "", ""},
		{"a custom role reads the project's data", request{method: "GET", path: tz + "/case/", auth: sam}, 200, "", ""},
		{"an allowlisted key from its office", request{method: "GET", path: tz + "/case/", auth: office, from: "203.0.113.9:41000"}, 200, "", ""},
		{"an allowlisted key from the loopback", request{method: "GET", path: tz + "/case/", auth: office, from: "127.0.0.1:41000"}, 200, "", ""},
		{"an allowlisted key from the IPv6 loopback", request{method: "GET", path: tz + "/case/", auth: office, from: "[::1]:41000"}, 200, "", ""},
		{"support staff from the support network", request{method: "GET", path: ke + "/case/", auth: supportIP, from: "198.51.100.7:5000"}, 200, "", ""},
		{"a report viewer's dashboard token", request{method: "GET", path: ke + "/report/ke-weekly/", auth: dashboard}, 200, "", `Weekly visits`},
		{"an identity-only token signs the user in", request{method: "GET", path: "/api/v1/identity/", auth: signIn}, 200, "", `"email":"wanda@example.org"`},
		{"a legacy key confirms identity too", request{method: "GET", path: "/api/v1/identity/", auth: legacy}, 200, "", `"username":"wanda"`},

		// Denied.
		{"roles are per project", request{method: "GET", path: ke + "/case/", auth: legacy}, 403, "no_grant", ""},
		{"a project key stays in its project", request{method: "GET", path: ke + "/report/ke-weekly/", auth: tzOnly}, 403, "credential", ""},
		{"a key limited to reading apps reads no data", request{method: "GET", path: tz + "/case/", auth: appsRead}, 403, "credential", ""},
		{"a key limited to a read-only role writes nothing", request{method: "POST", path: tz + "/case/", auth: readOnly, body: newCase}, 403, "credential", ""},
		{"a key limited to a read-only role does not export", request{method: "GET", path: tz + "/report/tz-monthly/export/", auth: readOnly}, 403, "credential", ""},
		{"a key limited to a custom role opens no reports", request{method: "GET", path: ke + "/report/ke-finance/", auth: caseSync}, 403, "credential", ""},
		{"a custom role does not write data", request{method: "POST", path: tz + "/case/", auth: sam, body: newCase}, 403, "no_grant", ""},
		{"an allowlisted key from elsewhere", request{method: "GET", path: tz + "/case/", auth: office}, 403, "deny_rule", ""},
		{"an allowlisted key from an unreadable address", request{method: "GET", path: tz + "/case/", auth: office, from: "pipe"}, 403, "deny_rule", ""},
		{"support staff from elsewhere", request{method: "GET", path: ke + "/case/", auth: supportIP}, 403, "deny_rule", ""},
		{"a dashboard token reads no data", request{method: "GET", path: ke + "/case/", auth: dashboard}, 403, "credential", ""},
		{"a dashboard token only opens the user's reports", request{method: "GET", path: ke + "/report/ke-finance/", auth: dashboard}, 403, "no_grant", ""},
		{"an identity-only token reads no apps", request{method: "GET", path: tz + "/application/", auth: signIn}, 403, "credential", ""},
		{"a project key signs nobody in", request{method: "GET", path: "/api/v1/identity/", auth: tzOnly}, 403, "credential", ""},
		{"a denied caller learns nothing about the body", request{method: "POST", path: tz + "/case/", auth: readOnly, body: `{`}, 403, "credential", ""},

		// Malformed or unknown.
		{"no credentials", request{method: "GET", path: tz + "/case/"}, 401, "", ""},
		{"another scheme", request{method: "GET", path: tz + "/case/", auth: "Basic d2FuZGE6eA=="}, 401, "", ""},
		{"an ApiKey without a username", request{method: "GET", path: tz + "/case/", auth: "ApiKey wanda-legacy-0001"}, 401, "", ""},
		{"an ApiKey with an empty key", request{method: "GET", path: tz + "/case/", auth: "ApiKey wanda:"}, 401, "", ""},
		{"someone else's key", request{method: "GET", path: tz + "/case/", auth: "ApiKey ed:wanda-legacy-0001"}, 401, "", ""},
		{"an unknown key", request{method: "GET", path: tz + "/case/", auth: "ApiKey wanda:guess"}, 401, "", ""},
		{"an unknown token", request{method: "GET", path: tz + "/case/", auth: "Bearer guess"}, 401, "", ""},
		{"an unknown project", request{method: "GET", path: "/a/nowhere/api/v1/case/", auth: legacy}, 404, "", ""},
		{"a report of another project", request{method: "GET", path: tz + "/report/ke-weekly/", auth: legacy}, 404, "", ""},
		{"a body that is not JSON", request{method: "POST", path: tz + "/case/", auth: legacy, body: `case_type=household`}, 400, "", ""},
		{"a body with an unknown field", request{method: "POST", path: tz + "/case/", auth: legacy, body: `{"case_type": "h", "name": "n", "owner": "x"}`}, 400, "", ""},
		{"a body without a name", request{method: "POST", path: tz + "/case/", auth: legacy, body: `{"case_type": "h"}`}, 400, "", ""},
		{"a name that is too long", request{method: "POST", path: tz + "/case/", auth: legacy, body: `{"case_type": "h", "name": "` + strings.Repeat("n", 300) + `"}`}, 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.req.do(h)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, body)
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("body is not a JSON object: %v: %s", err, body)
			}
			if tt.status >= 400 && v["error"] == nil {
				t.Errorf("error answer without an error message: %s", body)
			}
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.reason != "" && v["reason"] != tt.reason {
				t.Errorf("reason = %v, want %s", v["reason"], tt.reason)
			}
			if tt.contains != "" && !strings.Contains(body, tt.contains) {
				t.Errorf("body does not contain %s: %s", tt.contains, body)
			}
		})
	}
}

func TestExport(t *testing.T) {
	h := newTestServer(t)
	rec := request{method: "GET", path: tz + "/report/tz-monthly/export/", auth: legacy}.do(h)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv" {
		t.Fatalf("export = %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if want := "Kilombero,412\nUlanga,380\n"; rec.Body.String() != want {
		t.Errorf("export = %q, want %q", rec.Body, want)
	}
}

func TestKeyCredential(t *testing.T) {
	// A key limited to an empty list of projects must open nothing, not everything.
	c := keyCredential(&APIKey{User: "wanda", Projects: []string{}})
	if c.AllPermissions || len(c.Permissions)+len(c.Roles)+len(c.Scopes) != 0 {
		t.Errorf("credential = %#v, want one that unlocks nothing", c)
	}
	// A key without limits narrows nothing.
	c = keyCredential(&APIKey{User: "wanda"})
	if !c.AllPermissions || c.Permissions != nil || c.Roles != nil || c.Scopes != nil || c.Filters != nil {
		t.Errorf("legacy key credential = %#v, want no limits", c)
	}
	// A key limited to no permission at all unlocks nothing.
	c = keyCredential(&APIKey{User: "wanda", Permissions: []string{}})
	if c.AllPermissions {
		t.Errorf("credential = %#v, want one that unlocks nothing", c)
	}
}
