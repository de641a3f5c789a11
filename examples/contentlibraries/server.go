package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/permc/permc/examples/contentlibraries/libauthz"
	"github.com/permc/permc/runtime"
)

// customRoles are the roles admins defined at run time, as the platform would load
// them from its database.
//
//go:embed roles.json
var customRoles []byte

// Server is the content libraries API.
type Server struct {
	authz *libauthz.Authorizer
	store *Store
	log   *slog.Logger
	now   func() time.Time
}

// NewServer returns a server over store with the custom roles loaded.
func NewServer(store *Store, log *slog.Logger) (*Server, error) {
	a := libauthz.NewAuthorizer()
	if err := a.LoadRolesJSON(customRoles); err != nil {
		return nil, fmt.Errorf("custom roles: %v", err)
	}
	return &Server{authz: a, store: store, log: log, now: time.Now}, nil
}

// Handler routes the API. Every route needs a token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authenticate(h)) }
	const lib = "/api/libraries/v2/{library}"
	route("GET /api/libraries/v2/{$}", s.listLibraries)
	route("GET "+lib+"/{$}", s.getLibrary)
	route("DELETE "+lib+"/{$}", s.deleteLibrary)
	route("POST "+lib+"/blocks/{$}", s.addBlock)
	route("POST "+lib+"/commit/{$}", s.commit)
	return mux
}

// Caller is an authenticated request, as the generated checks take it.
type Caller struct {
	Principal  *libauthz.Principal
	Credential *libauthz.Credential
	Context    *libauthz.Context
}

type callerKey struct{}

func callerOf(r *http.Request) *Caller { return r.Context().Value(callerKey{}).(*Caller) }

