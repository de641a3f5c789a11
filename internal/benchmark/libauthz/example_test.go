package libauthz_test

import (
	"fmt"

	"github.com/permc/permc/internal/benchmark/libauthz"
)

// A credential unlocks only what its lists unlock: copying a token's scopes into it,
// whether the token has any or not, never widens access. Keeping every permission of
// the principal is said explicitly, with AllPermissions.
func ExampleCredential() {
	a := libauthz.NewAuthorizer()
	alice := &libauthz.Principal{ID: "alice", Orgs: []string{"MITx"}}
	lib := &libauthz.Library{ID: "lib1", Org: "MITx"}

	var granted []string // an application's token granted no scope
	token := &libauthz.Credential{Scopes: granted}
	fmt.Println("no scope:", a.CheckLibrary(alice, libauthz.LibraryView, lib, token, nil).Reason.Kind)

	token.Scopes = []string{"libraries:read"}
	fmt.Println("libraries:read:", a.CheckLibrary(alice, libauthz.LibraryView, lib, token, nil).Allowed)

	// An API key with its user's permissions, limited to the libraries of one organization.
	key := &libauthz.Credential{AllPermissions: true, Filters: []string{"org:MITx"}}
	fmt.Println("every permission, org MITx:", a.CheckLibrary(alice, libauthz.LibraryView, lib, key, nil).Allowed)
	// Output:
	// no scope: credential
	// libraries:read: true
	// every permission, org MITx: true
}
