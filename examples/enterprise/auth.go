package main

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/permc/permc/examples/enterprise/entauthz"
)

// Claims are the claims of the platform's JWTs that authorization reads.
type Claims struct {
	jwt.RegisteredClaims
	// Administrator marks platform staff.
	Administrator bool `json:"administrator,omitempty"`
	// GrantType is the OAuth grant the token was issued for. "client_credentials" means
	// the application is calling on its own behalf; its subject is the application.
	GrantType string `json:"grant_type,omitempty"`
	// Roles are the subject's roles, each "role:enterprise", or "role:*" for a role
	// over every enterprise.
	Roles []string `json:"roles,omitempty"`
	// Scopes and Filters are what the OAuth application was granted; they narrow a
	// restricted application's token.
	Scopes  []string `json:"scopes,omitempty"`
	Filters []string `json:"filters,omitempty"`
	// IsRestricted is false only in tokens of the platform's own first-party
	// applications, which act with the user's full rights. A token without the claim
	// is restricted.
	IsRestricted *bool `json:"is_restricted,omitempty"`
}

// Verifier checks the platform's JWTs: signed with ES256 by the identity service's key,
// for this service's audience, and not expired.
type Verifier struct {
	Key      *ecdsa.PublicKey
	Issuer   string
	Audience string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Verify parses and checks a raw token.
func (v *Verifier) Verify(raw string) (*Claims, error) {
	opts := []jwt.ParserOption{
		// Pinning the algorithm keeps "none" and HMAC-with-the-public-key tokens out.
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithIssuer(v.Issuer),
		jwt.WithAudience(v.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(30 * time.Second),
	}
	if v.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(v.Now))
	}
	var c Claims
	if _, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return v.Key, nil }, opts...); err != nil {
		return nil, err
	}
	if c.Subject == "" {
		return nil, errors.New("token has no subject")
	}
	return &c, nil
}

// Caller is an authenticated request's principal and credential, as the generated
// checks take them.
type Caller struct {
	Principal  *entauthz.Principal
	Credential *entauthz.Credential
}

// callerFromClaims turns verified claims into the principal and credential.
//
// Role names this service does not know are skipped: tokens carry the roles of every
// service on the platform. A role entry that is not "role:enterprise" is an error, so
// that a token the issuer got wrong is refused rather than half understood.
func callerFromClaims(a *entauthz.Authorizer, c *Claims) (*Caller, error) {
	p := &entauthz.Principal{
		ID:            c.Subject,
		Administrator: c.Administrator,
		Application:   c.GrantType == "client_credentials",
	}
	for _, entry := range c.Roles {
		name, where, ok := strings.Cut(entry, ":")
		if !ok || name == "" || where == "" {
			return nil, fmt.Errorf("role %q is not role:enterprise", entry)
		}
		role, known := a.Role(name)
		if !known {
			continue
		}
		scope := entauthz.AtEnterprise(where)
		if where == "*" {
			scope = entauthz.AtGlobal()
		}
		p.Roles = append(p.Roles, entauthz.Assignment{Role: role, Scope: scope})
	}
	caller := &Caller{Principal: p}
	if c.IsRestricted == nil || *c.IsRestricted {
		// A restricted token without scopes unlocks nothing.
		caller.Credential = &entauthz.Credential{Scopes: c.Scopes, Filters: c.Filters}
	}
	return caller, nil
}

// Issuer mints tokens as the platform's identity service would. The demo and the tests
// use it; a real deployment only verifies.
type Issuer struct {
	Key      *ecdsa.PrivateKey
	Issuer   string
	Audience string
}

// Mint signs claims valid for ttl from now, filling in the registered claims.
func (i *Issuer) Mint(c Claims, ttl time.Duration) (string, error) {
	now := time.Now()
	c.Issuer = i.Issuer
	c.Audience = jwt.ClaimStrings{i.Audience}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	return jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(i.Key)
}
