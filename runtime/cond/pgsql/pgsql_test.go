package pgsql_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/runtime/cond/pgsql"
)

var (
	title   = &cond.Attr{Name: "title", T: cond.StringType}
	public  = &cond.Attr{Name: "public", T: cond.BoolType}
	score   = &cond.Attr{Name: "score", T: cond.DoubleType}
	level   = &cond.Attr{Name: "level", T: cond.IntType}
	count   = &cond.Attr{Name: "count", T: cond.UintType}
	ttl     = &cond.Attr{Name: "ttl", T: cond.DurationType}
	created = &cond.Attr{Name: "created", T: cond.TimestampType}
	blob    = &cond.Attr{Name: "blob", T: cond.BytesType}
	tags    = &cond.Attr{Name: "tags", T: cond.ListOf(cond.StringType)}
	nums    = &cond.Attr{Name: "nums", T: cond.ListOf(cond.IntType)}
	scores  = &cond.Attr{Name: "scores", T: cond.ListOf(cond.DoubleType)}
	labels  = &cond.Attr{Name: "labels", T: cond.MapOf(cond.StringType)}
	owner   = &cond.Attr{Name: "owner", T: cond.StringType}

	docs = &pgsql.Table{Name: "app.docs", Columns: map[string]string{
		"title": "title", "public": "is_public", "score": "score", "level": "level", "count": "count",
		"ttl": "ttl_ns", "created": "created", "blob": "blob", "tags": "tags", "nums": "nums",
		"scores": "scores", "labels": "labels", "owner": "d.owner",
	}}
	at = &cond.Origin{What: `rule "r"`, Pos: "spec.yaml:3:11", Expr: "resource.title.matches('^a')"}
)

func str(s string) *cond.Lit { return &cond.Lit{V: s, T: cond.StringType} }
func num(n int64) *cond.Lit  { return &cond.Lit{V: n, T: cond.IntType} }
func strs(xs ...string) *cond.Lit {
	l := make([]any, len(xs))
	for i, x := range xs {
		l[i] = x
	}
	return &cond.Lit{V: l, T: cond.ListOf(cond.StringType)}
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC) // microsecond precision

