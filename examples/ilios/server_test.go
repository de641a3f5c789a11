package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

type testApp struct {
	h        http.Handler
	sessions map[string]*http.Cookie // by user
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return &testApp{
		h:        NewServer(demoStore(), slog.New(slog.NewTextHandler(io.Discard, nil))).Handler(),
		sessions: map[string]*http.Cookie{},
	}
}

func (app *testApp) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	return rec
}

// session signs user in (once) and returns the session cookie.
func (app *testApp) session(t *testing.T, user string) *http.Cookie {
	t.Helper()
	if c, ok := app.sessions[user]; ok {
		return c
	}
	rec := app.post("/login", url.Values{"username": {user}, "password": {demoPassword}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("signing %s in: %d %s", user, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			app.sessions[user] = c
			return c
		}
	}
	t.Fatalf("signing %s in set no session cookie", user)
	return nil
}

// page requests a full page as user ("" for nobody).
func (app *testApp) page(t *testing.T, user, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if user != "" {
		req.AddCookie(app.session(t, user))
	}
	rec := httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	return rec
}

// xhr posts a JSON body to an XHR handler as user ("" for nobody).
func (app *testApp) xhr(t *testing.T, user, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.AddCookie(app.session(t, user))
	}
	rec := httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	app := newTestApp(t)
	tests := []struct {
		name, user, path string
		status           int
		contains         string
	}{
		{"a student gets the learner dashboard", "stu", "/dashboard", 200, "Learner dashboard: School of Medicine"},
		{"faculty get the instructor dashboard", "fiona", "/dashboard", 200, "Instructor dashboard: School of Medicine"},
		{"a learner in one school", "rae", "/dashboard", 200, "Learner dashboard: School of Nursing"},
		{"and an instructor in another", "rae", "/dashboard?school=som", 200, "Instructor dashboard: School of Medicine"},
		{"faculty open their school's courses, with the Save button", "fiona", "/courses/anatomy", 200, `data-action="save"`},
		{"a course director sees Unlock on a locked course", "dirk", "/courses/histology", 200, `data-action="unlock"`},
		{"everyone opens their own profile", "fiona", "/users/fiona", 200, "Fiona Faculty"},
		{"administrators open their school's users, with the toggle", "devi", "/users/nia", 200, `data-action="toggle"`},

		{"faculty of one school do not open another's courses", "fiona", "/courses/pharmacology", 403, "Access denied"},
		{"no dashboard in a school where one has no role", "nia", "/dashboard?school=som", 403, "Access denied"},
		{"administrators of one school do not open another's users", "devi", "/users/stu", 403, "Access denied"},
		{"students do not open other users", "stu", "/users/fiona", 403, "Access denied"},

		{"an unknown course", "fiona", "/courses/alchemy", 404, "No such course"},
		{"an unknown school", "fiona", "/dashboard?school=law", 404, "No such school"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := app.page(t, tt.user, tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want HTML", ct)
			}
			if !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("page does not contain %q:\n%s", tt.contains, rec.Body)
			}
		})
	}
}

func TestPageButtonsFollowPermissions(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range []struct{ user, path, absent string }{
		{"stu", "/courses/anatomy", `data-action="save"`},
		{"fiona", "/courses/histology", `data-action="unlock"`},
		{"fiona", "/courses/histology", `data-action="save"`}, // locked
		{"fiona", "/users/fiona", `data-action="toggle"`},
	} {
		rec := app.page(t, tt.user, tt.path)
		if rec.Code != 200 || strings.Contains(rec.Body.String(), tt.absent) {
			t.Errorf("%s %s: %d, want 200 without %s:\n%s", tt.user, tt.path, rec.Code, tt.absent, rec.Body)
		}
	}
}

