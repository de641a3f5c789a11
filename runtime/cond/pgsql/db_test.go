package pgsql_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/pgtest"
	"github.com/permc/permc/internal/plantest"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime/cond/pgsql"
	"github.com/permc/permc/spec"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// columnType is the column type of an attribute type, as the package documents.
func columnType(t *spec.Type) string {
	switch t.Kind {
	case spec.Bool:
		return "boolean"
	case spec.Int, spec.Duration:
		return "bigint"
	case spec.Uint:
		return "numeric"
	case spec.Double:
		return "double precision"
	case spec.String:
		return "text"
	case spec.Bytes:
		return "bytea"
	case spec.Timestamp:
		return "timestamptz"
	case spec.List:
		return columnType(t.Elem) + "[]"
	}
	return "" // maps: no column
}

// columnValue converts an attribute value to what pgx encodes into its column.
func columnValue(t *spec.Type, v any) any {
	switch t.Kind {
	case spec.Uint:
		return pgtype.Numeric{Int: new(big.Int).SetUint64(v.(uint64)), Valid: true}
	case spec.Duration:
		return int64(v.(time.Duration))
	case spec.List:
		elems := v.([]any)
		switch t.Elem.Kind {
		case spec.String:
			out := make([]string, len(elems))
			for i, e := range elems {
				out[i] = e.(string)
			}
			return out
		case spec.Int:
			out := make([]int64, len(elems))
			for i, e := range elems {
				out[i] = e.(int64)
			}
			return out
		}
		panic(fmt.Sprintf("no column value for %s", t))
	}
	return v
}

// table is one resource type's table, seeded with random rows.
type table struct {
	res   *spec.Resource
	name  string
	attrs []*spec.Attribute // those with a column
	rows  []row
	pg    *pgsql.Table
}

type row struct {
	id    string
	attrs map[string]any
	json  []byte // the check request's resource
	// nan marks rows with a NaN double: JSON cannot carry NaN, so the evaluator never
	// sees one, but generated Go code can, and the SQL must treat it as CEL does.
	nan bool
}

// textCollation is the collation of the test tables' text columns: not "C", so that
// the tests notice a string ordering that does not say COLLATE "C".
func textCollation(t testing.TB, ctx context.Context, pool *pgxpool.Pool) string {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_collation WHERE collname = 'en-x-icu'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Log("PostgreSQL has no ICU collation en-x-icu: text columns use the database's collation")
		return ""
	}
	return ` COLLATE "en-x-icu"`
}

func createTable(t testing.TB, ctx context.Context, pool *pgxpool.Pool, name string, res *spec.Resource) *table {
	t.Helper()
	coll := textCollation(t, ctx, pool)
	tb := &table{res: res, name: name, pg: &pgsql.Table{Name: name, Columns: map[string]string{"id": "id"}}}
	cols := []string{"row_id integer PRIMARY KEY", "id text" + coll + " NOT NULL"}
	for _, a := range res.Attributes {
		typ := columnType(a.Type)
		if typ == "" {
			continue
		}
		tb.attrs = append(tb.attrs, a)
		tb.pg.Columns[a.Name] = a.Name
		if strings.HasPrefix(typ, "text") {
			typ += coll
		}
		cols = append(cols, pgx.Identifier{a.Name}.Sanitize()+" "+typ+" NOT NULL")
	}
	stmt := fmt.Sprintf("DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s)", name, name, strings.Join(cols, ", "))
	if _, err := pool.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return tb
}

