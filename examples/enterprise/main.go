// Command enterprise serves an enterprise learning API whose authorization is the
// checker permc generated from spec.yaml (package entauthz).
//
// Callers send the platform's JWTs ("Authorization: JWT <token>"). The token's roles
// claim becomes the principal's role assignments; a restricted OAuth application's
// scopes and filters become a credential that only narrows them. On start the demo
// makes its own signing key and prints a token for each demo caller.
//
//	go run ./enterprise [-addr 127.0.0.1:8081]
package main

//go:generate go tool permc generate --spec spec.yaml --out entauthz

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

const (
	demoIssuer   = "https://id.platform.example"
	demoAudience = "enterprise-api"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "`address` to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "enterprise:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	issuer := &Issuer{Key: key, Issuer: demoIssuer, Audience: demoAudience}
	verifier := &Verifier{Key: &key.PublicKey, Issuer: demoIssuer, Audience: demoAudience}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := NewServer(verifier, demoStore(), log)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Printf("enterprise API on %s\n\nDemo tokens (valid for 8 hours):\n\n", base)
	for _, d := range demoCallers() {
		tok, err := issuer.Mint(d.claims, 8*time.Hour)
		if err != nil {
			return err
		}
		fmt.Printf("# %s\nexport TOKEN_%s=%s\n\n", d.about, d.name, tok)
	}
	fmt.Printf("Try:\n\n"+
		"  curl -H \"Authorization: JWT $TOKEN_ANN\" %[1]s/api/enterprise/v1/enterprises/globex/learners\n"+
		"  curl -H \"Authorization: JWT $TOKEN_ANN\" %[1]s/api/enterprise/v1/enterprises/acme/learners\n"+
		"  curl -H \"Authorization: JWT $TOKEN_HR_SYNC\" %[1]s/api/third_party_auth/v0/providers/saml-acme/users\n"+
		"  curl -H \"Authorization: JWT $TOKEN_HR_SYNC\" %[1]s/api/third_party_auth/v0/providers/saml-acme-eu/users\n\n", base)

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type demoCaller struct {
	name, about string
	claims      Claims
}

func restricted(b bool) *bool { return &b }

// demoCallers are the suite's people and applications, as tokens would describe them.
func demoCallers() []demoCaller {
	user := func(sub string, roles ...string) Claims {
		c := Claims{GrantType: "authorization_code", Roles: roles, IsRestricted: restricted(false)}
		c.Subject = sub
		return c
	}
	ada := user("ada", "enterprise_admin:acme")
	ada.IsRestricted, ada.Scopes, ada.Filters = restricted(true), []string{"enterprise:read"}, []string{"enterprise:acme"}
	app := Claims{GrantType: "client_credentials", Roles: []string{"tpa_integrator:acme"},
		Scopes: []string{"tpa:read"}, Filters: []string{"tpa_provider:saml-acme"}, IsRestricted: restricted(true)}
	app.Subject = "app:acme-hr-sync"
	root := user("root")
	root.Administrator = true
	return []demoCaller{
		{"LEE", "lee: a learner at acme and in globex's masters program", user("lee", "enterprise_learner:acme", "enterprise_learner:globex")},
		{"ANN", "ann: a learner at acme and the admin of globex", user("ann", "enterprise_learner:acme", "enterprise_admin:globex")},
		{"FAY", "fay: acme's financial admin", user("fay", "enterprise_financial_admin:acme")},
		{"ADA_READER", "ada, acme's admin, through a reporting app limited to enterprise:read in acme", ada},
		{"HR_SYNC", "acme's HR system, acting on its own behalf with tpa:read for saml-acme", app},
		{"ROOT", "platform staff", root},
	}
}
