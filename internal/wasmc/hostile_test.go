package wasmc_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

// hostileSpec has attributes of every shape a request can make large: lists, maps,
// nested lists, strings, numbers, timestamps; scopes with parameters; filters.
const hostileSpec = `version: 1
package: hostile
principal:
  tags: list(string)
  labels: map(string, string)
  nested: list(list(int))
  n: int
  u: uint
  d: double
  when: timestamp
  ttl: duration
  blob: bytes
resources:
  doc:
    attributes: {org: string, tags: list(string)}
    permissions: [read, write]
  vault:
    attributes:
      key: {type: bytes, required: true}
      until: {type: timestamp, required: true}
      tags: list(string)
    permissions: [open]
scopes:
  org:
    params: {org: string}
    resources: [doc]
    match: resource.org == scope.org
  everywhere:
    match: "true"
roles:
  reader:
    permissions: [doc.read]
  writer:
    permissions: [doc.*]
    scopes: [org]
    when: "principal.tags.exists(t, t in resource.tags) || principal.labels.exists(k, k == 'x')"
rules:
  - id: tagged
    allow: [doc.read]
    when: "principal.nested.exists(l, l.exists(i, i == principal.n)) && principal.d > 1.5"
  - id: unexpired
    allow: [vault.open]
    when: resource.until > timestamp("2026-01-01T00:00:00Z") && size(resource.key) > 0
credentials:
  scopes:
    "docs:read": [doc.read]
  filters:
    org:
      resources: [doc]
      match: resource.org == filter
`

// TestHostile answers requests made to be hard (deeply nested, huge, malformed,
// invalid UTF-8, with many assignments, keys or filters) with the module and the
// generated Go: no trap, no hang, the same answers.
func TestHostile(t *testing.T) {
	s, err := spec.Load("hostile.yaml", []byte(hostileSpec))
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{s: s, a: module(t, s), d: driver(t, s)}
	body := func(principal, credential string) []byte {
		req := `{"principal":` + principal + `,"resource":{"type":"doc","id":"d","attributes":{"org":"o","tags":["a"]}},"permission":"doc.write"`
		if credential != "" {
			req += `,"credential":` + credential
		}
		return []byte(req + "}")
	}
	many := func(n int, item func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return strings.Join(parts, ",")
	}
	reqs := [][]byte{
		nil,
		[]byte(" "),
		[]byte("null"),
		[]byte(strings.Repeat("[", 100000)),
		[]byte(strings.Repeat("[", 64) + strings.Repeat("]", 64)),
		[]byte(`{"principal":` + strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70) + "}"),
		[]byte("{\"principal\":{\"id\":\"\xff\"}}"),
		[]byte("{\"principal\":{\"id\":\"a\xc3\"},\"x\":1}"),
		[]byte("\xef\xbb\xbf{}"),
		[]byte(`{"principal":{"id":"p"},"principal":{"id":"q"}}`),
		// Numbers out of range, and in range at the limits.
		body(`{"id":"p","attributes":{"n":1e400}}`, ""),
		body(`{"id":"p","attributes":{"n":99999999999999999999999999}}`, ""),
		body(`{"id":"p","attributes":{"u":-1}}`, ""),
		body(`{"id":"p","attributes":{"d":1e400}}`, ""),
		body(`{"id":"p","attributes":{"d":-1e-400,"n":-9223372036854775808,"u":18446744073709551615}}`, ""),
		body(`{"id":"p","attributes":{"d":`+strings.Repeat("9", 5000)+`.5}}`, ""),
		body(`{"id":"p","attributes":{"when":"9999-12-31T23:59:59.999999999Z","ttl":"-2562047h47m16.854775808s"}}`, ""),
		body(`{"id":"p","attributes":{"when":"10000-01-01T00:00:00Z"}}`, ""),
		body(`{"id":"p","attributes":{"ttl":"2562047h47m16.854775808s"}}`, ""),
		body(`{"id":"p","attributes":{"blob":"`+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 100000))+`"}}`, ""),
		body(`{"id":"p","attributes":{"blob":"not base64"}}`, ""),
		// Long strings and escapes.
		body(`{"id":"`+strings.Repeat("x", 900000)+`"}`, ""),
		body(`{"id":"`+strings.Repeat(`\u00e9\ud83d\ude00\n`, 20000)+`"}`, ""),
		body(`{"id":"\ud800"}`, ""),
		// Many assignments, map keys, list elements, filters.
		body(`{"id":"p","roles":[`+many(12000, func(i int) string {
			return fmt.Sprintf(`{"role":"writer","scope":{"type":"org","org":"o%d"}}`, i)
		})+`,{"role":"writer","scope":{"type":"org","org":"o"}}]}`, ""),
		body(`{"id":"p","roles":[`+many(20000, func(i int) string { return `{"role":"ghost","scope":{"type":"nowhere"}}` })+`]}`, ""),
		body(`{"id":"p","attributes":{"labels":{`+many(40000, func(i int) string { return fmt.Sprintf(`"k%d":"v"`, (i*7919)%40000) })+`}},"roles":[{"role":"writer","scope":{"type":"org","org":"o"}}]}`, ""),
		body(`{"id":"p","attributes":{"tags":[`+many(100000, func(i int) string { return `"t"` })+`]},"roles":[{"role":"writer","scope":{"type":"org","org":"o"}}]}`, ""),
		body(`{"id":"p","attributes":{"nested":[`+many(300, func(i int) string { return "[" + many(300, func(j int) string { return "1" }) + "]" })+`],"n":2,"d":2}}`, ""),
		body(`{"id":"p","roles":[{"role":"writer","scope":{"type":"org","org":"o"}}]}`, `{"filters":[`+many(30000, func(i int) string { return fmt.Sprintf(`"org:x%d"`, i) })+`,"org:o"]}`),
		body(`{"id":"p","roles":[{"role":"writer","scope":{"type":"org","org":"o"}}]}`, `{"scopes":[`+many(50000, func(i int) string { return `"docs:read"` })+`]}`),
		body(`{"id":"p","roles":[{"role":"reader","scope":{"type":"everywhere"}}]}`, `{"roles":["`+strings.Repeat("a", 500000)+`"]}`),
	}
	// Random bytes, and random damage to a valid request.
	r := rand.New(rand.NewPCG(1, 2))
	valid := body(`{"id":"p","attributes":{"tags":["a"],"n":1},"roles":[{"role":"writer","scope":{"type":"org","org":"o"}}]}`, `{"scopes":["docs:read"],"filters":["org:o"]}`)
	for i := 0; i < 300; i++ {
		b := make([]byte, r.IntN(200))
		for k := range b {
			b[k] = byte(r.IntN(256))
		}
		reqs = append(reqs, b)
		d := bytes.Clone(valid)
		const junk = "{}[]\",:0-\\ \xff\x00a"
		for k := r.IntN(4) + 1; k > 0; k-- {
			d[r.IntN(len(d))] = junk[r.IntN(len(junk))]
		}
		reqs = append(reqs, d[:r.IntN(len(d)+1)])
	}
	for i, req := range reqs {
		if len(req) > 1<<20 {
			t.Fatalf("request %d is %d bytes, over the limit", i, len(req))
		}
	}
	p.check(t, reqs)
}

