package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/permc/permc/examples/ilios/iliosauthz"
)

const (
	sessionCookie = "ilios_session"
	sessionTTL    = 8 * time.Hour
)

// Session is a signed-in user. Their role assignments are read once, when they sign
// in, and kept for the session, as the application always kept its access levels:
// no check goes back to the database.
type Session struct {
	Account   *Account
	Principal *iliosauthz.Principal
	expires   time.Time
}

// Sessions are the signed-in users, by session id.
type Sessions struct {
	mu   sync.Mutex
	byID map[string]*Session
	now  func() time.Time
}

func newSessions() *Sessions {
	return &Sessions{byID: map[string]*Session{}, now: time.Now}
}

// Start records a session and returns its id.
func (ss *Sessions) Start(s *Session) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.expires = ss.now().Add(sessionTTL)
	ss.byID[id] = s
	return id, nil
}

// Get returns the live session called id.
func (ss *Sessions) Get(id string) (*Session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[id]
	if ok && ss.now().After(s.expires) {
		delete(ss.byID, id)
		return nil, false
	}
	return s, ok
}

// End forgets the session called id.
func (ss *Sessions) End(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byID, id)
}

// principal builds the principal from the user's rows of the user-role table: each
// role is assigned in its school, and reaches nothing outside it. A role the spec does
// not know grants nothing.
func (s *Server) principal(a *Account) *iliosauthz.Principal {
	p := &iliosauthz.Principal{ID: a.ID, Root: a.Root}
	for _, ur := range s.store.UserRoles(a.ID) {
		role, ok := s.authz.Role(ur.Role)
		if !ok {
			s.log.Warn("user role unknown to the spec", "user", a.ID, "role", ur.Role)
			continue
		}
		p.Roles = append(p.Roles, iliosauthz.Assignment{Role: role, Scope: iliosauthz.AtSchool(ur.School)})
	}
	return p
}

type sessionKey struct{}

func sessionOf(r *http.Request) *Session { return r.Context().Value(sessionKey{}).(*Session) }

// signedIn lets only signed-in users through. Others get 401 {"error": ...} from an
// XHR handler and are sent to the sign-in page from a full page.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sess *Session
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess, _ = s.sessions.Get(c.Value)
		}
		if sess == nil {
			if isXHR(r) {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "You are not signed in."})
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

// isXHR tells the application's XHR handlers from full-page requests, as its
// JavaScript marks them.
func isXHR(r *http.Request) bool { return r.Header.Get("X-Requested-With") == "XMLHttpRequest" }
