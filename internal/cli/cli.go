// Package cli implements the permc command. Run is the whole program, so that tests
// drive it in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/internal/toolchain"
	"github.com/permc/permc/internal/version"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a request was malformed, a test failed
	exitSpec    = 2 // the spec or roles file does not compile, or the command line is wrong
)

const usage = `permc compiles authorization specs into Go checkers and Wasm modules.

Usage:

	permc <command> [arguments]

Commands:

	build-wasm  build a spec's WebAssembly module (and its TypeScript types)
	check       decide requests (JSON Lines) against a spec
	dts         write TypeScript declarations for a spec's requests and decisions
	generate    generate a Go package from a spec
	plan        compute the condition under which a permission is granted (and its SQL)
	pyi         write Python types (TypedDicts, Literals) for a spec's requests and decisions
	test        run YAML test suites against a spec
	vet         check a spec and report every problem
	version     print permc's version

Run 'permc <command> -h' for a command's flags.
`

// Run runs permc with args (without the program name) and returns its exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitSpec
	}
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "check":
		return env.check(args[1:])
	case "test":
		return env.test(args[1:])
	case "vet":
		return env.vet(args[1:])
	case "generate":
		return env.generate(args[1:])
	case "build-wasm":
		return env.buildWasm(args[1:])
	case "dts":
		return env.dts(args[1:])
	case "plan":
		return env.plan(args[1:])
	case "pyi":
		return env.pyi(args[1:])
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "permc %s (%s)\n", version.Version, goruntime.Version())
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "permc: unknown command %q\n\n%s", args[0], usage)
	return exitSpec
}

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// parse parses flags wherever they appear among the arguments, so that
// `permc check req.json --spec s.yaml` works as well as the usual order.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "-" || !strings.HasPrefix(args[0], "-") {
			rest = append(rest, args[0])
			args = args[1:]
			continue
		}
	}
}

func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: permc %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// loadSpec loads a spec, printing every error with its source line on failure.
func (e *env) loadSpec(path string) (*spec.Spec, bool) {
	if path == "" {
		fmt.Fprintln(e.stderr, "permc: --spec FILE is required")
		return nil, false
	}
	s, err := spec.LoadFile(path)
	if err != nil {
		e.printErrors(err)
		return nil, false
	}
	return s, true
}

// printErrors prints an ErrorList with its source lines, and then their count, or any
// other error as it is.
func (e *env) printErrors(err error) {
	var list spec.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return
	}
	fmt.Fprint(e.stderr, list.Pretty())
	if len(list) == 1 {
		fmt.Fprintln(e.stderr, "1 error")
	} else {
		fmt.Fprintf(e.stderr, "%d errors\n", len(list))
	}
}

