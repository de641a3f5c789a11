package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/runtime/cond/pgsql"
	"github.com/permc/permc/spec"
)

const planSynopsis = "--spec FILE --permission P [--roles FILE] [--sql --columns FILE] [--max-request-bytes N] [--max-roles-bytes N] [REQUEST | -]"

// plan prints the query plan of one request: the condition a resource must satisfy
// for the permission to be granted, and with --sql its PostgreSQL WHERE clause.
func (e *env) plan(args []string) int {
	fs := e.flags("plan", planSynopsis)
	specPath := fs.String("spec", "", "the spec `FILE`")
	rolesPath := fs.String("roles", "", "custom roles `FILE` (JSON)")
	permission := fs.String("permission", "", "the `permission` to plan (else the request's \"permission\")")
	withSQL := fs.Bool("sql", false, "also translate the plan into a PostgreSQL WHERE clause (needs --columns)")
	columnsPath := fs.String("columns", "", "`FILE` (YAML or JSON) mapping each resource type to {table, columns: {attribute: column}}")
	lim := limitFlags(fs, true)
	rest, err := parse(fs, args)
	if err != nil || !e.validLimits(lim) {
		return exitSpec
	}
	if len(rest) > 1 {
		fmt.Fprintln(e.stderr, "permc plan: at most one REQUEST file (or - for standard input)")
		return exitSpec
	}
	if *withSQL && *columnsPath == "" {
		fmt.Fprintln(e.stderr, "permc plan: --sql needs --columns FILE")
		return exitSpec
	}
	if !*withSQL && *columnsPath != "" {
		*withSQL = true
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	ev, err := eval.New(s, eval.Options{MaxRequestBytes: lim.request, MaxRolesBytes: lim.roles})
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec
	}
	if *rolesPath != "" {
		roles, err := loadRoles(s, *rolesPath, lim.roles)
		if err != nil {
			e.printErrors(err)
			return exitSpec
		}
		if err := ev.LoadRoles(roles); err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", *rolesPath, err)
			return exitSpec
		}
	}
	var tables map[string]*pgsql.Table
	if *withSQL {
		data, err := os.ReadFile(*columnsPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitSpec
		}
		if tables, err = parseMapping(data); err == nil {
			err = checkMapping(s, tables)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", *columnsPath, err)
			return exitSpec
		}
	}
	in := e.stdin
	if len(rest) == 1 && rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitSpec
		}
		defer f.Close()
		in = f
	}
	// No more than the limit and a byte: the planner answers a longer request with
	// the limit's error.
	req, err := io.ReadAll(io.LimitReader(in, int64(lim.request)+1))
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: reading the request: %v\n", err)
		return exitFailure
	}
	p, err := plan.New(ev)
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	pl, err := p.PlanJSON(req, *permission)
	if err != nil {
		out.Write(runtime.AppendErrorJSON(nil, err.Error()))
		out.WriteByte('\n')
		return exitFailure
	}
	b := pl.AppendJSON(nil)
	status := exitOK
	if *withSQL {
		t := tables[pl.Resource.Name]
		if t == nil {
			out.Write(append(b, '\n'))
			out.Flush()
			fmt.Fprintf(e.stderr, "%s: no table for resource type %q\n", *columnsPath, pl.Resource.Name)
			return exitSpec
		}
		q, err := pgsql.Select(pl.Cond, t, "*")
		var where *pgsql.Query
		if err == nil {
			where, err = pgsql.Where(pl.Cond, t, 1)
		}
		if err != nil {
			out.Write(append(b, '\n'))
			out.Flush()
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitFailure
		}
		b = b[:len(b)-1] // reopen the plan object
		b = append(b, `,"sql":{"table":`...)
		b = runtime.AppendJSONString(b, t.Name)
		b = append(b, `,"where":`...)
		b = runtime.AppendJSONString(b, where.Where)
		b = append(b, `,"query":`...)
		b = runtime.AppendJSONString(b, q.Where)
		b = append(b, `,"args":[`...)
		for i, a := range where.Args {
			if i > 0 {
				b = append(b, ',')
			}
			b = cond.AppendValueJSON(b, argValue(a))
		}
		b = append(b, "]}}"...)
	}
	out.Write(append(b, '\n'))
	return status
}

// argValue converts an SQL argument to the values cond.AppendValueJSON encodes.
func argValue(a any) any {
	switch x := a.(type) {
	case []string:
		return toAny(x)
	case []int64:
		return toAny(x)
	case []float64:
		return toAny(x)
	case []bool:
		return toAny(x)
	case [][]byte:
		return toAny(x)
	case []time.Time:
		return toAny(x)
	}
	return a
}

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// checkMapping catches misspelt resource types and attributes in a column mapping.
func checkMapping(s *spec.Spec, tables map[string]*pgsql.Table) error {
	var types []string
	for _, r := range s.Resources {
		types = append(types, r.Name)
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	var problems []string
	for _, name := range names {
		r := s.Resource(name)
		if r == nil {
			problems = append(problems, fmt.Sprintf("unknown resource type %q%s", name, didYouMean(name, types)))
			continue
		}
		attrs := []string{"id"}
		for _, a := range r.Attributes {
			attrs = append(attrs, a.Name)
		}
		cols := make([]string, 0, len(tables[name].Columns))
		for attr := range tables[name].Columns {
			cols = append(cols, attr)
		}
		sort.Strings(cols)
		for _, attr := range cols {
			if attr != "id" && r.Attribute(attr) == nil {
				problems = append(problems, fmt.Sprintf("resource type %q has no attribute %q%s", name, attr, didYouMean(attr, attrs)))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func didYouMean(name string, candidates []string) string {
	if s := spec.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
