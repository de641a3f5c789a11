package main

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// User is a web user of the platform.
type User struct {
	ID        string
	Name      string
	Email     string
	Superuser bool
	// Memberships are the user's roles, one per project (or per group of reports).
	Memberships []Membership
}

// Membership gives a user a role in a project. A role limited to some reports lists
// them in Reports.
type Membership struct {
	Role    string
	Project string
	Reports []string
}

// APIKey is a user's API key. Only the SHA-256 of its secret is stored. The limits are
// optional: a key without any (every key made before limits existed) has the user's
// full access.
type APIKey struct {
	Name string
	User string
	// Projects limits the key to these projects; nil means every project.
	Projects []string
	// Permissions limits the key to these permissions (patterns such as
	// "project.view_apps" or "report.*"); nil means not limited.
	Permissions []string
	// Role limits the key to the permissions of one role; "" means not limited.
	Role string
	// AllowedIPs lists the networks (CIDR) the key works from; empty means anywhere.
	AllowedIPs []string
}

// OAuthGrant is an access token an OAuth application holds for a user.
type OAuthGrant struct {
	Application string
	User        string
	Scopes      []string
	Projects    []string
}

// Project is a project space with its data.
type Project struct {
	ID    string
	Apps  []App
	Cases []Case
}

// App is a mobile application built in a project.
type App struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Case is one tracked case (a household, a patient) and its properties.
type Case struct {
	ID   string `json:"case_id"`
	Type string `json:"case_type"`
	Name string `json:"name"`
}

// Report is a saved report with its rows.
type Report struct {
	ID      string
	Project string
	Title   string
	Rows    [][]string
}

// Store holds the service's data in memory; its mutex guards every field.
type Store struct {
	mu       sync.Mutex
	users    map[string]*User
	keys     map[[32]byte]*APIKey
	grants   map[[32]byte]*OAuthGrant
	projects map[string]*Project
	reports  map[string]*Report
	nextCase int
}

