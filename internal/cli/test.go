package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/permc/permc/internal/suite"
)

func (e *env) test(args []string) int {
	fset := e.flags("test", "[--backend eval|go|wasm] [-v] [--max-request-bytes N] [--max-roles-bytes N] PATH...")
	backendName := fset.String("backend", "eval", "the `engine` to test: eval, go or wasm")
	verbose := fset.Bool("v", false, "print every case, not only failures")
	lim := limitFlags(fset, true)
	paths, err := parse(fset, args)
	if err != nil || !e.validLimits(lim) {
		return exitSpec
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := suiteFiles(paths)
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec
	}
	if len(files) == 0 {
		fmt.Fprintf(e.stderr, "permc: no test suites (*_test.yaml) under %s\n", strings.Join(paths, ", "))
		return exitSpec
	}
	status := exitOK
	var total suite.Result
	for _, f := range files {
		st, res := e.runSuite(f, *backendName, *verbose, lim)
		total.Passed += res.Passed
		total.Failed += res.Failed
		status = max(status, st)
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", total.Passed, total.Failed)
	return status
}

func (e *env) runSuite(path, backendName string, verbose bool, lim *limits) (int, suite.Result) {
	s, err := suite.Load(path)
	if err != nil {
		fmt.Fprintf(e.stdout, "FAIL\t%s\n    %v\n", path, err)
		return exitFailure, suite.Result{}
	}
	cases, err := s.Cases()
	if err != nil {
		fmt.Fprintf(e.stdout, "FAIL\t%s\n    %v\n", path, err)
		return exitFailure, suite.Result{}
	}
	sp, ok := e.loadSpec(s.SpecPath())
	if !ok {
		fmt.Fprintf(e.stdout, "FAIL\t%s\n    spec %s does not compile\n", path, s.SpecPath())
		return exitSpec, suite.Result{}
	}
	d, closeBackend, err := e.backend(backendName, sp, lim)
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec, suite.Result{}
	}
	defer closeBackend()
	if rp := s.RolesPath(); rp != "" {
		data, err := loadRoles(sp, rp, lim.roles)
		if err == nil {
			err = d.LoadRoles(data)
		}
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL\t%s\n    %v\n", path, err)
			return exitSpec, suite.Result{}
		}
	}
	res := suite.Run(cases, d, e.stdout, s.Name+"/", verbose)
	if res.Failed > 0 {
		fmt.Fprintf(e.stdout, "FAIL\t%s\t%d cases, %d failed\n", path, res.Passed+res.Failed, res.Failed)
		return exitFailure, res
	}
	fmt.Fprintf(e.stdout, "ok  \t%s\t%d cases\n", path, res.Passed)
	return exitOK, res
}

// suiteFiles expands paths: files are taken as they are, folders are searched for
// *_test.yaml.
func suiteFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" && path != p) {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), "_test.yaml") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