// authenticate accepts "Bearer <token>" and puts the request's Caller in its context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		tok, ok := (*Token)(nil), false
		if strings.EqualFold(scheme, "Bearer") && secret != "" {
			tok, ok = s.store.Token(secret)
		}
		var user *User
		if ok {
			user, ok = s.store.User(tok.User)
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="libraries"`)
			writeError(w, http.StatusUnauthorized, `missing, unknown or expired token: want "Bearer <token>"`)
			return
		}
		c := &Caller{
			Principal:  s.principal(user),
			Credential: credential(tok),
			Context:    &libauthz.Context{Time: s.now(), IP: clientIP(r)},
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// credential is what a token narrows. A first-party token keeps every permission of
// its user and narrows nothing but its networks; an application's token is held to its
// scopes, and unlocks nothing when it has none.
func credential(t *Token) *libauthz.Credential {
	if t.FirstParty && len(t.AllowedIPs) == 0 {
		return nil
	}
	c := &libauthz.Credential{Filters: t.Filters, AllowedIPs: t.AllowedIPs, AllPermissions: t.FirstParty}
	if !t.FirstParty {
		c.Scopes = t.Scopes
	}
	return c
}

// principal turns the user's stored grants into role assignments. A grant at a scope
// type the spec does not have grants nothing and is skipped; the generated check
// itself refuses roles that may not be given at a scope.
func (s *Server) principal(u *User) *libauthz.Principal {
	p := &libauthz.Principal{ID: u.ID, IsStaff: u.IsStaff, Orgs: u.Orgs}
	for _, g := range u.Grants {
		role, ok := s.authz.Role(g.Role)
		if !ok {
			s.log.Warn("grant of an unknown role", "user", u.ID, "role", g.Role)
			continue
		}
		var scope libauthz.Scope
		switch g.Scope {
		case "global":
			scope = libauthz.AtGlobal()
		case "org":
			scope = libauthz.AtOrg(g.Org)
		case "org_except":
			scope = libauthz.AtOrgExcept(g.Org, g.Except)
		case "libraries":
			scope = libauthz.AtLibraries(g.Libraries)
		case "tenant":
			scope = libauthz.AtTenant(g.Org)
		default:
			s.log.Warn("grant at an unknown scope type", "user", u.ID, "scope", g.Scope)
			continue
		}
		p.Roles = append(p.Roles, libauthz.Assignment{Role: role, Scope: scope})
	}
	return p
}

// clientIP is the peer's address, or "" when it does not parse (which a token held to
// some networks refuses).
func clientIP(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return ap.Addr().Unmap().String()
}

func resource(l *Library) *libauthz.Library {
	return &libauthz.Library{ID: l.ID, Org: l.Org, Public: l.Public, Tags: l.Tags}
}

func (s *Server) check(r *http.Request, perm libauthz.LibraryPermission, l *Library) runtime.Decision {
	c := callerOf(r)
	return s.authz.CheckLibrary(c.Principal, perm, resource(l), c.Credential, c.Context)
}

// allowed reports whether d allows, and otherwise answers 403 with the reason kind.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, d runtime.Decision) bool {
	if len(d.Errors) > 0 || len(d.Warnings) > 0 {
		s.log.Warn("authorization diagnostics", "path", r.URL.Path, "errors", d.Errors, "warnings", d.Warnings)
	}
	if d.Allowed {
		return true
	}
	s.log.Info("denied", "path", r.URL.Path, "user", callerOf(r).Principal.ID,
		"permission", d.Permission, "reason", d.Reason.Kind.String(), "rule", d.Reason.Rule)
	writeJSON(w, http.StatusForbidden, map[string]string{
		"error":      "permission denied",
		"permission": d.Permission,
		"reason":     d.Reason.Kind.String(),
	})
	return false
}

// library looks the URL's library up and checks perm on it.
func (s *Server) library(w http.ResponseWriter, r *http.Request, perm libauthz.LibraryPermission) (*Library, bool) {
	l, ok := s.store.Library(r.PathValue("library"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such library")
		return nil, false
	}
	return l, s.allowed(w, r, s.check(r, perm, l))
}

// listLibraries lists the libraries the caller may view, or, with ?permission=, those
// it may take that permission on (?permission=library.edit: what may I edit?).
func (s *Server) listLibraries(w http.ResponseWriter, r *http.Request) {
	perm := libauthz.LibraryView
	if name := r.URL.Query().Get("permission"); name != "" {
		p, ok := libauthz.LibraryPermissionByName(name)
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("permission %q is not a permission of libraries (%v)", name, libraryPermissions))
			return
		}
		perm = p
	}
	// One plan for the caller, then one test per library: the condition a library must
	// meet is worked out once, not re-derived from the role assignments for every row.
	// A service backed by a database hands plan.SQL(...) to its query as the WHERE
	// clause instead, and gets only those rows back.
	c := callerOf(r)
	plan := s.authz.PlanLibrary(c.Principal, perm, c.Credential, c.Context)
	if len(plan.Warnings) > 0 {
		s.log.Warn("authorization diagnostics", "path", r.URL.Path, "warnings", plan.Warnings)
	}
	type item struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Org   string `json:"org"`
	}
	out := []item{}
	for _, l := range s.store.Libraries() {
		if plan.Allows(resource(l)) {
			out = append(out, item{l.ID, l.Title, l.Org})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": perm.String(), "results": out})
}

// libraryPermissions are the permissions a list may be filtered by.
var libraryPermissions = []libauthz.LibraryPermission{libauthz.LibraryView, libauthz.LibraryEdit, libauthz.LibraryPublish, libauthz.LibraryDelete}

// getLibrary answers the library and what the caller may do to it.
func (s *Server) getLibrary(w http.ResponseWriter, r *http.Request) {
	l, ok := s.library(w, r, libauthz.LibraryView)
	if !ok {
		return
	}
	c := callerOf(r)
	may := []string{}
	for _, p := range s.authz.LibraryPermissions(c.Principal, resource(l), c.Credential, c.Context).Permissions() {
		may = append(may, p.String())
	}
	writeJSON(w, http.StatusOK, map[string]any{"library": l, "permissions": may})
}

var blockTypes = map[string]bool{"problem": true, "html": true, "video": true}

func (s *Server) addBlock(w http.ResponseWriter, r *http.Request) {
	l, ok := s.library(w, r, libauthz.LibraryEdit)
	if !ok {
		return
	}
	var b Block
	if !decodeBody(w, r, &b) {
		return
	}
	if !blockTypes[b.Type] || b.ID == "" || len(b.ID) > 64 {
		writeError(w, http.StatusBadRequest, `"block_type" must be problem, html or video, and "definition_id" 1 to 64 bytes`)
		return
	}
	l, ok = s.store.Update(l.ID, func(l *Library) bool { l.Blocks = append(l.Blocks, b); return true })
	if !ok {
		writeError(w, http.StatusNotFound, "no such library")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"library": l})
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	l, ok := s.library(w, r, libauthz.LibraryPublish)
	if !ok {
		return
	}
	l, ok = s.store.Update(l.ID, func(l *Library) bool { l.Published = len(l.Blocks); return true })
	if !ok {
		writeError(w, http.StatusNotFound, "no such library")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"library": l})
}

func (s *Server) deleteLibrary(w http.ResponseWriter, r *http.Request) {
	if l, ok := s.library(w, r, libauthz.LibraryDelete); ok {
		s.store.Delete(l.ID)
		w.WriteHeader(http.StatusNoContent)
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
