package main

import (
	"crypto/sha256"
	"maps"
	"slices"
	"sync"
)

// Account is a user of the application.
type Account struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	School  string `json:"school"`
	Root    bool   `json:"-"`
	Enabled bool   `json:"enabled"`
	// password is the SHA-256 of the demo password. A real deployment keeps a slow,
	// salted hash (bcrypt, argon2) or signs users in through its identity provider.
	password [32]byte
}

// UserRole is one row of the user-role table: a user holds a role in a school.
type UserRole struct {
	User   string
	Role   string
	School string
}

// Course is a course with its sessions.
type Course struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	School   string `json:"school"`
	Locked   bool   `json:"locked"`
	Archived bool   `json:"archived"`
}

// Program is a degree program.
type Program struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	School string `json:"school"`
}

// Store holds the application's data in memory; its mutex guards every field.
type Store struct {
	mu        sync.Mutex
	schools   map[string]string // id -> name
	accounts  map[string]*Account
	userRoles []UserRole
	courses   map[string]*Course
	programs  map[string]*Program
}

// demoPassword is every demo account's password.
const demoPassword = "demo"

// demoStore holds the people and courses of the spec's test suite.
func demoStore() *Store {
	pw := sha256.Sum256([]byte(demoPassword))
	acct := func(id, name, school string) *Account {
		return &Account{ID: id, Name: name, School: school, Enabled: true, password: pw}
	}
	root := acct("root", "Installation admin", "som")
	root.Root = true
	gone := acct("gone", "Former faculty", "som")
	gone.Enabled = false
	return &Store{
		schools: map[string]string{"som": "School of Medicine", "nursing": "School of Nursing"},
		accounts: map[string]*Account{
			"stu": acct("stu", "Stu Dent", "som"), "fiona": acct("fiona", "Fiona Faculty", "som"),
			"dirk": acct("dirk", "Dirk Director", "som"), "devi": acct("devi", "Devi Developer", "nursing"),
			"rae": acct("rae", "Rae Resident", "nursing"), "nia": acct("nia", "Nia Nurse", "nursing"),
			"root": root, "gone": gone,
		},
		userRoles: []UserRole{
			{"stu", "student", "som"},
			{"fiona", "faculty", "som"},
			{"dirk", "course_director", "som"}, {"dirk", "faculty", "nursing"},
			{"devi", "developer", "nursing"},
			{"rae", "student", "nursing"}, {"rae", "faculty", "som"},
			{"nia", "student", "nursing"},
			{"gone", "faculty", "som"},
		},
		courses: map[string]*Course{
			"anatomy":        {ID: "anatomy", Title: "Gross Anatomy", School: "som"},
			"histology":      {ID: "histology", Title: "Histology", School: "som", Locked: true},
			"old-physiology": {ID: "old-physiology", Title: "Physiology (2019 curriculum)", School: "som", Locked: true, Archived: true},
			"pharmacology":   {ID: "pharmacology", Title: "Pharmacology for Nurses", School: "nursing"},
		},
		programs: map[string]*Program{
			"md":  {ID: "md", Title: "Doctor of Medicine", School: "som"},
			"bsn": {ID: "bsn", Title: "Bachelor of Science in Nursing", School: "nursing"},
		},
	}
}

// Authenticate returns the enabled account whose id and password these are.
func (s *Store) Authenticate(id, password string) (*Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	// Compare hashes, so that the time taken says nothing about the password.
	if !ok || !a.Enabled || sha256.Sum256([]byte(password)) != a.password {
		return nil, false
	}
	c := *a
	return &c, true
}

// Account returns a copy of the account called id.
func (s *Store) Account(id string) (*Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, false
	}
	c := *a
	return &c, true
}

// SetEnabled enables or disables an account.
func (s *Store) SetEnabled(id string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		a.Enabled = enabled
	}
}

// UserRoles returns the user's rows of the user-role table.
func (s *Store) UserRoles(user string) []UserRole {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []UserRole
	for _, ur := range s.userRoles {
		if ur.User == user {
			out = append(out, ur)
		}
	}
	return out
}

// School returns the name of the school called id.
func (s *Store) School(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.schools[id]
	return name, ok
}

// Schools lists the schools' ids.
func (s *Store) Schools() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.schools))
}

// Course returns a copy of the course called id.
func (s *Store) Course(id string) (*Course, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.courses[id]
	if !ok {
		return nil, false
	}
	cc := *c
	return &cc, true
}

// Courses returns copies of a school's courses, by id.
func (s *Store) Courses(school string) []*Course {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Course
	for _, id := range slices.Sorted(maps.Keys(s.courses)) {
		if c := s.courses[id]; c.School == school {
			cc := *c
			out = append(out, &cc)
		}
	}
	return out
}

// UpdateCourse applies f to the course called id.
func (s *Store) UpdateCourse(id string, f func(*Course)) (*Course, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.courses[id]
	if !ok {
		return nil, false
	}
	f(c)
	cc := *c
	return &cc, true
}

// Program returns a copy of the program called id.
func (s *Store) Program(id string) (*Program, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.programs[id]
	if !ok {
		return nil, false
	}
	c := *p
	return &c, true
}

// RenameProgram changes a program's title.
func (s *Store) RenameProgram(id, title string) (*Program, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.programs[id]
	if !ok {
		return nil, false
	}
	p.Title = title
	c := *p
	return &c, true
}
