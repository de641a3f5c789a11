package main

import (
	"fmt"

	"github.com/permc/permc/examples/contentlibraries/libauthz"
	"github.com/permc/permc/runtime/cond/pgsql"
)

// The libraries alice may edit, as a condition and as a PostgreSQL WHERE clause.
func Example_planLibrary() {
	a := libauthz.NewAuthorizer()
	alice := &libauthz.Principal{ID: "alice", Roles: []libauthz.Assignment{
		{Role: libauthz.RoleLibraryAuthor, Scope: libauthz.AtOrg("MITx")},
		{Role: libauthz.RoleLibraryAuthor, Scope: libauthz.AtLibraries([]string{"lib1", "lib2"})},
	}}
	plan := a.PlanLibrary(alice, libauthz.LibraryEdit, nil, nil)
	fmt.Println(plan.Cond)

	q, err := plan.SQL(&pgsql.Table{Name: "libraries", Columns: map[string]string{
		"id": "id", "org": "org", "public": "public", "tags": "tags"}}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Where, q.Args)

	fmt.Println(plan.Allows(&libauthz.Library{ID: "lib9", Org: "MITx"}))
	fmt.Println(plan.Allows(&libauthz.Library{ID: "lib9", Org: "MITx", Tags: []string{"archived"}}))
	// Output:
	// !("archived" in resource.tags) && (resource.org == "MITx" || resource.id in ["lib1", "lib2"])
	// (NOT ($1::text = ANY("tags")) AND ("org" = $2::text OR "id" = ANY($3::text[]))) [archived MITx [lib1 lib2]]
	// true
	// false
}
