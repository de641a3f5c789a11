package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testEnv is a server with a fresh signing key, and an issuer for its tokens.
type testEnv struct {
	handler http.Handler
	issuer  *Issuer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Key: &key.PublicKey, Issuer: demoIssuer, Audience: demoAudience}
	srv := NewServer(v, demoStore(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &testEnv{handler: srv.Handler(), issuer: &Issuer{Key: key, Issuer: demoIssuer, Audience: demoAudience}}
}

func (e *testEnv) token(t *testing.T, c Claims) string {
	t.Helper()
	tok, err := e.issuer.Mint(c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// do sends a request with the given Authorization header ("" for none).
func (e *testEnv) do(method, path, auth, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// Callers as the identity service would describe them.
func userClaims(sub string, roles ...string) Claims {
	c := Claims{GrantType: "authorization_code", Roles: roles, IsRestricted: restricted(false)}
	c.Subject = sub
	return c
}

func appClaims(sub string, roles, scopes, filters []string) Claims {
	c := Claims{GrantType: "client_credentials", Roles: roles, Scopes: scopes, Filters: filters, IsRestricted: restricted(true)}
	c.Subject = sub
	return c
}

func through(c Claims, scopes, filters []string) Claims {
	c.IsRestricted, c.Scopes, c.Filters = restricted(true), scopes, filters
	return c
}

var (
	lee   = userClaims("lee", "enterprise_learner:acme", "enterprise_learner:globex")
	ann   = userClaims("ann", "enterprise_learner:acme", "enterprise_admin:globex")
	ada   = userClaims("ada", "enterprise_admin:acme")
	fay   = userClaims("fay", "enterprise_financial_admin:acme")
	root  = Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "root"}, Administrator: true, IsRestricted: restricted(false)}
	hrApp = func(scopes, filters []string) Claims {
		return appClaims("app:acme-hr-sync", []string{"tpa_integrator:acme"}, scopes, filters)
	}
)

const (
	acme   = "/api/enterprise/v1/enterprises/acme"
	globex = "/api/enterprise/v1/enterprises/globex"
	tpa    = "/api/third_party_auth/v0/providers/"
)

func TestAPI(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name         string
		claims       Claims
		method, path string
		body         string
		status       int
		reason       string // of a 403
		contains     string // in the body
	}{
		// Allowed.
		{name: "an admin lists their enterprise's learners", claims: ann, method: "GET", path: globex + "/learners", status: 200, contains: `"user":"lee"`},
		{name: "the enterprise answer lists what the caller may do", claims: ann, method: "GET", path: globex, status: 200, contains: `"enterprise.manage_learners"`},
		{name: "a learner reads their own grades", claims: lee, method: "GET", path: acme + "/learners/lee/grades", status: 200, contains: `0.92`},
		{name: "a learner reads their grades in a second enterprise", claims: lee, method: "GET", path: globex + "/learners/lee/grades", status: 200},
		{name: "an admin enrolls a learner", claims: ada, method: "POST", path: acme + "/learners/kim/enrollments", body: `{"course_run": "course-v1:AcmeX+LEAD200+2026"}`, status: 201},
		{name: "an admin links a learner", claims: ada, method: "POST", path: acme + "/learners", body: `{"user": "newhire"}`, status: 201},
		{name: "a financial admin reads invoices", claims: fay, method: "GET", path: acme + "/invoices", status: 200, contains: `INV-1002`},
		{name: "an application on its own behalf maps its provider's users", claims: hrApp([]string{"tpa:read"}, []string{"tpa_provider:saml-acme"}), method: "GET", path: tpa + "saml-acme/users", status: 200, contains: `"remote_id":"kim@acme.example"`},
		{name: "the user mapping narrows by username", claims: hrApp([]string{"tpa:read"}, []string{"tpa_provider:saml-acme"}), method: "GET", path: tpa + "saml-acme/users?username=lee", status: 200, contains: `{"results":[{"username":"lee","remote_id":"lee@acme.example"}]}`},
		{name: "staff map any provider's users", claims: root, method: "GET", path: tpa + "saml-globex/users", status: 200},
		{name: "a restricted reporting token reads what it was granted", claims: through(ada, []string{"enterprise:read"}, []string{"enterprise:acme"}), method: "GET", path: acme + "/learners", status: 200},
		{name: "roles of other services in the token are ignored", claims: userClaims("lee", "ecommerce_coordinator:acme", "enterprise_learner:acme"), method: "GET", path: acme, status: 200},

		// Denied.
		{name: "an admin elsewhere is a learner here", claims: ann, method: "GET", path: acme + "/learners", status: 403, reason: "no_grant"},
		{name: "a learner does not read another learner's grades", claims: lee, method: "GET", path: acme + "/learners/ann/grades", status: 403, reason: "no_grant"},
		{name: "without consent an admin does not read grades", claims: ada, method: "GET", path: acme + "/learners/kim/grades", status: 403, reason: "deny_rule"},
		{name: "a financial admin does not list learners", claims: fay, method: "GET", path: acme + "/learners", status: 403, reason: "no_grant"},
		{name: "a read-only token does not link learners", claims: through(ada, []string{"enterprise:read"}, []string{"enterprise:acme"}), method: "POST", path: acme + "/learners", body: `{"user": "x"}`, status: 403, reason: "credential"},
		{name: "an enterprise filter keeps a token in its enterprise", claims: through(ann, []string{"enterprise:read"}, []string{"enterprise:acme"}), method: "GET", path: globex + "/learners", status: 403, reason: "credential"},
		{name: "the tpa_provider filter closes the application's other providers", claims: hrApp([]string{"tpa:read"}, []string{"tpa_provider:saml-acme"}), method: "GET", path: tpa + "saml-acme-eu/users", status: 403, reason: "credential"},
		{name: "the tpa_provider filter closes other enterprises' providers", claims: hrApp([]string{"tpa:read"}, []string{"tpa_provider:saml-acme"}), method: "GET", path: tpa + "saml-globex/users", status: 403, reason: "credential"},
		{name: "without tpa:read the endpoint is closed", claims: hrApp([]string{"enterprise:read"}, []string{"tpa_provider:saml-acme"}), method: "GET", path: tpa + "saml-acme/users", status: 403, reason: "credential"},
		{name: "an application's own role bounds it when its token has no filter", claims: hrApp([]string{"tpa:read"}, nil), method: "GET", path: tpa + "saml-globex/users", status: 403, reason: "no_grant"},
		{name: "a token that does not say it is unrestricted is restricted", claims: Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "root"}, Administrator: true}, method: "GET", path: acme, status: 403, reason: "credential"},
		{name: "a restricted token without scopes unlocks nothing", claims: through(root, nil, nil), method: "GET", path: tpa + "saml-acme/users", status: 403, reason: "credential"},
		{name: "a user without roles gets nothing", claims: userClaims("stranger"), method: "GET", path: acme, status: 403, reason: "no_grant"},

		// Malformed or unknown.
		{name: "a role claim entry without an enterprise is refused", claims: userClaims("lee", "enterprise_learner"), method: "GET", path: acme, status: 401},
		{name: "a token without a subject is refused", claims: Claims{IsRestricted: restricted(false)}, method: "GET", path: acme, status: 401},
		{name: "an unknown enterprise", claims: root, method: "GET", path: "/api/enterprise/v1/enterprises/initech", status: 404},
		{name: "an unknown learner", claims: root, method: "GET", path: acme + "/learners/nobody/grades", status: 404},
		{name: "an unknown provider", claims: root, method: "GET", path: tpa + "saml-nowhere/users", status: 404},
		{name: "a body that is not JSON", claims: ada, method: "POST", path: acme + "/learners", body: `user=x`, status: 400},
		{name: "a body with an unknown field", claims: ada, method: "POST", path: acme + "/learners", body: `{"user": "x", "admin": true}`, status: 400},
		{name: "a body with two values", claims: ada, method: "POST", path: acme + "/learners", body: `{"user": "x"} {"user": "y"}`, status: 400},
		{name: "a body without the user", claims: ada, method: "POST", path: acme + "/learners", body: `{}`, status: 400},
		{name: "an enrollment that is not a course run", claims: ada, method: "POST", path: acme + "/learners/kim/enrollments", body: `{"course_run": "DROP TABLE"}`, status: 400},
		{name: "linking a learner twice", claims: ada, method: "POST", path: acme + "/learners", body: `{"user": "kim"}`, status: 409},
		{name: "a denied caller learns nothing about the body", claims: fay, method: "POST", path: acme + "/learners", body: `not json`, status: 403, reason: "no_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(tt.method, tt.path, "JWT "+env.token(t, tt.claims), tt.body)
			checkResponse(t, rec, tt.status, tt.reason, tt.contains)
		})
	}
}