func TestXHR(t *testing.T) {
	tests := []struct {
		name, user, path, body string
		status                 int
		contains               string
	}{
		{"faculty save their school's course", "fiona", "/api/courses/anatomy", `{"title": "Gross Anatomy I"}`, 200, `"title":"Gross Anatomy I"`},
		{"a course director teaching in a second school saves its courses", "dirk", "/api/courses/pharmacology", `{"title": "Pharmacology"}`, 200, ""},
		{"a course director unlocks a locked course", "dirk", "/api/courses/histology/unlock", ``, 200, `"locked":false`},
		{"faculty save their school's programs", "fiona", "/api/programs/md", `{"title": "MD"}`, 200, ""},
		{"administrators manage their school's users", "devi", "/api/users/nia", `{"enabled": false}`, 200, `"enabled":false`},
		{"root saves any course", "root", "/api/courses/pharmacology", `{"title": "Pharmacology II"}`, 200, ""},

		{"faculty of one school cannot edit another school's courses", "fiona", "/api/courses/pharmacology", `{"title": "x"}`, 403, ""},
		{"faculty of one school cannot edit another school's programs", "fiona", "/api/programs/bsn", `{"title": "x"}`, 403, ""},
		{"students do not edit courses", "stu", "/api/courses/anatomy", `{"title": "x"}`, 403, ""},
		{"a locked course is not edited", "fiona", "/api/courses/histology", `{"title": "x"}`, 403, ""},
		{"faculty do not unlock courses", "fiona", "/api/courses/histology/unlock", ``, 403, ""},
		{"an archived course never changes", "dirk", "/api/courses/old-physiology", `{"title": "x"}`, 403, ""},
		{"an archived course is never unlocked", "root", "/api/courses/old-physiology/unlock", ``, 403, ""},
		{"administrator access in one school manages no users of another", "dirk", "/api/users/nia", `{"enabled": false}`, 403, ""},
		{"faculty do not manage users, not even themselves", "fiona", "/api/users/fiona", `{"enabled": false}`, 403, ""},
		{"a denied user learns nothing about the body", "stu", "/api/courses/anatomy", `not json`, 403, ""},

		{"not signed in", "", "/api/courses/anatomy", `{"title": "x"}`, 401, ""},
		{"an unknown course", "fiona", "/api/courses/alchemy", `{"title": "x"}`, 404, ""},
		{"a body that is not JSON", "fiona", "/api/courses/anatomy", `title=x`, 400, ""},
		{"a body with an unknown field", "fiona", "/api/courses/anatomy", `{"title": "x", "school": "nursing"}`, 400, ""},
		{"a blank title", "fiona", "/api/courses/anatomy", `{"title": "  "}`, 400, ""},
		{"a user change without enabled", "devi", "/api/users/nia", `{}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A fresh store each: these requests change it.
			app := newTestApp(t)
			rec := app.xhr(t, tt.user, tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("not JSON: %v: %s", err, rec.Body)
			}
			// An error is a JSON object whose sole item is the message, keyed by "error".
			if tt.status >= 400 {
				if msg, ok := v["error"].(string); !ok || msg == "" || len(v) != 1 {
					t.Errorf("error answer %s, want {\"error\": \"...\"} only", rec.Body)
				}
			}
			if tt.contains != "" && !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("answer does not contain %s: %s", tt.contains, rec.Body)
			}
		})
	}
}

func TestSignIn(t *testing.T) {
	app := newTestApp(t)
	if rec := app.page(t, "", "/dashboard"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Errorf("dashboard without a session: %d to %q, want 303 to /login", rec.Code, rec.Header().Get("Location"))
	}
	req := httptest.NewRequest("GET", "/dashboard", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "forged"})
	rec := httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("dashboard with a forged session: %d, want 303", rec.Code)
	}
	for _, form := range []url.Values{
		{"username": {"fiona"}, "password": {"wrong"}},
		{"username": {"nobody"}, "password": {demoPassword}},
		{"username": {"gone"}, "password": {demoPassword}}, // a disabled account
		{},
	} {
		if rec := app.post("/login", form); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "wrong password") {
			t.Errorf("login %v: %d, want 401 with the sign-in page", form, rec.Code)
		}
	}
	// An API request without the XHR header is refused before anything else.
	req = httptest.NewRequest("POST", "/api/courses/anatomy", strings.NewReader(`{"title": "x"}`))
	req.AddCookie(app.session(t, "fiona"))
	rec = httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("API request without X-Requested-With: %d, want 400", rec.Code)
	}
	// Signing out ends the session.
	req = httptest.NewRequest("POST", "/logout", nil)
	req.AddCookie(app.session(t, "fiona"))
	app.h.ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest("GET", "/dashboard", nil)
	req.AddCookie(app.session(t, "fiona"))
	rec = httptest.NewRecorder()
	app.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("dashboard after signing out: %d, want 303", rec.Code)
	}
}
