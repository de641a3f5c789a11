package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/permc/permc/examples/enterprise/entauthz"
	"github.com/permc/permc/runtime"
)

// Server is the enterprise API: enterprises, their learners' records, and the
// third-party-auth user mapping.
type Server struct {
	authz    *entauthz.Authorizer
	verifier *Verifier
	store    *Store
	log      *slog.Logger
}

// NewServer returns a server that trusts tokens v accepts.
func NewServer(v *Verifier, store *Store, log *slog.Logger) *Server {
	return &Server{authz: entauthz.NewAuthorizer(), verifier: v, store: store, log: log}
}

// Handler routes the API. Every route needs a token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authenticate(h)) }
	const ent = "/api/enterprise/v1/enterprises/{enterprise}"
	route("GET "+ent, s.getEnterprise)
	route("GET "+ent+"/learners", s.listLearners)
	route("POST "+ent+"/learners", s.linkLearner)
	route("GET "+ent+"/invoices", s.listInvoices)
	route("GET "+ent+"/learners/{user}/enrollments", s.listEnrollments)
	route("POST "+ent+"/learners/{user}/enrollments", s.enroll)
	route("GET "+ent+"/learners/{user}/grades", s.getGrades)
	route("GET /api/third_party_auth/v0/providers/{provider_id}/users", s.providerUsers)
	return mux
}

type callerKey struct{}

// authenticate verifies the request's JWT and puts its Caller in the request's
// context. A request without a valid token goes no further.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := tokenOf(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `JWT realm="enterprise"`)
			writeError(w, http.StatusUnauthorized, `missing or malformed Authorization header: want "JWT <token>"`)
			return
		}
		claims, err := s.verifier.Verify(raw)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `JWT realm="enterprise", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid token: "+err.Error())
			return
		}
		caller, err := callerFromClaims(s.authz, claims)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `JWT realm="enterprise", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid token: "+err.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, caller)))
	})
}

