package cli

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/permc/permc/gen"
)

// generate writes the Go package generated from a spec into a folder:
//
//	permc generate --spec FILE --out DIR [--package NAME]
//
// From a go:generate line it runs in the folder of the file holding the line, so
// relative paths work there.
func (e *env) generate(args []string) int {
	fs := e.flags("generate", "--spec FILE --out DIR [--package NAME]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	out := fs.String("out", "", "the `DIR`ectory to write the package into (created if needed)")
	pkg := fs.String("package", "", "the package `NAME` (default: the spec's package)")
	rest, err := parse(fs, args)
	if err != nil {
		return exitSpec
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "permc generate: unexpected arguments %s\n", strings.Join(rest, " "))
		return exitSpec
	}
	if *out == "" {
		fmt.Fprintln(e.stderr, "permc: --out DIR is required")
		return exitSpec
	}
	if *pkg != "" && (!token.IsIdentifier(*pkg) || token.IsKeyword(*pkg)) {
		fmt.Fprintf(e.stderr, "permc: --package %q is not a valid Go package name\n", *pkg)
		return exitSpec
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	files, err := gen.Generate(s, gen.Options{Package: *pkg})
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitFailure
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitFailure
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitFailure
		}
	}
	fmt.Fprintf(e.stdout, "%s: wrote %s\n", *out, strings.Join(names, ", "))
	return exitOK
}
