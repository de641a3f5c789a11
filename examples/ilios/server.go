package main

import (
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/permc/permc/examples/ilios/iliosauthz"
	"github.com/permc/permc/runtime"
)

// Server is the curriculum application: dashboards, course and user pages, and the
// XHR handlers its pages call.
type Server struct {
	authz    *iliosauthz.Authorizer
	store    *Store
	sessions *Sessions
	log      *slog.Logger
}

// NewServer returns a server over store.
func NewServer(store *Store, log *slog.Logger) *Server {
	return &Server{authz: iliosauthz.NewAuthorizer(), store: store, sessions: newSessions(), log: log}
}

// Handler routes the application. Pages answer HTML; the /api/ handlers are XHR only
// and answer JSON.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.Handle("GET /dashboard", s.signedIn(s.dashboard))
	mux.Handle("GET /courses/{course}", s.signedIn(s.coursePage))
	mux.Handle("GET /users/{user}", s.signedIn(s.userPage))
	mux.Handle("POST /api/courses/{course}", xhrOnly(s.signedIn(s.saveCourse)))
	mux.Handle("POST /api/courses/{course}/unlock", xhrOnly(s.signedIn(s.unlockCourse)))
	mux.Handle("POST /api/programs/{program}", xhrOnly(s.signedIn(s.saveProgram)))
	mux.Handle("POST /api/users/{user}", xhrOnly(s.signedIn(s.saveUser)))
	return mux
}

// xhrOnly refuses /api/ requests the application's JavaScript did not send. Browsers
// do not let another site set the header, so this also keeps cross-site forms out.
func xhrOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isXHR(r) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "This address answers XHR requests only."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowed reports whether d allows; otherwise it answers as the application always
// did: 403 {"error": "..."} to an XHR handler, the "Access denied" page to a full page.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, d runtime.Decision) bool {
	if len(d.Errors) > 0 || len(d.Warnings) > 0 {
		s.log.Warn("authorization diagnostics", "path", r.URL.Path, "errors", d.Errors, "warnings", d.Warnings)
	}
	if d.Allowed {
		return true
	}
	s.log.Info("denied", "path", r.URL.Path, "user", sessionOf(r).Account.ID,
		"permission", d.Permission, "reason", d.Reason.Kind.String(), "rule", d.Reason.Rule)
	if isXHR(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "You do not have access to this."})
		return false
	}
	render(w, http.StatusForbidden, "denied", nil)
	return false
}