// TestLimits: a request over the size limit is refused without being read, alone and
// in a batch.
func TestLimits(t *testing.T) {
	s, err := spec.Load("hostile.yaml", []byte(hostileSpec))
	if err != nil {
		t.Fatal(err)
	}
	r := newRaw(t, s)
	big := []byte(`{"principal":{"id":"` + strings.Repeat("x", 1<<20) + `"}}`)
	const want = `{"error":"the request is longer than 1048576 bytes"}`
	if st, out := r.call("permc_check", big); st != stRejected || string(out) != want {
		t.Errorf("check: %d %.200s", st, out)
	}
	if st, out := r.call("permc_check_batch", append(append([]byte("{}\n"), big...), '\n')); st != stOK || !strings.HasSuffix(string(out), want+"\n") {
		t.Errorf("batch: %d %.200s", st, out)
	}
}

// TestDeepExpressions evaluates expressions as deep as the spec loader accepts (CEL's
// parser stops at a nesting of 250), of the operations whose evaluation recurses:
// the module's stack must hold them.
func TestDeepExpressions(t *testing.T) {
	for name, expr := range map[string]string{
		"not":     strings.Repeat("!", 290) + "true",
		"and":     strings.Repeat("(principal.n > 0 && ", 240) + "true" + strings.Repeat(")", 240),
		"list":    "size(" + strings.Repeat("[", 240) + "1" + strings.Repeat("]", 240) + ") > 0",
		"exists":  strings.Repeat("principal.l.exists(x, ", 240) + "true" + strings.Repeat(")", 240),
		"ternary": strings.Repeat("principal.n > 0 ? (", 240) + "true" + strings.Repeat(") : false", 240),
		"arith":   strings.Repeat("(principal.n + ", 120) + "1" + strings.Repeat(")", 120) + " > 0",
	} {
		s, err := spec.Load("deep.yaml", []byte(fmt.Sprintf("version: 1\nprincipal:\n  n: int\n  l: list(int)\nresources:\n"+
			"  doc:\n    permissions: [read]\nrules:\n  - id: r\n    allow: [doc.read]\n    when: %q\n", expr)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := module(t, s).CheckJSON(ctx, nil, []byte(`{"principal":{"id":"p","attributes":{"n":1,"l":[1]}},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`))
		if err != nil || !bytes.HasPrefix(out, []byte(`{"allowed":true`)) {
			t.Errorf("%s: %s %v", name, out, err)
		}
	}
}