func (tb *table) seed(t testing.TB, ctx context.Context, pool *pgxpool.Pool, g *plantest.Gen, n int) {
	t.Helper()
	names := []string{"row_id", "id"}
	for _, a := range tb.attrs {
		names = append(names, a.Name)
	}
	var data [][]any
	for i := 0; i < n; i++ {
		g.MicroTimestamps = true
		id, attrs := g.Resource(tb.res)
		g.MicroTimestamps = false
		r := row{id: id, attrs: attrs, json: plantest.ResourceJSON(tb.res, id, attrs)}
		// A few special doubles that JSON cannot carry.
		for _, a := range tb.attrs {
			if a.Type.Kind == spec.Double && i%97 == 5 {
				attrs[a.Name] = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[i%3]
				r.nan = true
			}
		}
		vals := []any{i, id}
		for _, a := range tb.attrs {
			vals = append(vals, columnValue(a.Type, attrs[a.Name]))
		}
		data = append(data, vals)
		tb.rows = append(tb.rows, r)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{tb.name}, names, pgx.CopyFromRows(data)); err != nil {
		t.Fatalf("seeding %s: %v", tb.name, err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE "+tb.name); err != nil {
		t.Fatal(err)
	}
}

func loadSpec(t testing.TB, path, rolesPath string) (*eval.Evaluator, *plan.Planner, []string) {
	t.Helper()
	ev, p, _, custom := plantest.Setup(t, path, rolesPath)
	return ev, p, custom
}

// TestSQLSelectsExactlyTheAllowedRows seeds thousands of random rows per resource
// type and, for many random principals, credentials and contexts, compares the rows
// the translated plan selects in PostgreSQL with the rows the reference evaluator
// allows, one check per row.
func TestSQLSelectsExactlyTheAllowedRows(t *testing.T) {
	pool := pgtest.Pool(t)
	defer pool.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name, spec, roles string
		rows, requests    int
		untranslatable    []string // permissions whose plans may have no SQL
	}{
		{"contentlibraries", "../../../examples/contentlibraries/spec.yaml", "../../../examples/contentlibraries/roles.json", 2000, 12, nil},
		{"ops", "../../../plan/testdata/ops.yaml", "", 2000, 12, []string{"doc.audit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, p, custom := loadSpec(t, tc.spec, tc.roles)
			s := ev.Spec()
			g := plantest.New(s, 7)
			g.CustomRoles = custom
			for i := 0; i < 60; i++ {
				g.IDs = append(g.IDs, fmt.Sprintf("lib-%d", i))
			}
			tables := map[string]*table{}
			for _, res := range s.Resources {
				tb := createTable(t, ctx, pool, tc.name+"_"+res.Name, res)
				tb.seed(t, ctx, pool, g, tc.rows)
				tables[res.Name] = tb
			}
			conditional := 0
			requests := tc.requests
			if raceEnabled {
				requests /= 2
			}
			for _, perm := range s.Permissions {
				tb := tables[perm.Resource.Name]
				for i := 0; i < requests; i++ {
					req := g.Request(1 + i%8)
					reqJSON := plantest.JSON(req)
					pl, err := p.PlanJSON(reqJSON, perm.Name)
					if err != nil {
						t.Fatal(err)
					}
					if pl.Decision() == plan.Conditional {
						conditional++
					}
					q, err := pgsql.Where(pl.Cond, tb.pg, 1)
					if err != nil {
						if contains(tc.untranslatable, perm.Name) {
							continue
						}
						t.Fatalf("%s: %v\nplan: %s", perm.Name, err, pl.Cond)
					}
					got := selectRows(t, ctx, pool, tb.name, q)
					for j, r := range tb.rows {
						res := map[string]any{"id": r.id}
						for k, v := range r.attrs {
							res[k] = v
						}
						inPlan := pl.Allows(res)
						if got[j] != inPlan {
							t.Fatalf("%s row %d: SQL selects it = %v, the plan allows it = %v\nrow: %v\nplan: %s\nSQL: %s\nargs: %v",
								perm.Name, j, got[j], inPlan, res, pl.Cond, q.Where, q.Args)
						}
						if r.nan {
							continue
						}
						check := plantest.CheckRequestJSON(reqJSON, perm, r.json)
						d, err := ev.Decide(check)
						if err != nil {
							t.Fatalf("%v\n%s", err, check)
						}
						if d.Allowed != got[j] {
							t.Fatalf("%s row %d: SQL selects it = %v, the check allows it = %v (%v)\nrequest: %s\nplan: %s\nSQL: %s\nargs: %v",
								perm.Name, j, got[j], d.Allowed, d.Reason, check, pl.Cond, q.Where, q.Args)
						}
					}
				}
			}
			if conditional < len(s.Permissions) {
				t.Errorf("only %d conditional plans: the test exercises too little SQL", conditional)
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func selectRows(t testing.TB, ctx context.Context, pool *pgxpool.Pool, name string, q *pgsql.Query) map[int]bool {
	t.Helper()
	rows, err := pool.Query(ctx, "SELECT row_id FROM "+name+" WHERE "+q.Where, q.Args...)
	if err != nil {
		t.Fatalf("%v\nSQL: %s\nargs: %v", err, q.Where, q.Args)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatalf("%v\nSQL: %s\nargs: %v", err, q.Where, q.Args)
	}
	out := make(map[int]bool, len(ids))
	for _, id := range ids {
		out[int(id)] = true
	}
	return out
}
