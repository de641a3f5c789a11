// Command jsfixtures writes what the JavaScript loader's tests (wasm/js/test) run: the
// module of every example spec and corpus group, its TypeScript declarations, its
// custom roles, and its cases, each request with the reference evaluator's answer.
//
//	go run ./internal/wasmtest/jsfixtures -out DIR
//
// DIR/manifest.json lists the groups. Modules come from the build cache
// ($PERMC_CACHE), so a test run builds each once.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/dts"
	"github.com/permc/permc/internal/suite"
	"github.com/permc/permc/internal/wasmbuild"
	"github.com/permc/permc/spec"
)

// group is one module with the requests to send it.
type group struct {
	Name  string `json:"name"`
	Wasm  string `json:"wasm"`
	DTS   string `json:"dts"`
	Roles string `json:"roles,omitempty"`
	Cases string `json:"cases"`

	spec  string
	roles []byte
	reqs  [][]byte
	names []string
}

// testCase is a line of a cases file: the request as JSON text, so that malformed
// ones stay as they are, and the evaluator's answer.
type testCase struct {
	Name    string `json:"name"`
	Request string `json:"request"`
	Want    string `json:"want"`
}

func main() {
	out := flag.String("out", "", "the `DIR` to write into")
	root := flag.String("root", ".", "the permc repository")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: jsfixtures -out DIR [-root DIR]")
		os.Exit(2)
	}
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "jsfixtures:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	var groups []*group
	suites, _ := filepath.Glob(filepath.Join(root, "examples/*/*_test.yaml"))
	for _, p := range suites {
		s, err := suite.Load(p)
		if err != nil {
			return err
		}
		cases, err := s.Cases()
		if err != nil {
			return err
		}
		g := &group{Name: "example-" + filepath.Base(filepath.Dir(p)), spec: s.SpecPath()}
		if rp := s.RolesPath(); rp != "" {
			if g.roles, err = os.ReadFile(rp); err != nil {
				return err
			}
		}
		for _, c := range cases {
			g.reqs = append(g.reqs, c.Request)
			g.names = append(g.names, c.Name)
		}
		groups = append(groups, g)
	}
	cgroups, err := corpus.Load(filepath.Join(root, "testdata/corpus"))
	if err != nil {
		return err
	}
	for _, cg := range cgroups {
		g := &group{Name: "corpus-" + cg.Name, spec: cg.Spec, roles: cg.Roles}
		for _, c := range cg.Cases {
			g.reqs = append(g.reqs, c.Request)
			g.names = append(g.names, c.Name)
		}
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, g := range groups {
		if err := g.write(out); err != nil {
			return fmt.Errorf("%s: %v", g.Name, err)
		}
	}
	manifest, err := json.MarshalIndent(groups, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "manifest.json"), append(manifest, '\n'), 0o644)
}

func (g *group) write(out string) error {
	s, err := spec.LoadFile(g.spec)
	if err != nil {
		return err
	}
	module, err := wasmbuild.Cached(context.Background(), s)
	if err != nil {
		return err
	}
	ev, err := eval.New(s)
	if err != nil {
		return err
	}
	g.Wasm, g.DTS, g.Cases = g.Name+".wasm", g.Name+".d.ts", g.Name+".cases.jsonl"
	files := map[string][]byte{g.Wasm: module, g.DTS: dts.Generate(s, filepath.Base(g.spec))}
	if g.roles != nil {
		if err := ev.LoadRoles(g.roles); err != nil {
			return err
		}
		g.Roles = g.Name + ".roles.json"
		files[g.Roles] = g.roles
	}
	var lines []byte
	for i, req := range g.reqs {
		line, err := json.Marshal(testCase{Name: g.names[i], Request: string(req), Want: string(ev.DecideJSON(req))})
		if err != nil {
			return err
		}
		lines = append(append(lines, line...), '\n')
	}
	files[g.Cases] = lines
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
