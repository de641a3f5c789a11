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
	ran := 0
	for _, f := range files {
		st, res, ok := e.runSuite(f, *backendName, *verbose, lim)
		total.Passed += res.Passed
		total.Failed += res.Failed
		status = max(status, st)
		if ok {
			ran++
		}
	}
	if ran > 0 {
		fmt.Fprintf(e.stdout, "%d passed, %d failed\n", total.Passed, total.Failed)
	}
	return status
}

// runSuite runs one suite file; ok says whether it could be run at all.
func (e *env) runSuite(path, backendName string, verbose bool, lim *limits) (status int, res suite.Result, ok bool) {
	s, err := suite.Load(path)
	var cases []suite.Case
	if err == nil {
		cases, err = s.Cases()
	}
	if err != nil {
		e.printErrors(err)
		fmt.Fprintf(e.stdout, "FAIL\t%s\n", path)
		return exitSpec, res, false
	}
	sp, loaded := e.loadSpec(s.SpecPath())
	if !loaded {
		fmt.Fprintf(e.stdout, "FAIL\t%s\tits spec %s does not compile\n", path, s.SpecPath())
		return exitSpec, res, false
	}
	d, closeBackend, err := e.backend(backendName, sp, lim)
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec, res, false
	}
	defer closeBackend()
	if rp := s.RolesPath(); rp != "" {
		data, err := loadRoles(sp, rp, lim.roles)
		if err == nil {
			err = d.LoadRoles(data)
		}
		if err != nil {
			e.printErrors(err)
			fmt.Fprintf(e.stdout, "FAIL\t%s\tits custom roles %s do not load\n", path, rp)
			return exitSpec, res, false
		}
	}
	res = suite.Run(cases, d, e.stdout, s.Name+"/", verbose)
	if res.Failed > 0 {
		fmt.Fprintf(e.stdout, "FAIL\t%s\t%s, %d failed\n", path, count(res.Passed+res.Failed, "case"), res.Failed)
		return exitFailure, res, true
	}
	fmt.Fprintf(e.stdout, "ok  \t%s\t%s\n", path, count(res.Passed, "case"))
	return exitOK, res, true
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