func notFound(w http.ResponseWriter, r *http.Request, what string) {
	if isXHR(r) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "No such " + what + "."})
		return
	}
	render(w, http.StatusNotFound, "notfound", what)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, "login", "")
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		render(w, http.StatusBadRequest, "login", "The form could not be read.")
		return
	}
	acct, ok := s.store.Authenticate(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		render(w, http.StatusUnauthorized, "login", "Unknown user or wrong password.")
		return
	}
	id, err := s.sessions.Start(&Session{Account: acct, Principal: s.principal(acct)})
	if err != nil {
		http.Error(w, "could not start a session", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.End(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// dashboard shows the instructor dashboard of a school to those with instructor
// access there, the learner dashboard to its learners, and "Access denied" to others.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	school := r.URL.Query().Get("school")
	if school == "" {
		school = sess.Account.School
	}
	name, ok := s.store.School(school)
	if !ok {
		notFound(w, r, "school")
		return
	}
	res := &iliosauthz.School{ID: school}
	perms := s.authz.SchoolPermissions(sess.Principal, res, nil, nil)
	page := struct {
		User, School, SchoolName string
		Instructor               bool
		Courses                  []*Course
		Schools                  []string
	}{sess.Account.Name, school, name, false, s.store.Courses(school), s.store.Schools()}
	switch {
	case perms.Has(iliosauthz.SchoolViewInstructorDashboard):
		page.Instructor = true
	case perms.Has(iliosauthz.SchoolViewLearnerDashboard):
	default:
		// Ask once more for the decision, to log why and answer as every denial does.
		s.allowed(w, r, s.authz.CheckSchool(sess.Principal, iliosauthz.SchoolViewLearnerDashboard, res, nil, nil))
		return
	}
	render(w, http.StatusOK, "dashboard", page)
}

func courseResource(c *Course) *iliosauthz.Course {
	return &iliosauthz.Course{ID: c.ID, School: c.School, Locked: c.Locked, Archived: c.Archived}
}

// coursePage shows a course, with only the actions the user may take.
func (s *Server) coursePage(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	c, ok := s.store.Course(r.PathValue("course"))
	if !ok {
		notFound(w, r, "course")
		return
	}
	res := courseResource(c)
	if !s.allowed(w, r, s.authz.CheckCourse(sess.Principal, iliosauthz.CourseView, res, nil, nil)) {
		return
	}
	may := s.authz.CoursePermissions(sess.Principal, res, nil, nil)
	render(w, http.StatusOK, "course", struct {
		Course                       *Course
		CanEdit, CanUnlock, CanOffer bool
	}{c, may.Has(iliosauthz.CourseEdit), may.Has(iliosauthz.CourseUnlock), may.Has(iliosauthz.CourseManageOfferings)})
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	a, ok := s.store.Account(r.PathValue("user"))
	if !ok {
		notFound(w, r, "user")
		return
	}
	res := &iliosauthz.User{ID: a.ID, School: a.School}
	if !s.allowed(w, r, s.authz.CheckUser(sess.Principal, iliosauthz.UserView, res, nil, nil)) {
		return
	}
	render(w, http.StatusOK, "user", struct {
		Account *Account
		CanEdit bool
	}{a, s.authz.CheckUser(sess.Principal, iliosauthz.UserEdit, res, nil, nil).Allowed})
}

// saveCourse is the XHR handler behind the course editor's Save button.
func (s *Server) saveCourse(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	c, ok := s.store.Course(r.PathValue("course"))
	if !ok {
		notFound(w, r, "course")
		return
	}
	if !s.allowed(w, r, s.authz.CheckCourse(sess.Principal, iliosauthz.CourseEdit, courseResource(c), nil, nil)) {
		return
	}
	var body struct {
		Title string `json:"title"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Title = strings.TrimSpace(body.Title); body.Title == "" || len(body.Title) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "A course needs a title of at most 200 bytes."})
		return
	}
	// Check again against the course as it is now, under the store's lock: another
	// request may have locked or archived it since the first check.
	var d runtime.Decision
	c, ok = s.store.UpdateCourse(c.ID, func(c *Course) {
		if d = s.authz.CheckCourse(sess.Principal, iliosauthz.CourseEdit, courseResource(c), nil, nil); d.Allowed {
			c.Title = body.Title
		}
	})
	if !ok {
		notFound(w, r, "course")
		return
	}
	if s.allowed(w, r, d) {
		writeJSON(w, http.StatusOK, map[string]any{"course": c})
	}
}

func (s *Server) unlockCourse(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	c, ok := s.store.Course(r.PathValue("course"))
	if !ok {
		notFound(w, r, "course")
		return
	}
	if !s.allowed(w, r, s.authz.CheckCourse(sess.Principal, iliosauthz.CourseUnlock, courseResource(c), nil, nil)) {
		return
	}
	c, _ = s.store.UpdateCourse(c.ID, func(c *Course) { c.Locked = false })
	writeJSON(w, http.StatusOK, map[string]any{"course": c})
}

func (s *Server) saveProgram(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	p, ok := s.store.Program(r.PathValue("program"))
	if !ok {
		notFound(w, r, "program")
		return
	}
	res := &iliosauthz.Program{ID: p.ID, School: p.School}
	if !s.allowed(w, r, s.authz.CheckProgram(sess.Principal, iliosauthz.ProgramEdit, res, nil, nil)) {
		return
	}
	var body struct {
		Title string `json:"title"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Title = strings.TrimSpace(body.Title); body.Title == "" || len(body.Title) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "A program needs a title of at most 200 bytes."})
		return
	}
	p, _ = s.store.RenameProgram(p.ID, body.Title)
	writeJSON(w, http.StatusOK, map[string]any{"program": p})
}