func (e *env) vet(args []string) int {
	fs := e.flags("vet", "--spec FILE [--roles FILE [--max-roles-bytes N]] [-v]")
	specPath := fs.String("spec", "", "the spec `FILE` to check")
	rolesPath := fs.String("roles", "", "also check custom roles in `FILE` (JSON)")
	lim := limitFlags(fs, false)
	verbose := fs.Bool("v", false, "also report every expression's cost bound, in evaluation steps")
	rest, err := parse(fs, args)
	if err != nil || !e.validLimits(lim) {
		return exitSpec
	}
	if *specPath == "" && len(rest) == 1 {
		*specPath = rest[0]
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	// Warnings do not fail the spec.
	fmt.Fprint(e.stderr, s.Warnings.Pretty())
	e.costs(s, *verbose)
	var roles []*spec.Role
	if *rolesPath != "" {
		data, err := loadRoles(s, *rolesPath, lim.roles)
		if err != nil {
			e.printErrors(err)
			return exitSpec
		}
		roles, _ = s.ParseCustomRoles(data)
	}
	fmt.Fprintf(e.stdout, "%s: ok (%s, %s, %s, %s, %s)\n", *specPath,
		count(len(s.Resources), "resource type"), count(len(s.Permissions), "permission"),
		count(len(s.Scopes), "scope"), count(len(s.Roles), "role"), count(len(s.Rules), "rule"))
	if *rolesPath != "" {
		fmt.Fprintf(e.stdout, "%s: ok (%s)\n", *rolesPath, count(len(roles), "custom role"))
	}
	return exitOK
}

// count writes n and the noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// costs reports the cost bound of every expression when verbose, and otherwise warns
// about the bounds that grow with the product of the sizes of lists a request gives:
// those a request of modest size can make exhaust the evaluation budget.
func (e *env) costs(s *spec.Spec, verbose bool) {
	for _, eb := range s.Bounds() {
		for _, tb := range eb.Bounds {
			what := eb.What
			if tb.Resource != "" {
				what += fmt.Sprintf(" (with resource type %q)", tb.Resource)
			}
			n := tb.Bound.Exhausts(runtime.DefaultBudget)
			switch {
			case verbose && tb.Bound.String() == "0":
				fmt.Fprintf(e.stdout, "%s: %s: no steps\n", eb.Expr.Pos, what)
			case verbose:
				fmt.Fprintf(e.stdout, "%s: %s: at most %s steps", eb.Expr.Pos, what, tb.Bound)
				if tb.Bound.Degree() > 1 {
					fmt.Fprintf(e.stdout, " (lists of %d elements exhaust the budget)", n)
				}
				fmt.Fprintln(e.stdout)
			case tb.Bound.Degree() > 1:
				fmt.Fprintf(e.stderr, "%s: warning: %s takes up to %s steps: lists of %d elements exhaust the evaluation budget of %d steps, and the check fails\n",
					eb.Expr.Pos, what, tb.Bound, n, runtime.DefaultBudget)
			}
		}
	}
}

// loadRoles reads and validates the custom roles file at path, of at most limit bytes
// (and reads no more of a longer one).
func loadRoles(s *spec.Spec, path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err == nil {
		err = runtime.CheckRolesLength(len(data), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if _, err := s.ParseCustomRoles(data); err != nil {
		return nil, spec.CustomRolesError(path, data, err)
	}
	return data, nil
}

// decider is a backend that answers requests: the reference evaluator, generated Go
// or a Wasm module.
type decider interface {
	DecideJSON(req []byte) []byte
	LoadRoles(data []byte) error
}

// backend builds the decider a --backend flag names, with the limits of the command.
// Building the generated code takes a while the first time for a spec and Go
// toolchain, and says so.
func (e *env) backend(name string, s *spec.Spec, lim *limits) (decider, func(), error) {
	const why = "once per spec and Go version (later runs take it from the cache)"
	switch name {
	case "", "eval":
		ev, err := eval.New(s, eval.Options{MaxRequestBytes: lim.request, MaxRolesBytes: lim.roles})
		return ev, func() {}, err
	case "go":
		ctx := toolchain.WithProgress(context.Background(), e.stderr,
			fmt.Sprintf("the generated Go of %s with %s for --backend go, %s", s.File, goruntime.Version(), why))
		bin, err := gobackend.Build(ctx, s)
		if err != nil {
			return nil, nil, fmt.Errorf("backend go: %v", err)
		}
		d, err := gobackend.Start(bin, gobackend.Limits{MaxRequestBytes: lim.request, MaxRolesBytes: lim.roles})
		if err != nil {
			return nil, nil, fmt.Errorf("backend go: %v", err)
		}
		return d, func() { d.Close() }, nil
	case "wasm":
		b, err := newWasmBackend(context.Background(), s, lim)
		if err != nil {
			return nil, nil, fmt.Errorf("backend wasm: %v", err)
		}
		return b, b.Close, nil
	}
	return nil, nil, fmt.Errorf("unknown backend %q (want eval, go or wasm)", name)
}
