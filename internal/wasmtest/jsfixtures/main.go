// Command jsfixtures writes what the JavaScript loader's tests (wasm/js/test) run: the
// module of every example spec and corpus group, its TypeScript declarations, its
// custom roles, and its cases, each request with the reference evaluator's answer;
// and, in DIR/readme, README.md's TypeScript snippet with the declarations of
// README.md's spec, to type-check in every module resolution mode.
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
	"github.com/permc/permc/internal/doctest"
	"github.com/permc/permc/internal/dts"
	"github.com/permc/permc/internal/suite"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// group is one module with the requests to send it.
type group struct {
	Name  string `json:"name"`
	Wasm  string `json:"wasm"`
	DTS   string `json:"dts"`
	Roles string `json:"roles,omitempty"`
	Cases string `json:"cases"`
	Plans string `json:"plans"`

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
	if err := readme(root, filepath.Join(out, "readme")); err != nil {
		return fmt.Errorf("README.md: %v", err)
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
	module, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		return err
	}
	ev, err := eval.New(s)
	if err != nil {
		return err
	}
	g.Wasm, g.DTS, g.Cases, g.Plans = g.Name+".wasm", g.Name+".d.ts", g.Name+".cases.jsonl", g.Name+".plans.jsonl"
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
	if files[g.Plans], err = g.plans(module); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// plans returns the plan cases of the group: each well-formed case's request without
// its resource but for its type, and the module's plan of it through the Go host, so
// that the loader is held to the same bytes (the module's plans are held to the
// generated Go's by internal/wasmc's tests).
func (g *group) plans(module []byte) ([]byte, error) {
	ctx := context.Background()
	a, err := wasm.New(ctx, module, wasm.Options{Instances: 1})
	if err != nil {
		return nil, err
	}
	defer a.Close(ctx)
	if g.roles != nil {
		if err := a.LoadRoles(ctx, g.roles); err != nil {
			return nil, err
		}
	}
	var lines []byte
	for i, req := range g.reqs {
		var doc map[string]any
		if json.Unmarshal(req, &doc) != nil {
			continue
		}
		res, ok := doc["resource"].(map[string]any)
		if !ok {
			continue
		}
		doc["resource"] = map[string]any{"type": res["type"]}
		preq, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		want, err := a.PlanJSON(ctx, nil, preq)
		if err != nil {
			return nil, err
		}
		line, err := json.Marshal(testCase{Name: g.names[i], Request: string(preq), Want: string(want)})
		if err != nil {
			return nil, err
		}
		lines = append(append(lines, line...), '\n')
	}
	return lines, nil
}

// resolutionModes are TypeScript's module resolution modes with a module kind each
// accepts; README.md's snippet must type-check in all of them.
var resolutionModes = map[string]string{"nodenext": "nodenext", "node16": "node16", "bundler": "es2022", "node10": "es2022"}

// readme writes README.md's TypeScript snippet as check.ts beside the declarations of
// README.md's spec (libauthz.d.ts, as the snippet's comment makes them), and one
// tsconfig.MODE.json per resolution mode, "@permc/wasm" being this repository's loader.
func readme(root, out string) error {
	blocks, err := doctest.Blocks(filepath.Join(root, "README.md"))
	if err != nil {
		return err
	}
	var specYAML, snippet string
	for _, b := range blocks {
		switch {
		case b.Heading == "A spec" && b.Lang == "yaml" && specYAML == "":
			specYAML = b.Text
		case b.Heading == "JavaScript" && b.Lang == "ts" && snippet == "":
			snippet = b.Text
		}
	}
	if specYAML == "" || snippet == "" {
		return fmt.Errorf("no spec under \"A spec\" or no TypeScript under \"JavaScript\"")
	}
	s, err := spec.Load("spec.yaml", []byte(specYAML))
	if err != nil {
		return err
	}
	loader, err := filepath.Abs(filepath.Join(root, "wasm", "js", "index.d.ts"))
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"libauthz.d.ts": dts.Generate(s, "spec.yaml"),
		"check.ts":      []byte(snippet + "export {};\n"),
		"package.json":  []byte(`{"type": "module"}` + "\n"),
	}
	for mode, module := range resolutionModes {
		config := map[string]any{
			"compilerOptions": map[string]any{
				"strict": true, "noEmit": true, "target": "es2022", "lib": []string{"es2022", "dom"}, "types": []string{},
				"module": module, "moduleResolution": mode, "paths": map[string][]string{"@permc/wasm": {loader}},
			},
			"files": []string{"check.ts"},
		}
		data, err := json.MarshalIndent(config, "", "  ")
		if err != nil {
			return err
		}
		files["tsconfig."+mode+".json"] = append(data, '\n')
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