func hashSecret(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// demoStore is the data `go run` serves and the tests use: the people and projects of
// the spec's test suite, and one key of each kind. The secrets are printed by the demo;
// never put real secrets in source.
func demoStore() *Store {
	s := &Store{
		users: map[string]*User{
			"wanda": {ID: "wanda", Name: "Wanda Mwangi", Email: "wanda@example.org", Memberships: []Membership{
				{Role: "admin", Project: "malaria-tz"},
				{Role: "report_viewer", Project: "nutrition-ke"},
			}},
			"ed":   {ID: "ed", Name: "Ed Okafor", Email: "ed@example.org", Memberships: []Membership{{Role: "app_editor", Project: "malaria-tz"}}},
			"dami": {ID: "dami", Name: "Dami Adeyemi", Email: "dami@example.org", Memberships: []Membership{{Role: "data_manager", Project: "nutrition-ke"}}},
			"rita": {ID: "rita", Name: "Rita Achieng", Email: "rita@example.org", Memberships: []Membership{
				{Role: "report_viewer", Project: "nutrition-ke", Reports: []string{"ke-weekly"}},
			}},
			"sam":     {ID: "sam", Name: "Sam Mushi", Email: "sam@example.org", Memberships: []Membership{{Role: "field_supervisor", Project: "malaria-tz"}}},
			"support": {ID: "support", Name: "Support", Email: "support@example.org", Superuser: true},
		},
		keys:   map[[32]byte]*APIKey{},
		grants: map[[32]byte]*OAuthGrant{},
		projects: map[string]*Project{
			"malaria-tz": {ID: "malaria-tz",
				Apps:  []App{{ID: "app-bednets", Name: "Bed net distribution", Version: 14}},
				Cases: []Case{{ID: "c-1", Type: "household", Name: "Household 17, Kilombero"}}},
			"nutrition-ke": {ID: "nutrition-ke",
				Apps:  []App{{ID: "app-growth", Name: "Growth monitoring", Version: 7}},
				Cases: []Case{{ID: "c-2", Type: "child", Name: "Child 0412"}}},
		},
		reports: map[string]*Report{
			"tz-monthly": {ID: "tz-monthly", Project: "malaria-tz", Title: "Monthly distribution", Rows: [][]string{{"Kilombero", "412"}, {"Ulanga", "380"}}},
			"ke-weekly":  {ID: "ke-weekly", Project: "nutrition-ke", Title: "Weekly visits", Rows: [][]string{{"week 46", "1204"}}},
			"ke-finance": {ID: "ke-finance", Project: "nutrition-ke", Title: "Budget", Rows: [][]string{{"Q4", "18400"}}},
		},
		nextCase: 3,
	}
	for secret, k := range demoKeys {
		s.keys[hashSecret(secret)] = k
	}
	for secret, g := range demoGrants {
		s.grants[hashSecret(secret)] = g
	}
	return s
}

// demoKeys are the demo's API keys by secret: one of each kind a project admin can make.
var demoKeys = map[string]*APIKey{
	"wanda-legacy-0001": {Name: "old integration (no limits)", User: "wanda"},
	"wanda-tz-0002":     {Name: "malaria project only", User: "wanda", Projects: []string{"malaria-tz"}},
	"wanda-apps-0003":   {Name: "read apps in the malaria project", User: "wanda", Projects: []string{"malaria-tz"}, Permissions: []string{"project.view_apps"}},
	"wanda-ro-0004":     {Name: "read-only role", User: "wanda", Role: "read_only"},
	"wanda-office-0005": {Name: "office network only", User: "wanda", AllowedIPs: []string{"127.0.0.0/8", "::1/128", "203.0.113.0/24"}},
	"dami-sync-0006":    {Name: "case sync (custom role)", User: "dami", Role: "integration"},
	"support-0007":      {Name: "support desk", User: "support", AllowedIPs: []string{"198.51.100.0/24"}},
	"sam-0010":          {Name: "supervisor's spreadsheet", User: "sam"},
}

// demoGrants are OAuth access tokens by secret.
var demoGrants = map[string]*OAuthGrant{
	"oauth-dashboards-0008": {Application: "Dashboards", User: "rita", Scopes: []string{"reports:view"}},
	"oauth-signin-0009":     {Application: "Partner sign-in", User: "wanda", Scopes: []string{"openid"}},
}

// User returns a copy of the user called id.
func (s *Store) User(id string) (*User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, false
	}
	c := *u
	c.Memberships = slices.Clone(u.Memberships)
	return &c, true
}

// Key returns the API key whose secret is secret.
func (s *Store) Key(secret string) (*APIKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[hashSecret(secret)]
	if !ok {
		return nil, false
	}
	c := *k
	return &c, true
}

// Grant returns the OAuth grant whose access token is token.
func (s *Store) Grant(token string) (*OAuthGrant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grants[hashSecret(token)]
	if !ok {
		return nil, false
	}
	c := *g
	return &c, true
}

// Project returns a copy of the project called id.
func (s *Store) Project(id string) (*Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	if !ok {
		return nil, false
	}
	c := *p
	c.Apps, c.Cases = slices.Clone(p.Apps), slices.Clone(p.Cases)
	return &c, true
}

// Report returns a copy of the report called id.
func (s *Store) Report(id string) (*Report, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[id]
	if !ok {
		return nil, false
	}
	c := *r
	return &c, true
}

// ProjectUsers lists the users with a role in the project, by id.
func (s *Store) ProjectUsers(project string) []*User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*User
	for _, u := range s.users {
		if slices.ContainsFunc(u.Memberships, func(m Membership) bool { return m.Project == project }) {
			c := *u
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *User) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// AddCase adds a case to a project and returns it.
func (s *Store) AddCase(project, caseType, name string) Case {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Case{ID: "c-" + strconv.Itoa(s.nextCase), Type: caseType, Name: name}
	s.nextCase++
	if p, ok := s.projects[project]; ok {
		p.Cases = append(p.Cases, c)
	}
	return c
}
