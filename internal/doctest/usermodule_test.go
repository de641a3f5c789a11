package doctest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUserModule follows README.md from a fresh clone to a Go module of one's own: it
// makes a module beside the clone, runs the README's "in your module" commands as
// written, with the README's spec and go:generate line, then builds, vets and runs the
// README's Go snippet (Check, Permissions, Plan and its SQL) and checks what it
// answers. The module's dependencies come from the Go module cache, or the module
// proxy when the cache is cold.
func TestUserModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module of its own with the go command")
	}
	repo := clone(t) // <tmp>/permc: the README's ../permc
	app := filepath.Join(filepath.Dir(repo), "app")
	if err := os.Mkdir(app, 0o755); err != nil {
		t.Fatal(err)
	}
	blocks, err := Blocks(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []Block
	var specYAML, generate, snippet, roles, request, decision string
	for _, b := range blocks {
		kind, _ := b.Kind()
		switch {
		case kind == "in your module":
			steps = append(steps, b)
		case b.Heading == "A spec" && b.Lang == "yaml" && specYAML == "":
			specYAML = b.Text
		case b.Heading == "A spec" && b.Lang == "json" && request == "":
			request = b.Text
		case b.Heading == "A spec" && b.Lang == "json" && decision == "":
			decision = b.Text
		case b.Heading == "Custom roles" && b.Lang == "json":
			roles = b.Text
		case b.Lang == "go" && strings.HasPrefix(b.Text, "//go:generate "):
			generate = b.Text
		case b.Lang == "go" && strings.Contains(b.Text, "libauthz.NewAuthorizer()"):
			snippet = b.Text
		}
	}
	if len(steps) < 2 || specYAML == "" || generate == "" || snippet == "" || roles == "" || request == "" || decision == "" {
		t.Fatalf("README.md lacks a part of the walk-through: %d module steps, spec %t, go:generate %t, Go snippet %t, custom roles %t, request %t, decision %t",
			len(steps), specYAML != "", generate != "", snippet != "", roles != "", request != "", decision != "")
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	sh := func(script string) string {
		t.Helper()
		out, err := bash(app, env, script, 10*time.Minute)
		if err != nil {
			t.Fatalf("%v\n%s\n%s", err, script, out)
		}
		return out
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(app, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A module of one's own, with the README's spec and its go:generate line.
	sh("go mod init example.com/app")
	write("spec.yaml", specYAML)
	write("roles.json", roles)
	write("generate.go", "package main\n\n"+generate)
	write("main.go", "package main\n\nfunc main() {}\n")
	for _, b := range steps {
		sh(b.Text)
	}
	if _, err := os.Stat(filepath.Join(app, "libauthz", "authz.go")); err != nil {
		t.Fatalf("go generate did not write the package: %v", err)
	}

	// The README's request, decided by the tool the module now has.
	got := sh("go tool permc check --spec spec.yaml --roles roles.json - <<'EOF'\n" + compactJSON(t, request) + "\nEOF")
	if strings.TrimSpace(got) != compactJSON(t, decision) {
		t.Errorf("the README's request is decided\n%s\nnot as the README shows\n%s", got, decision)
	}

	// The README's Go snippet, in a program.
	write("main.go", `package main

import (
	"context"
	"fmt"
	"os"

	"example.com/app/libauthz"
	"github.com/permc/permc/runtime/cond/pgsql"
)

// db stands for a pgx pool: it answers a query with the query.
type db struct{}

func (db) Query(ctx context.Context, sql string, args ...any) (string, error) {
	return fmt.Sprint(sql, " ", args), nil
}

func main() {
	customRoles, err := os.ReadFile("roles.json")
	if err == nil {
		err = run(context.Background(), db{}, customRoles)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, db db, customRoles []byte) error {
`+indent(snippet)+`
	fmt.Println("allowed:", d.Allowed, d.Reason.Kind)
	fmt.Println("buttons:", buttons.Permissions())
	fmt.Println("plan:", plan.Cond, plan.Allows(lib))
	fmt.Println("query:", rows)
	return err
}
`)
	sh("go build ./... && go vet ./...")
	out := sh("go run .")
	for _, want := range []string{
		"allowed: true role",
		"buttons: [library.view library.edit]",
		`plan: !("archived" in resource.tags) && resource.org == "MITx" true`,
		`query: SELECT id FROM libraries WHERE (NOT ($1::text = ANY("tags")) AND "org" = $2::text) [archived MITx]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's snippet does not print %q:\n%s", want, out)
		}
	}
	// The module stays tidy and buildable: tidy keeps permc, and go.sum has the sums
	// the tool needs.
	sh("go mod tidy && go build ./... && go tool permc version")
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "\t" + l
		}
	}
	return strings.Join(lines, "\n")
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("README JSON: %v\n%s", err, s)
	}
	return b.String()
}