// tokenOf takes the token from "JWT <token>" (the platform's scheme) or
// "Bearer <token>".
func tokenOf(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !(strings.EqualFold(scheme, "JWT") || strings.EqualFold(scheme, "Bearer")) {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func callerOf(r *http.Request) *Caller { return r.Context().Value(callerKey{}).(*Caller) }

// allowed reports whether d allows, and otherwise answers 403. The reason kind goes
// to the client (a "credential" denial tells an OAuth client its token is too
// narrow); rule and role names stay in the log.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, d runtime.Decision) bool {
	if len(d.Errors) > 0 || len(d.Warnings) > 0 {
		s.log.Warn("authorization diagnostics", "path", r.URL.Path, "permission", d.Permission,
			"errors", d.Errors, "warnings", d.Warnings)
	}
	if d.Allowed {
		return true
	}
	s.log.Info("denied", "path", r.URL.Path, "subject", callerOf(r).Principal.ID,
		"permission", d.Permission, "reason", d.Reason.Kind.String(), "rule", d.Reason.Rule)
	writeJSON(w, http.StatusForbidden, map[string]string{
		"error":      "permission denied",
		"permission": d.Permission,
		"reason":     d.Reason.Kind.String(),
	})
	return false
}

// Resources are looked up before the check, so an unknown one answers 404 to
// whoever asks. Services that must hide which ids exist answer 404 for denials too.

func (s *Server) enterprise(w http.ResponseWriter, r *http.Request, perm entauthz.EnterprisePermission) (*Enterprise, bool) {
	e, ok := s.store.Enterprise(r.PathValue("enterprise"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such enterprise")
		return nil, false
	}
	c := callerOf(r)
	d := s.authz.CheckEnterprise(c.Principal, perm, &entauthz.Enterprise{ID: e.ID}, c.Credential, nil)
	return e, s.allowed(w, r, d)
}

func (s *Server) learner(w http.ResponseWriter, r *http.Request, perm entauthz.LearnerPermission) (enterprise string, l *Link, ok bool) {
	enterprise = r.PathValue("enterprise")
	l, ok = s.store.Link(enterprise, r.PathValue("user"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such learner in this enterprise")
		return "", nil, false
	}
	c := callerOf(r)
	res := &entauthz.Learner{ID: enterprise + "/" + l.User, Enterprise: enterprise, User: l.User, Consented: l.Consented}
	return enterprise, l, s.allowed(w, r, s.authz.CheckLearner(c.Principal, perm, res, c.Credential, nil))
}

// getEnterprise answers the enterprise and what the caller may do there, so that a
// user interface shows only those actions.
func (s *Server) getEnterprise(w http.ResponseWriter, r *http.Request) {
	e, ok := s.enterprise(w, r, entauthz.EnterpriseView)
	if !ok {
		return
	}
	c := callerOf(r)
	may := []string{}
	for _, p := range s.authz.EnterprisePermissions(c.Principal, &entauthz.Enterprise{ID: e.ID}, c.Credential, nil).Permissions() {
		may = append(may, p.String())
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": e.ID, "name": e.Name, "permissions": may})
}

func (s *Server) listLearners(w http.ResponseWriter, r *http.Request) {
	e, ok := s.enterprise(w, r, entauthz.EnterpriseViewLearners)
	if !ok {
		return
	}
	type learner struct {
		User      string `json:"user"`
		Consented bool   `json:"data_sharing_consent"`
	}
	out := []learner{}
	for _, l := range s.store.Links(e.ID) {
		out = append(out, learner{l.User, l.Consented})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (s *Server) linkLearner(w http.ResponseWriter, r *http.Request) {
	e, ok := s.enterprise(w, r, entauthz.EnterpriseManageLearners)
	if !ok {
		return
	}
	var body struct {
		User string `json:"user"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.User == "" {
		writeError(w, http.StatusBadRequest, `"user" is required`)
		return
	}
	if !s.store.AddLink(e.ID, body.User) {
		writeError(w, http.StatusConflict, "the user is already linked to this enterprise")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"enterprise": e.ID, "user": body.User})
}

func (s *Server) listInvoices(w http.ResponseWriter, r *http.Request) {
	e, ok := s.enterprise(w, r, entauthz.EnterpriseViewInvoices)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": e.Invoices})
}

func (s *Server) listEnrollments(w http.ResponseWriter, r *http.Request) {
	_, l, ok := s.learner(w, r, entauthz.LearnerViewEnrollments)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": l.User, "enrollments": l.Enrollments})
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	enterprise, l, ok := s.learner(w, r, entauthz.LearnerEnroll)
	if !ok {
		return
	}
	var body struct {
		CourseRun string `json:"course_run"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if !strings.HasPrefix(body.CourseRun, "course-v1:") {
		writeError(w, http.StatusBadRequest, `"course_run" must be a course run key such as "course-v1:Org+Course+Run"`)
		return
	}
	s.store.Enroll(enterprise, l.User, body.CourseRun)
	writeJSON(w, http.StatusCreated, map[string]string{"user": l.User, "course_run": body.CourseRun})
}

func (s *Server) getGrades(w http.ResponseWriter, r *http.Request) {
	_, l, ok := s.learner(w, r, entauthz.LearnerViewGrades)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": l.User, "grades": l.Grades})
}

// providerUsers maps a provider's users: GET
// /api/third_party_auth/v0/providers/{provider_id}/users, optionally narrowed with
// ?username=a,b.
func (s *Server) providerUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := s.store.Provider(r.PathValue("provider_id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such provider")
		return
	}
	c := callerOf(r)
	d := s.authz.CheckTpaProvider(c.Principal, entauthz.TpaProviderListUsers,
		&entauthz.TpaProvider{ID: p.ID, Enterprise: p.Enterprise}, c.Credential, nil)
	if !s.allowed(w, r, d) {
		return
	}
	var want []string
	if q := r.URL.Query().Get("username"); q != "" {
		want = strings.Split(q, ",")
	}
	type mapping struct {
		Username string `json:"username"`
		RemoteID string `json:"remote_id"`
	}
	out := []mapping{}
	for username, remote := range p.Users {
		if want == nil || slices.Contains(want, username) {
			out = append(out, mapping{username, remote})
		}
	}
	slices.SortFunc(out, func(a, b mapping) int { return strings.Compare(a.Username, b.Username) })
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

// decodeBody reads a small JSON object into dst, answering 400 when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
