package main

import (
	"maps"
	"slices"
	"sync"
)

// Enterprise is an enterprise customer.
type Enterprise struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Invoices []Invoice `json:"-"`
}

// Invoice is one bill sent to an enterprise.
type Invoice struct {
	Number string `json:"number"`
	Amount int    `json:"amount_cents"`
	Paid   bool   `json:"paid"`
}

// Link is a learner linked to an enterprise, with their records there.
type Link struct {
	User        string             `json:"user"`
	Consented   bool               `json:"data_sharing_consent"`
	Enrollments []string           `json:"enrollments"`
	Grades      map[string]float64 `json:"grades"`
}

// Provider is a third-party-auth identity provider and its user mappings.
type Provider struct {
	ID         string
	Enterprise string
	// Users maps a platform username to the user's id at the provider.
	Users map[string]string
}

// Store holds the service's data in memory. Its mutex guards every field.
type Store struct {
	mu          sync.Mutex
	enterprises map[string]*Enterprise
	// links maps an enterprise to its learners by user id.
	links     map[string]map[string]*Link
	providers map[string]*Provider
}

// demoStore is the data `go run` serves and the tests use: the people and
// organizations of the spec's test suite.
func demoStore() *Store {
	return &Store{
		enterprises: map[string]*Enterprise{
			"acme": {ID: "acme", Name: "Acme Corporation", Invoices: []Invoice{
				{Number: "INV-1001", Amount: 1250000, Paid: true},
				{Number: "INV-1002", Amount: 480000},
			}},
			"globex": {ID: "globex", Name: "Globex University Partners", Invoices: []Invoice{
				{Number: "INV-2001", Amount: 990000},
			}},
		},
		links: map[string]map[string]*Link{
			"acme": {
				"lee": {User: "lee", Consented: true, Enrollments: []string{"course-v1:AcmeX+SAFE101+2026"}, Grades: map[string]float64{"course-v1:AcmeX+SAFE101+2026": 0.92}},
				"kim": {User: "kim", Enrollments: []string{"course-v1:AcmeX+SAFE101+2026"}, Grades: map[string]float64{"course-v1:AcmeX+SAFE101+2026": 0.61}},
				"ann": {User: "ann", Consented: true},
			},
			"globex": {
				"lee": {User: "lee", Consented: true, Enrollments: []string{"course-v1:GlobexU+MSDS500+2026"}, Grades: map[string]float64{"course-v1:GlobexU+MSDS500+2026": 0.88}},
			},
		},
		providers: map[string]*Provider{
			"saml-acme":    {ID: "saml-acme", Enterprise: "acme", Users: map[string]string{"lee": "lee@acme.example", "kim": "kim@acme.example"}},
			"saml-acme-eu": {ID: "saml-acme-eu", Enterprise: "acme", Users: map[string]string{"ann": "ann@eu.acme.example"}},
			"saml-globex":  {ID: "saml-globex", Enterprise: "globex", Users: map[string]string{"lee": "s1234567"}},
		},
	}
}

// Enterprise returns a copy of the enterprise called id.
func (s *Store) Enterprise(id string) (*Enterprise, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.enterprises[id]
	if !ok {
		return nil, false
	}
	c := *e
	c.Invoices = slices.Clone(e.Invoices)
	return &c, true
}

// Link returns a copy of a learner's link to an enterprise.
func (s *Store) Link(enterprise, user string) (*Link, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[enterprise][user]
	if !ok {
		return nil, false
	}
	return l.clone(), true
}

// Links returns copies of an enterprise's links, by user id.
func (s *Store) Links(enterprise string) []*Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Link
	for _, user := range slices.Sorted(maps.Keys(s.links[enterprise])) {
		out = append(out, s.links[enterprise][user].clone())
	}
	return out
}

// AddLink links user to an enterprise, without their consent to share data; false
// when they already are.
func (s *Store) AddLink(enterprise, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.links[enterprise] == nil {
		s.links[enterprise] = map[string]*Link{}
	}
	if _, ok := s.links[enterprise][user]; ok {
		return false
	}
	s.links[enterprise][user] = &Link{User: user, Enrollments: []string{}, Grades: map[string]float64{}}
	return true
}

// Enroll adds a course run to a linked learner's enrollments.
func (s *Store) Enroll(enterprise, user, courseRun string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.links[enterprise][user]; ok && !slices.Contains(l.Enrollments, courseRun) {
		l.Enrollments = append(l.Enrollments, courseRun)
	}
}

// Provider returns a copy of the identity provider called id.
func (s *Store) Provider(id string) (*Provider, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.providers[id]
	if !ok {
		return nil, false
	}
	c := *p
	c.Users = maps.Clone(p.Users)
	return &c, true
}

func (l *Link) clone() *Link {
	c := *l
	c.Enrollments = append([]string{}, l.Enrollments...)
	c.Grades = maps.Clone(l.Grades)
	if c.Grades == nil {
		c.Grades = map[string]float64{}
	}
	return &c
}
