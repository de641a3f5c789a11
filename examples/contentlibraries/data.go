package main

import (
	"crypto/sha256"
	"maps"
	"slices"
	"sync"
)

// User is a user of the platform, with the role assignments admins gave them.
type User struct {
	ID      string
	IsStaff bool
	Orgs    []string
	Grants  []Grant
}

// Grant is one stored role assignment: a role (built in or custom) at a scope. Scope
// names the scope type; Org, Except and Libraries are its parameters.
type Grant struct {
	Role      string
	Scope     string
	Org       string
	Except    []string
	Libraries []string
}

// Token is an access token. A first-party session token narrows nothing; an OAuth
// application's token carries its scopes and filters, and any token may be held to a
// list of networks.
type Token struct {
	User       string
	FirstParty bool
	Scopes     []string
	Filters    []string
	AllowedIPs []string
}

// Library is a content library with its blocks.
type Library struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Org    string   `json:"org"`
	Public bool     `json:"public"`
	Tags   []string `json:"tags"`
	Blocks []Block  `json:"blocks"`
	// Published is the number of blocks in the published version.
	Published int `json:"published_blocks"`
}

// Block is one piece of content.
type Block struct {
	Type string `json:"block_type"`
	ID   string `json:"definition_id"`
}

// Store holds the service's data in memory; its mutex guards every field.
type Store struct {
	mu        sync.Mutex
	users     map[string]*User
	tokens    map[[32]byte]*Token
	libraries map[string]*Library
}

// demoStore holds the people and libraries of the spec's test suite, and a token of
// each kind. The secrets are printed by the demo; never put real ones in source.
func demoStore() *Store {
	s := &Store{
		users: map[string]*User{
			"alice": {ID: "alice", Orgs: []string{"MITx"}, Grants: []Grant{{Role: "library_author", Scope: "org", Org: "MITx"}}},
			"bob":   {ID: "bob", Grants: []Grant{{Role: "library_author", Scope: "org_except", Org: "HarvardX", Except: []string{"hx-secret"}}}},
			"carol": {ID: "carol", Grants: []Grant{{Role: "reviewer", Scope: "libraries", Libraries: []string{"mit-physics", "hx-secret"}}}},
			"dan":   {ID: "dan", IsStaff: true},
			"erin": {ID: "erin", Grants: []Grant{
				{Role: "course_staff", Scope: "global"},
				{Role: "org_admin", Scope: "tenant", Org: "MITx"},
			}},
		},
		tokens: map[[32]byte]*Token{},
		libraries: map[string]*Library{
			"mit-physics": {ID: "mit-physics", Title: "Physics problems", Org: "MITx", Blocks: []Block{{"problem", "p1"}}, Published: 1},
			"mit-archive": {ID: "mit-archive", Title: "Old circuits", Org: "MITx", Tags: []string{"archived"}},
			"hx-intro":    {ID: "hx-intro", Title: "Intro videos", Org: "HarvardX", Blocks: []Block{{"video", "v1"}}},
			"hx-secret":   {ID: "hx-secret", Title: "Exam bank", Org: "HarvardX"},
			"hx-public":   {ID: "hx-public", Title: "Open readings", Org: "HarvardX", Public: true},
		},
	}
	for secret, t := range demoTokens {
		s.tokens[sha256.Sum256([]byte(secret))] = t
	}
	return s
}

// demoTokens are the demo's access tokens, by secret.
var demoTokens = map[string]*Token{
	"alice-session": {User: "alice", FirstParty: true},
	"bob-session":   {User: "bob", FirstParty: true},
	"carol-session": {User: "carol", FirstParty: true},
	"dan-session":   {User: "dan", FirstParty: true},
	"erin-session":  {User: "erin", FirstParty: true},
	"alice-reader":  {User: "alice", Scopes: []string{"libraries:read"}},
	"dan-mit":       {User: "dan", Scopes: []string{"libraries:write"}, Filters: []string{"org:MITx"}},
	"alice-office":  {User: "alice", Scopes: []string{"libraries:write"}, AllowedIPs: []string{"10.0.0.0/8", "127.0.0.0/8", "::1/128"}},
}

// Token returns the token whose secret is secret.
func (s *Store) Token(secret string) (*Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[sha256.Sum256([]byte(secret))]
	if !ok {
		return nil, false
	}
	c := *t
	return &c, true
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
	c.Grants = slices.Clone(u.Grants)
	return &c, true
}

// Library returns a copy of the library called id.
func (s *Store) Library(id string) (*Library, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.libraries[id]
	if !ok {
		return nil, false
	}
	return l.clone(), true
}

// Libraries returns copies of every library, by id.
func (s *Store) Libraries() []*Library {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Library
	for _, id := range slices.Sorted(maps.Keys(s.libraries)) {
		out = append(out, s.libraries[id].clone())
	}
	return out
}

// Update applies f to the library called id, under the store's lock, and returns a
// copy of the result; f may refuse the change by returning false.
func (s *Store) Update(id string, f func(*Library) bool) (*Library, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.libraries[id]
	if !ok || !f(l) {
		return nil, false
	}
	return l.clone(), true
}

// Delete removes the library called id.
func (s *Store) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.libraries, id)
}

func (l *Library) clone() *Library {
	c := *l
	c.Tags = append([]string{}, l.Tags...)
	c.Blocks = append([]Block{}, l.Blocks...)
	return &c
}
