package wasmc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

// The evaluation budget (docs/spec.md): which operations charge how many steps, that
// an exhausted budget fails the operation that charged (failing closed) and every
// later charge of the check, and that each check starts afresh.
func TestBudget(t *testing.T) {
	const src = `version: 1
package: budget
principal:
  tags: list(string)
  s: string
  t: string
resources:
  doc:
    permissions: [macro, shortcut, in, listeq, concat, streq, strconcat, size, matches, contains, less, mapeq, nested, absorbed, deny, scope]
scopes:
  any:
    match: "principal.tags.exists(x, x == 'zz')"
roles:
  reader:
    permissions: [doc.scope]
rules:
  - id: macro
    allow: [doc.macro]
    when: "principal.tags.exists(x, x == 'zz')"
  - id: shortcut
    allow: [doc.shortcut]
    when: "principal.tags.exists(x, x == 'b')"
  - id: in
    allow: [doc.in]
    when: "'zz' in principal.tags"
  - id: listeq
    allow: [doc.listeq]
    when: "principal.tags == principal.tags"
  - id: concat
    allow: [doc.concat]
    when: "size(principal.tags + principal.tags) == 10"
  - id: streq
    allow: [doc.streq]
    when: "principal.s == principal.s"
  - id: strconcat
    allow: [doc.strconcat]
    when: "principal.s + principal.s != 'x'"
  - id: size
    allow: [doc.size]
    when: "size(principal.s) == 200"
  - id: matches
    allow: [doc.matches]
    when: "principal.s.matches('^a')"
  - id: contains
    allow: [doc.contains]
    when: "principal.s.contains('abc')"
  - id: less
    allow: [doc.less]
    when: "principal.s < 'b'"
  - id: mapeq
    allow: [doc.mapeq]
    when: "{'a': 1, 'b': 2} == {'b': 2, 'a': 1}"
  - id: nested
    allow: [doc.nested]
    when: "principal.tags.exists(a, principal.tags.exists(b, a + b == 'zz'))"
  - id: absorbed
    allow: [doc.absorbed]
    when: "principal.tags.exists(x, x == 'zz') && false"
  - id: cheap
    allow: [doc.absorbed]
    when: "principal.t == 'x'"
  - id: deny
    deny: [doc.deny]
    when: "principal.tags.exists(x, x == 'zz')"
  - id: after
    allow: [doc.deny]
`
	s, err := spec.Load("budget.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := newRaw(t, s)
	// Five tags; a string of 200 bytes, 'a' first.
	attrs := `{"tags":["a","b","c","d","e"],"s":"` + "a" + strings.Repeat("x", 199) + `","t":"y"}`
	request := func(perm string) []byte {
		return []byte(`{"principal":{"id":"p","attributes":` + attrs + `,"roles":[{"role":"reader","scope":{"type":"any"}}]},` +
			`"resource":{"type":"doc","id":"d"},"permission":"doc.` + perm + `"}`)
	}
	exhausted := func(budget int, errs ...string) string {
		var out []string
		for _, e := range errs {
			out = append(out, e+`,"message":"evaluation budget of `+fmt.Sprint(budget)+` steps exhausted"}`)
		}
		return strings.Join(out, ",")
	}
	denied := func(perm, reason, errs string) string {
		return `{"allowed":false,"permission":"doc.` + perm + `","reason":` + reason + `,"errors":[` + errs + `],"warnings":[]}`
	}
	allowed := func(perm, rule string) string {
		return `{"allowed":true,"permission":"doc.` + perm + `","reason":{"kind":"allow_rule","rule":"` + rule + `"},"errors":[],"warnings":[]}`
	}
	noGrant := `{"kind":"no_grant"}`
	for _, c := range []struct {
		perm   string
		steps  int    // what the check charges
		ok     string // its answer when the budget suffices
		failed string // its answer with one step fewer
	}{
		// Each iteration of a macro: 1.
		{"macro", 5, denied("macro", noGrant, ""), denied("macro", noGrant, exhausted(4, `{"kind":"rule","name":"macro"`))},
		// exists stops at the element that decides.
		{"shortcut", 2, allowed("shortcut", "shortcut"), denied("shortcut", noGrant, exhausted(1, `{"kind":"rule","name":"shortcut"`))},
		// x in L: size(L).
		{"in", 5, denied("in", noGrant, ""), denied("in", noGrant, exhausted(4, `{"kind":"rule","name":"in"`))},
		// == on lists: the left operand's size.
		{"listeq", 5, allowed("listeq", "listeq"), denied("listeq", noGrant, exhausted(4, `{"kind":"rule","name":"listeq"`))},
		// + on lists: both sizes.
		{"concat", 10, allowed("concat", "concat"), denied("concat", noGrant, exhausted(9, `{"kind":"rule","name":"concat"`))},
		// Strings: the bytes of the operands over 64. 400 / 64.
		{"streq", 6, allowed("streq", "streq"), denied("streq", noGrant, exhausted(5, `{"kind":"rule","name":"streq"`))},
		// 400 / 64 for +, then 401 / 64 for !=.
		{"strconcat", 12, allowed("strconcat", "strconcat"), denied("strconcat", noGrant, exhausted(11, `{"kind":"rule","name":"strconcat"`))},
		{"size", 3, allowed("size", "size"), denied("size", noGrant, exhausted(2, `{"kind":"rule","name":"size"`))},
		// The pattern counts: (200 + 2) / 64.
		{"matches", 3, allowed("matches", "matches"), denied("matches", noGrant, exhausted(2, `{"kind":"rule","name":"matches"`))},
		{"contains", 3, denied("contains", noGrant, ""), denied("contains", noGrant, exhausted(2, `{"kind":"rule","name":"contains"`))},
		{"less", 3, allowed("less", "less"), denied("less", noGrant, exhausted(2, `{"kind":"rule","name":"less"`))},
		// == on maps: the left operand's size.
		{"mapeq", 2, allowed("mapeq", "mapeq"), denied("mapeq", noGrant, exhausted(1, `{"kind":"rule","name":"mapeq"`))},
		// 5 outer iterations of 1 + 5 inner ones each.
		{"nested", 30, denied("nested", noGrant, ""), denied("nested", noGrant, exhausted(29, `{"kind":"rule","name":"nested"`))},
		// false decides the && even when the macro fails, but the budget stays
		// exhausted: the next rule's charge of 0 steps fails too.
		{"absorbed", 5, denied("absorbed", noGrant, ""), denied("absorbed", noGrant, exhausted(4, `{"kind":"rule","name":"cheap"`))},
		// A deny rule that exhausts the budget denies.
		{"deny", 5, allowed("deny", "after"), denied("deny", `{"kind":"deny_rule","rule":"deny"}`, exhausted(4, `{"kind":"rule","name":"deny"`))},
		// A scope's match, with the assignment's index.
		{"scope", 5, denied("scope", noGrant, ""), denied("scope", noGrant, exhausted(4, `{"kind":"scope","name":"any","assignment":0`))},
	} {
		t.Run(c.perm, func(t *testing.T) {
			// Each check starts with the whole budget: the third is the first again.
			for _, k := range []struct {
				budget int
				want   string
			}{{c.steps, c.ok}, {c.steps - 1, c.failed}, {c.steps, c.ok}} {
				if st, out := r.call("permc_configure", []byte(fmt.Sprintf(`{"budget":%d}`, k.budget))); st != stOK {
					t.Fatalf("configure: %d %s", st, out)
				}
				st, out := r.call("permc_check", request(c.perm))
				if st != stOK || string(out) != k.want {
					t.Errorf("budget %d: %d %s\nwant %s", k.budget, st, out, k.want)
				}
			}
		})
	}
}