// TestTranslationRules pins the SQL of each translation rule.
func TestTranslationRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    cond.Cond
		sql  string
		args []any
	}{
		{"true", cond.True, "TRUE", nil},
		{"false", cond.False, "FALSE", nil},
		{"string equality", &cond.Compare{Op: cond.Eq, L: title, R: str("x")}, `"title" = $1::text`, []any{"x"}},
		{"qualified column", &cond.Compare{Op: cond.Eq, L: owner, R: str("x")}, `"d"."owner" = $1::text`, []any{"x"}},
		{"string order is code point order", &cond.Compare{Op: cond.Lt, L: title, R: str("M")}, `"title" COLLATE "C" < $1::text`, []any{"M"}},
		{"strings compared with each other", &cond.Compare{Op: cond.Ge, L: title, R: owner}, `"title" COLLATE "C" >= "d"."owner"`, nil},
		{"bool is its column", &cond.Compare{Op: cond.Eq, L: public, R: &cond.Lit{V: true, T: cond.BoolType}}, `"is_public"`, nil},
		{"not bool", &cond.Not{X: &cond.Compare{Op: cond.Eq, L: public, R: &cond.Lit{V: true, T: cond.BoolType}}}, `NOT "is_public"`, nil},
		{"int", &cond.Compare{Op: cond.Le, L: level, R: num(3)}, `"level" <= $1::bigint`, []any{int64(3)}},
		{"uint travels as text", &cond.Compare{Op: cond.Gt, L: count, R: &cond.Lit{V: uint64(18446744073709551615), T: cond.UintType}}, `"count" > $1::text::numeric`, []any{"18446744073709551615"}},
		{"double excludes NaN", &cond.Compare{Op: cond.Gt, L: score, R: &cond.Lit{V: 1.5, T: cond.DoubleType}}, `("score" <> 'NaN'::double precision AND "score" > $1::double precision)`, []any{1.5}},
		{"doubles compared with each other", &cond.Compare{Op: cond.Eq, L: score, R: &cond.Attr{Name: "level", T: cond.DoubleType}}, `("score" <> 'NaN'::double precision AND "level" <> 'NaN'::double precision AND "score" = "level")`, nil},
		{"duration in nanoseconds", &cond.Compare{Op: cond.Ge, L: ttl, R: &cond.Lit{V: 90 * time.Second, T: cond.DurationType}}, `"ttl_ns" >= $1::bigint`, []any{int64(90e9)}},
		{"timestamp", &cond.Compare{Op: cond.Lt, L: created, R: &cond.Lit{V: t0, T: cond.TimestampType}}, `"created" < $1::timestamptz`, []any{t0}},
		{"timestamp with nanoseconds, <", &cond.Compare{Op: cond.Lt, L: created, R: &cond.Lit{V: t0.Add(1), T: cond.TimestampType}}, `"created" <= $1::timestamptz`, []any{t0}},
		{"timestamp with nanoseconds, >=", &cond.Compare{Op: cond.Ge, L: created, R: &cond.Lit{V: t0.Add(999), T: cond.TimestampType}}, `"created" > $1::timestamptz`, []any{t0}},
		{"timestamp with nanoseconds, ==", &cond.Compare{Op: cond.Eq, L: created, R: &cond.Lit{V: t0.Add(1), T: cond.TimestampType}}, `FALSE`, nil},
		{"string with NUL, <", &cond.Compare{Op: cond.Lt, L: title, R: str("a\x00b")}, `"title" COLLATE "C" <= $1::text`, []any{"a"}},
		{"string with NUL, ==", &cond.Compare{Op: cond.Eq, L: title, R: str("a\x00")}, `FALSE`, nil},
		{"bytes", &cond.Compare{Op: cond.Ge, L: blob, R: &cond.Lit{V: []byte("a"), T: cond.BytesType}}, `"blob" >= $1::bytea`, []any{[]byte("a")}},
		{"list equality", &cond.Compare{Op: cond.Eq, L: tags, R: strs("a", "b")}, `"tags" = $1::text[]`, []any{[]string{"a", "b"}}},
		{"double list equality excludes NaN", &cond.Compare{Op: cond.Eq, L: scores, R: &cond.Lit{V: []any{1.0}, T: cond.ListOf(cond.DoubleType)}}, `(NOT ('NaN'::double precision = ANY("scores")) AND "scores" = $1::double precision[])`, []any{[]float64{1}}},
		{"column in constants", &cond.In{Elem: title, Coll: strs("a", "b")}, `"title" = ANY($1::text[])`, []any{[]string{"a", "b"}}},
		{"constant in column", &cond.In{Elem: str("archived"), Coll: tags}, `$1::text = ANY("tags")`, []any{"archived"}},
		{"column in column", &cond.In{Elem: title, Coll: tags}, `"title" = ANY("tags")`, nil},
		{"unstorable constants dropped", &cond.In{Elem: title, Coll: strs("a\x00", "b")}, `"title" = ANY($1::text[])`, []any{[]string{"b"}}},
		{"no storable constant", &cond.In{Elem: title, Coll: strs("a\x00")}, `FALSE`, nil},
		{"startsWith escapes LIKE", &cond.StrTest{Fn: cond.StartsWith, S: title, Arg: str(`a_%\`)}, `"title" LIKE $1::text`, []any{`a\_\%\\%`}},
		{"endsWith", &cond.StrTest{Fn: cond.EndsWith, S: title, Arg: str("b")}, `"title" LIKE $1::text`, []any{"%b"}},
		{"contains", &cond.StrTest{Fn: cond.Contains, S: title, Arg: str("b")}, `"title" LIKE $1::text`, []any{"%b%"}},
		{"startsWith a column", &cond.StrTest{Fn: cond.StartsWith, S: str("abc"), Arg: title}, `starts_with($1::text, "title")`, []any{"abc"}},
		{"endsWith a column", &cond.StrTest{Fn: cond.EndsWith, S: title, Arg: owner}, `right("title", char_length("d"."owner")) = "d"."owner"`, nil},
		{"contains a column", &cond.StrTest{Fn: cond.Contains, S: title, Arg: owner}, `strpos("title", "d"."owner") > 0`, nil},
		{"size of a list", &cond.Compare{Op: cond.Gt, L: &cond.Size{Of: tags}, R: num(1)}, `cardinality("tags") > $1::bigint`, []any{int64(1)}},
		{"size of a string", &cond.Compare{Op: cond.Eq, L: &cond.Size{Of: title}, R: num(1)}, `char_length("title") = $1::bigint`, []any{int64(1)}},
		{"size of bytes", &cond.Compare{Op: cond.Eq, L: &cond.Size{Of: blob}, R: num(1)}, `octet_length("blob") = $1::bigint`, []any{int64(1)}},
		{"exists in constants is overlap", &cond.Quant{Var: "t", List: tags, Body: &cond.In{Elem: &cond.Var{Name: "t", T: cond.StringType}, Coll: strs("a", "b")}}, `"tags" && $1::text[]`, []any{[]string{"a", "b"}}},
		{"exists", &cond.Quant{Var: "t", List: tags, Body: &cond.StrTest{Fn: cond.StartsWith, S: &cond.Var{Name: "t", T: cond.StringType}, Arg: str("a")}},
			`EXISTS (SELECT 1 FROM unnest("tags") AS q1(v) WHERE q1.v LIKE $1::text)`, []any{"a%"}},
		{"all", &cond.Quant{All: true, Var: "n", List: nums, Body: &cond.Compare{Op: cond.Ge, L: &cond.Var{Name: "n", T: cond.IntType}, R: num(2)}},
			`NOT EXISTS (SELECT 1 FROM unnest("nums") AS q1(v) WHERE q1.v < $1::bigint)`, []any{int64(2)}},
		{"nested quantifiers", &cond.Quant{Var: "t", List: tags, Body: &cond.Quant{Var: "n", List: nums, Body: &cond.Compare{Op: cond.Eq, L: &cond.Size{Of: &cond.Var{Name: "t", T: cond.StringType}}, R: &cond.Var{Name: "n", T: cond.IntType}}}},
			`EXISTS (SELECT 1 FROM unnest("tags") AS q1(v) WHERE EXISTS (SELECT 1 FROM unnest("nums") AS q2(v) WHERE char_length(q1.v) = q2.v))`, nil},
		{"not equal", &cond.Not{X: &cond.Compare{Op: cond.Eq, L: title, R: str("x")}}, `"title" <> $1::text`, []any{"x"}},
		{"not equal, timestamp with nanoseconds", &cond.Not{X: &cond.Compare{Op: cond.Eq, L: created, R: &cond.Lit{V: t0.Add(1), T: cond.TimestampType}}}, `TRUE`, nil},
		{"not equal, doubles", &cond.Not{X: &cond.Compare{Op: cond.Eq, L: score, R: &cond.Lit{V: 1.5, T: cond.DoubleType}}}, `NOT ("score" <> 'NaN'::double precision AND "score" = $1::double precision)`, []any{1.5}},
		{"and, or, not", cond.And{&cond.Not{X: &cond.In{Elem: str("archived"), Coll: tags}}, cond.Or{isPublic, &cond.Compare{Op: cond.Eq, L: title, R: str("x")}}},
			`(NOT ($1::text = ANY("tags")) AND ("is_public" OR "title" = $2::text))`, []any{"archived", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := pgsql.Where(tc.c, docs, 1)
			if err != nil {
				t.Fatal(err)
			}
			if q.Where != tc.sql {
				t.Errorf("%s\n got %s\nwant %s", tc.c, q.Where, tc.sql)
			}
			if len(q.Args) != len(tc.args) || len(tc.args) > 0 && !reflect.DeepEqual(q.Args, tc.args) {
				t.Errorf("%s\n got args %#v\nwant %#v", tc.c, q.Args, tc.args)
			}
		})
	}
}

var isPublic = &cond.Compare{Op: cond.Eq, L: public, R: &cond.Lit{V: true, T: cond.BoolType}}

func TestFirstParam(t *testing.T) {
	c := cond.And{&cond.Compare{Op: cond.Eq, L: title, R: str("x")}, &cond.Compare{Op: cond.Eq, L: level, R: num(1)}}
	q, err := pgsql.Where(c, docs, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := `("title" = $3::text AND "level" = $4::bigint)`; q.Where != want {
		t.Errorf("got %s, want %s", q.Where, want)
	}
	q, err = pgsql.Select(c, &pgsql.Table{Name: `we"ird`, Columns: docs.Columns}, "id")
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT id FROM "we""ird" WHERE ("title" = $1::text AND "level" = $2::bigint)`; q.Where != want {
		t.Errorf("got %s, want %s", q.Where, want)
	}
}

// TestUntranslatable checks that what has no exact translation is an error that names
// the expression and its place in the spec, wherever it hides in the condition.
func TestUntranslatable(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    cond.Cond
		want string
	}{
		{"regular expression", &cond.Matches{S: title, Pattern: "^a", At: at}, `spec.yaml:3:11: rule "r": cannot translate resource.title.matches('^a') to SQL: regular expressions`},
		{"residual", &cond.Residual{Expr: "resource.level + 1 == 2", Why: "arithmetic is not supported in plans when it depends on the resource", At: at}, "arithmetic"},
		{"deep inside", cond.Or{cond.True, cond.And{&cond.Not{X: &cond.Matches{S: title, Pattern: "x", At: at}}}}, "spec.yaml:3:11"},
		{"map attribute", &cond.In{Elem: str("k"), Coll: labels, At: at}, "maps have no PostgreSQL mapping"},
		{"no column", &cond.Compare{Op: cond.Eq, L: &cond.Attr{Name: "colour", T: cond.StringType}, R: str("x"), At: at}, `table app.docs has no column for attribute "colour"`},
		{"list of lists", &cond.Compare{Op: cond.Eq, L: &cond.Attr{Name: "tags", T: cond.ListOf(cond.ListOf(cond.StringType))}, R: str("x"), At: at}, "has no PostgreSQL mapping"},
		{"NUL in a string searched for a column", &cond.StrTest{Fn: cond.Contains, S: str("a\x00b"), Arg: title, At: at}, "NUL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := pgsql.Where(tc.c, docs, 1)
			if err == nil {
				t.Fatalf("got %s, want an error", q.Where)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
