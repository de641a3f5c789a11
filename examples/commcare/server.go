package main

import (
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/permc/permc/examples/commcare/hqauthz"
	"github.com/permc/permc/runtime"
)

// customRoles are the roles project admins defined, as the platform would load them
// from its database.
//
//go:embed roles.json
var customRoles []byte

// Server is the data API of the platform: apps, cases, users and reports per project,
// and an identity endpoint.
type Server struct {
	authz *hqauthz.Authorizer
	store *Store
	log   *slog.Logger
}

// NewServer returns a server over store with the custom roles loaded.
func NewServer(store *Store, log *slog.Logger) (*Server, error) {
	a := hqauthz.NewAuthorizer()
	if err := a.LoadRolesJSON(customRoles); err != nil {
		return nil, fmt.Errorf("custom roles: %v", err)
	}
	return &Server{authz: a, store: store, log: log}, nil
}

// Handler routes the API. Every route needs a key or token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authenticate(h)) }
	const api = "/a/{project}/api/v1"
	route("GET "+api+"/application/{$}", s.listApps)
	route("GET "+api+"/case/{$}", s.listCases)
	route("POST "+api+"/case/{$}", s.createCase)
	route("GET "+api+"/user/{$}", s.listUsers)
	route("GET "+api+"/report/{report}/{$}", s.getReport)
	route("GET "+api+"/report/{report}/export/{$}", s.exportReport)
	route("GET /api/v1/identity/{$}", s.identity)
	return mux
}

// allowed reports whether d allows, and otherwise answers 403 with the reason kind.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, d runtime.Decision) bool {
	c := callerOf(r)
	if len(d.Errors) > 0 || len(d.Warnings) > 0 {
		s.log.Warn("authorization diagnostics", "path", r.URL.Path, "user", c.User.ID, "errors", d.Errors, "warnings", d.Warnings)
	}
	if d.Allowed {
		return true
	}
	s.log.Info("denied", "path", r.URL.Path, "user", c.User.ID, "via", c.Via,
		"permission", d.Permission, "reason", d.Reason.Kind.String(), "rule", d.Reason.Rule)
	writeJSON(w, http.StatusForbidden, map[string]string{
		"error":      "permission denied",
		"permission": d.Permission,
		"reason":     d.Reason.Kind.String(),
	})
	return false
}

// project looks the URL's project up (404 when there is none) and checks perm on it.
func (s *Server) project(w http.ResponseWriter, r *http.Request, perm hqauthz.ProjectPermission) (*Project, bool) {
	p, ok := s.store.Project(r.PathValue("project"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such project")
		return nil, false
	}
	c := callerOf(r)
	return p, s.allowed(w, r, s.authz.CheckProject(c.Principal, perm, &hqauthz.Project{ID: p.ID}, c.Credential, c.Context))
}

// report looks the URL's report up in the URL's project and checks perm on it.
func (s *Server) report(w http.ResponseWriter, r *http.Request, perm hqauthz.ReportPermission) (*Report, bool) {
	rep, ok := s.store.Report(r.PathValue("report"))
	if !ok || rep.Project != r.PathValue("project") {
		writeError(w, http.StatusNotFound, "no such report in this project")
		return nil, false
	}
	c := callerOf(r)
	res := &hqauthz.Report{ID: rep.ID, Project: rep.Project}
	return rep, s.allowed(w, r, s.authz.CheckReport(c.Principal, perm, res, c.Credential, c.Context))
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.project(w, r, hqauthz.ProjectViewApps); ok {
		writeJSON(w, http.StatusOK, map[string]any{"objects": p.Apps})
	}
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.project(w, r, hqauthz.ProjectViewData); ok {
		writeJSON(w, http.StatusOK, map[string]any{"objects": p.Cases})
	}
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request) {
	p, ok := s.project(w, r, hqauthz.ProjectEditData)
	if !ok {
		return
	}
	var body struct {
		Type string `json:"case_type"`
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Type == "" || body.Name == "" || len(body.Type) > 64 || len(body.Name) > 255 {
		writeError(w, http.StatusBadRequest, `"case_type" (at most 64 bytes) and "name" (at most 255) are required`)
		return
	}
	writeJSON(w, http.StatusCreated, s.store.AddCase(p.ID, body.Type, body.Name))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := s.project(w, r, hqauthz.ProjectViewUsers)
	if !ok {
		return
	}
	type user struct {
		ID   string `json:"username"`
		Name string `json:"name"`
	}
	out := []user{}
	for _, u := range s.store.ProjectUsers(p.ID) {
		out = append(out, user{u.ID, u.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"objects": out})
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.report(w, r, hqauthz.ReportView); ok {
		writeJSON(w, http.StatusOK, map[string]any{"id": rep.ID, "title": rep.Title, "rows": rep.Rows})
	}
}

func (s *Server) exportReport(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.report(w, r, hqauthz.ReportExport)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", rep.ID+".csv"))
	_ = csv.NewWriter(w).WriteAll(rep.Rows)
}

// identity confirms who the caller is: the identity access a sign-in integration needs,
// and nothing more.
func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	d := s.authz.CheckAccount(c.Principal, hqauthz.AccountReadIdentity, &hqauthz.Account{ID: c.User.ID}, c.Credential, c.Context)
	if s.allowed(w, r, d) {
		writeJSON(w, http.StatusOK, map[string]string{"username": c.User.ID, "name": c.User.Name, "email": c.User.Email})
	}
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
