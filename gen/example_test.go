package gen_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/permc/permc/gen"
	"github.com/permc/permc/spec"
)

func ExampleGenerate() {
	src := `
version: 1
package: docauthz
resources:
  doc:
    attributes: {owner: string}
    permissions: [read, write]
roles:
  editor:
    permissions: [doc.*]
rules:
  - id: owners
    allow: [doc.write]
    when: resource.owner == principal.id
`
	s, err := spec.Load("spec.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	files, err := gen.Generate(s, gen.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Println(strings.Join(names, " "))
	for _, line := range strings.Split(string(files["authz_expr.go"]), "\n") {
		if strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "\treturn") {
			fmt.Println(line)
		}
	}
	// Output:
	// authz.go authz_check.go authz_expr.go authz_json.go authz_plan.go
	// func ruleOwnersDoc(budget *runtime.Budget, p *Principal, r *Doc, ctx *Context, cred *Credential) (bool, runtime.Err) {
	// 	return r.Owner == p.ID, runtime.OK
}