// saveUser enables or disables an account: user management, for administrators.
func (s *Server) saveUser(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	a, ok := s.store.Account(r.PathValue("user"))
	if !ok {
		notFound(w, r, "user")
		return
	}
	res := &iliosauthz.User{ID: a.ID, School: a.School}
	if !s.allowed(w, r, s.authz.CheckUser(sess.Principal, iliosauthz.UserEdit, res, nil, nil)) {
		return
	}
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Enabled == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `"enabled" (true or false) is required.`})
		return
	}
	s.store.SetEnabled(a.ID, *body.Enabled)
	a.Enabled = *body.Enabled
	writeJSON(w, http.StatusOK, map[string]any{"user": a})
}

// decodeBody reads a small JSON object into dst, answering 400 {"error": ...} when it
// cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Malformed JSON body: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!doctype html><html><head><meta charset="utf-8"><title>{{.}} - Curriculum</title></head><body>{{end}}
{{define "bottom"}}</body></html>{{end}}

{{define "login"}}{{template "top" "Sign in"}}
<h1>Sign in</h1>{{if .}}<p role="alert">{{.}}</p>{{end}}
<form method="post" action="/login">
<label>User <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button>Sign in</button></form>{{template "bottom"}}{{end}}

{{define "denied"}}{{template "top" "Access denied"}}
<h1>Access denied</h1><p>You do not have access to this page.</p><p><a href="/dashboard">Back to your dashboard</a></p>{{template "bottom"}}{{end}}

{{define "notfound"}}{{template "top" "Not found"}}
<h1>Not found</h1><p>No such {{.}}.</p>{{template "bottom"}}{{end}}

{{define "dashboard"}}{{template "top" "Dashboard"}}
<h1>{{if .Instructor}}Instructor{{else}}Learner{{end}} dashboard: {{.SchoolName}}</h1>
<p>Signed in as {{.User}}. <form method="post" action="/logout"><button>Sign out</button></form></p>
<h2>{{if .Instructor}}Courses you can manage{{else}}Your calendar{{end}}</h2>
<ul>{{range .Courses}}<li><a href="/courses/{{.ID}}">{{.Title}}</a></li>{{end}}</ul>
<p>Schools: {{range .Schools}}<a href="/dashboard?school={{.}}">{{.}}</a> {{end}}</p>{{template "bottom"}}{{end}}

{{define "course"}}{{template "top" .Course.Title}}
<h1>{{.Course.Title}}</h1>
<p>School: {{.Course.School}}{{if .Course.Locked}}, locked{{end}}{{if .Course.Archived}}, archived{{end}}</p>
{{if .CanEdit}}<button data-action="save">Save</button>{{end}}
{{if .CanOffer}}<button data-action="offerings">Offerings</button>{{end}}
{{if .CanUnlock}}{{if .Course.Locked}}<button data-action="unlock">Unlock</button>{{end}}{{end}}
{{template "bottom"}}{{end}}

{{define "user"}}{{template "top" .Account.Name}}
<h1>{{.Account.Name}}</h1><p>School: {{.Account.School}}. {{if .Account.Enabled}}Enabled{{else}}Disabled{{end}}.</p>
{{if .CanEdit}}<button data-action="toggle">{{if .Account.Enabled}}Disable{{else}}Enable{{end}}</button>{{end}}
{{template "bottom"}}{{end}}
`))

func render(w http.ResponseWriter, status int, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, page, data); err != nil {
		// The status line is out; all that is left is to stop writing.
		slog.Error("rendering a page", "page", page, "err", err)
	}
}
