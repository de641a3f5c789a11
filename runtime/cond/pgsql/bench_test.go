package pgsql_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/permc/permc/internal/pgtest"
	"github.com/permc/permc/plan"
	"github.com/permc/permc/runtime/cond/pgsql"
)

// The benchmark tables: 100,000 libraries of 500 orgs (200 each), every tenth
// archived, every fiftieth public; one table with an index on the scope column (org),
// one without.
const benchRows = 100000

var (
	benchOnce sync.Once
	benchErr  error
)

func benchTables(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		for _, name := range []string{"bench_libraries_indexed", "bench_libraries_scan"} {
			stmt := fmt.Sprintf(`DROP TABLE IF EXISTS %[1]s;
CREATE TABLE %[1]s (id text NOT NULL, org text NOT NULL, public boolean NOT NULL, tags text[] NOT NULL);
INSERT INTO %[1]s
  SELECT 'lib-' || i, 'org' || (i %% 500), i %% 50 = 0,
         CASE WHEN i %% 10 = 0 THEN ARRAY['archived', 'physics'] ELSE ARRAY['physics'] END
  FROM generate_series(1, %[2]d) AS i;`, name, benchRows)
			if strings.HasSuffix(name, "indexed") {
				stmt += fmt.Sprintf("CREATE INDEX ON %s (org);", name)
			}
			stmt += "ANALYZE " + name
			if _, benchErr = pool.Exec(ctx, stmt); benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		t.Fatal(benchErr)
	}
}

// authorAt returns the plan of library.edit for an author at n orgs.
func authorAt(t testing.TB, p *plan.Planner, n int) *plan.Plan {
	t.Helper()
	var roles []string
	for i := 0; i < n; i++ {
		roles = append(roles, fmt.Sprintf(`{"role": "library_author", "scope": {"type": "org", "org": "org%d"}}`, 7+i*31))
	}
	pl, err := p.PlanJSON([]byte(`{"principal": {"id": "alice", "roles": [`+strings.Join(roles, ",")+`]}}`), "library.edit")
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func benchQuery(t testing.TB, pl *plan.Plan, table string) *pgsql.Query {
	t.Helper()
	q, err := pgsql.Where(pl.Cond, &pgsql.Table{Name: table, Columns: map[string]string{"id": "id", "org": "org", "public": "public", "tags": "tags"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	q.Where = "SELECT id FROM " + table + " WHERE " + q.Where
	return q
}

// TestExplainUsesIndex checks that PostgreSQL answers a plan's query through the
// index on the scope column, and shows the EXPLAIN output (go test -v).
func TestExplainUsesIndex(t *testing.T) {
	pool := pgtest.Pool(t)
	defer pool.Close()
	benchTables(t, pool)
	_, p, _ := loadSpec(t, "../../../examples/contentlibraries/spec.yaml", "")
	for _, n := range []int{1, 10} {
		pl := authorAt(t, p, n)
		for _, table := range []string{"bench_libraries_indexed", "bench_libraries_scan"} {
			q := benchQuery(t, pl, table)
			rows, err := pool.Query(context.Background(), "EXPLAIN "+q.Where, q.Args...)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			out := strings.Join(lines, "\n")
			t.Logf("%d org(s), %s:\n%s\n%s", n, table, q.Where, out)
			indexed := strings.Contains(out, "Index Scan") || strings.Contains(out, "Bitmap Index Scan")
			if indexed != (table == "bench_libraries_indexed") {
				t.Errorf("%s: index used = %v:\n%s", table, indexed, out)
			}
		}
	}
}

// BenchmarkQuery runs the plan query of an author at 1 and 10 orgs on 100,000
// libraries, with and without an index on org, fetching every allowed id.
func BenchmarkQuery(b *testing.B) {
	pool := pgtest.Pool(b)
	defer pool.Close()
	benchTables(b, pool)
	_, p, _ := loadSpec(b, "../../../examples/contentlibraries/spec.yaml", "")
	ctx := context.Background()
	for _, n := range []int{1, 10} {
		pl := authorAt(b, p, n)
		for _, table := range []string{"bench_libraries_indexed", "bench_libraries_scan"} {
			q := benchQuery(b, pl, table)
			b.Run(fmt.Sprintf("orgs=%d/%s", n, strings.TrimPrefix(table, "bench_libraries_")), func(b *testing.B) {
				b.ReportAllocs()
				var want int
				if err := pool.QueryRow(ctx, "SELECT count(*) FROM ("+q.Where+") AS allowed", q.Args...).Scan(&want); err != nil || want < 180*n {
					b.Fatalf("%d allowed rows (%v)", want, err)
				}
				for b.Loop() {
					rows, err := pool.Query(ctx, q.Where, q.Args...)
					if err != nil {
						b.Fatal(err)
					}
					ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						b.Fatal(err)
					}
					if len(ids) != want {
						b.Fatalf("%d rows, want %d", len(ids), want)
					}
				}
			})
		}
	}
}
