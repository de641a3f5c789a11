package main

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/permc/permc/examples/commcare/hqauthz"
)

// Caller is an authenticated request: the user, and what the generated checks take.
type Caller struct {
	User       *User
	Principal  *hqauthz.Principal
	Credential *hqauthz.Credential
	Context    *hqauthz.Context
	// Via names the key or grant, for the log.
	Via string
}

type callerKey struct{}

func callerOf(r *http.Request) *Caller { return r.Context().Value(callerKey{}).(*Caller) }

// authenticate accepts "ApiKey <username>:<key>" and "Bearer <OAuth access token>",
// and puts the request's Caller in its context. Anything else is 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, msg := s.caller(r)
		if caller == nil {
			w.Header().Set("WWW-Authenticate", `ApiKey realm="api", Bearer realm="api"`)
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, caller)))
	})
}

func (s *Server) caller(r *http.Request) (*Caller, string) {
	scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	var userID, via string
	var cred *hqauthz.Credential
	switch strings.ToLower(scheme) {
	case "apikey":
		username, secret, ok := strings.Cut(strings.TrimSpace(rest), ":")
		if !ok || username == "" || secret == "" {
			return nil, `malformed ApiKey: want "ApiKey <username>:<key>"`
		}
		key, found := s.store.Key(secret)
		if !found || key.User != username {
			return nil, "unknown or revoked API key"
		}
		userID, via, cred = key.User, "api key "+key.Name, keyCredential(key)
	case "bearer":
		grant, found := s.store.Grant(strings.TrimSpace(rest))
		if !found {
			return nil, "unknown or expired access token"
		}
		userID, via = grant.User, "oauth "+grant.Application
		// A grant without scopes unlocks nothing.
		cred = &hqauthz.Credential{Scopes: grant.Scopes, Filters: projectFilters(grant.Projects)}
	default:
		return nil, `missing or unsupported Authorization: want "ApiKey <username>:<key>" or "Bearer <token>"`
	}
	user, ok := s.store.User(userID)
	if !ok {
		return nil, "the key's user no longer exists"
	}
	return &Caller{
		User:       user,
		Principal:  s.principal(user),
		Credential: cred,
		Context:    &hqauthz.Context{IP: clientIP(r)},
		Via:        via,
	}, ""
}

// keyCredential is what an API key's limits narrow. A key limited neither to
// permissions nor to a role (a legacy key) keeps every permission of its user.
func keyCredential(k *APIKey) *hqauthz.Credential {
	c := &hqauthz.Credential{AllowedIPs: k.AllowedIPs, Filters: projectFilters(k.Projects), Permissions: k.Permissions}
	if k.Role != "" {
		c.Roles = []string{k.Role}
	}
	c.AllPermissions = k.Permissions == nil && k.Role == ""
	if k.Projects != nil && len(k.Projects) == 0 {
		// Limited to no project at all: no filter could say so, so unlock nothing.
		c.AllPermissions = false
		c.Permissions = nil
	}
	return c
}

func projectFilters(projects []string) []string {
	var out []string
	for _, p := range projects {
		out = append(out, "project:"+p)
	}
	return out
}

// principal gives the user's memberships to the generated checks. A membership whose
// role no longer exists (a deleted custom role) grants nothing and is skipped.
func (s *Server) principal(u *User) *hqauthz.Principal {
	p := &hqauthz.Principal{ID: u.ID, Superuser: u.Superuser}
	for _, m := range u.Memberships {
		role, ok := s.authz.Role(m.Role)
		if !ok {
			s.log.Warn("membership names an unknown role", "user", u.ID, "role", m.Role, "project", m.Project)
			continue
		}
		scope := hqauthz.AtProject(m.Project)
		if m.Reports != nil {
			scope = hqauthz.AtReports(m.Project, m.Reports)
		}
		p.Roles = append(p.Roles, hqauthz.Assignment{Role: role, Scope: scope})
	}
	return p
}

// clientIP is the peer's address. Behind a reverse proxy, take it from the header
// the proxy sets instead, and only from that proxy. An address that does not parse
// becomes "", which a key with an allowlist refuses.
func clientIP(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return ap.Addr().Unmap().String()
}