func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, reason, contains string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	if status >= 400 {
		if msg, _ := v["error"].(string); msg == "" {
			t.Errorf("error answer without an error message: %s", body)
		}
	}
	if reason != "" && v["reason"] != reason {
		t.Errorf("reason = %v, want %s", v["reason"], reason)
	}
	if contains != "" && !strings.Contains(body, contains) {
		t.Errorf("body does not contain %s: %s", contains, body)
	}
}

func TestAuthentication(t *testing.T) {
	env := newTestEnv(t)
	good := env.token(t, root)

	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := (&Issuer{Key: other, Issuer: demoIssuer, Audience: demoAudience}).Mint(root, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherAudience, err := (&Issuer{Key: env.issuer.Key, Issuer: demoIssuer, Audience: "grades-api"}).Mint(root, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := env.issuer.Mint(root, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := jwt.NewWithClaims(jwt.SigningMethodNone, Claims{RegisteredClaims: jwt.RegisteredClaims{
		Subject: "root", Issuer: demoIssuer, Audience: jwt.ClaimStrings{demoAudience},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
	}, Administrator: true, IsRestricted: restricted(false)}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	noExpiry, err := jwt.NewWithClaims(jwt.SigningMethodES256, Claims{RegisteredClaims: jwt.RegisteredClaims{
		Subject: "root", Issuer: demoIssuer, Audience: jwt.ClaimStrings{demoAudience},
	}, Administrator: true, IsRestricted: restricted(false)}).SignedString(env.issuer.Key)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, auth string
		status     int
	}{
		{"a valid token", "JWT " + good, 200},
		{"the Bearer scheme", "Bearer " + good, 200},
		{"no Authorization header", "", 401},
		{"another scheme", "Basic cm9vdDpyb290", 401},
		{"a scheme without a token", "JWT ", 401},
		{"garbage", "JWT not.a.token", 401},
		{"a token signed by another key", "JWT " + forged, 401},
		{"a token for another service", "JWT " + otherAudience, 401},
		{"an expired token", "JWT " + expired, 401},
		{"a token without expiry", "JWT " + noExpiry, 401},
		{"an unsigned token (alg none)", "JWT " + unsigned, 401},
		{"a truncated token", "JWT " + good[:len(good)-10], 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do("GET", acme, tt.auth, "")
			checkResponse(t, rec, tt.status, "", "")
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestDemoTokens checks that every token the demo prints works as its comment says.
func TestDemoTokens(t *testing.T) {
	env := newTestEnv(t)
	want := map[string]struct {
		path   string
		status int
	}{
		"LEE":        {acme + "/learners/lee/grades", 200},
		"ANN":        {globex + "/learners", 200},
		"FAY":        {acme + "/invoices", 200},
		"ADA_READER": {acme + "/learners", 200},
		"HR_SYNC":    {tpa + "saml-acme/users", 200},
		"ROOT":       {tpa + "saml-globex/users", 200},
	}
	for _, d := range demoCallers() {
		w, ok := want[d.name]
		if !ok {
			t.Errorf("demo caller %s has no test", d.name)
			continue
		}
		if rec := env.do("GET", w.path, "JWT "+env.token(t, d.claims), ""); rec.Code != w.status {
			t.Errorf("%s: GET %s = %d, want %d: %s", d.name, w.path, rec.Code, w.status, rec.Body)
		}
	}
}
