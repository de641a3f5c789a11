package guest

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/permc/permc/runtime"
)

// fake answers {"id": X} with a decision naming X, panics on {"__panic__": ...}, and
// accepts custom roles that are a JSON array (and panics on ["__panic__"]).
type fake struct{ roles string }

func (f *fake) CheckJSON(dst, req []byte) []byte {
	doc, err := runtime.ParseJSON(req)
	if err != nil {
		return runtime.AppendErrorJSON(dst, err.Error())
	}
	if _, ok := doc.Get("__panic__"); ok {
		var none []byte
		_ = none[len(req)] // an index out of range: a runtime panic, as a bug would raise
	}
	id, ok := doc.Get("id")
	if !ok {
		return runtime.AppendErrorJSON(dst, "id is required")
	}
	dst = append(dst, `{"allowed":true,"permission":`...)
	dst = runtime.AppendJSONString(dst, id.Str)
	return append(dst, `,"roles":`+f.roles+`}`...)
}

func (f *fake) LoadRolesJSON(data []byte) error {
	doc, err := runtime.ParseJSON(data)
	if err != nil {
		return err
	}
	if doc.Kind != runtime.JSONArray {
		return errors.New("want an array")
	}
	if len(doc.Elems) > 0 && doc.Elems[0].Str == "__panic__" {
		panic("roles")
	}
	f.roles = string(data)
	return nil
}

func newGuest() *Guest { return New(&fake{roles: "[]"}, []byte(`{"package":"x"}`)) }

// put allocates a block holding data and returns its address.
func put(t *testing.T, g *Guest, data string) uint32 {
	t.Helper()
	p := g.Alloc(uint32(len(data)))
	if p == 0 {
		t.Fatalf("Alloc(%d) = 0", len(data))
	}
	copy(g.blocks[p], data)
	return p
}

// result checks a packed result against the last result's bytes.
func result(t *testing.T, g *Guest, r uint64) (Status, string) {
	t.Helper()
	ptr, status, n := Unpack(r)
	if n != len(g.Result()) {
		t.Fatalf("packed length %d, result %d bytes", n, len(g.Result()))
	}
	if n > 0 && ptr == 0 {
		t.Fatalf("a %d-byte result at address 0", n)
	}
	return status, string(g.Result())
}

func TestPack(t *testing.T) {
	for _, c := range []struct {
		ptr    uint32
		status Status
		n      int
	}{{0, OK, 0}, {1, Rejected, 1}, {0xffffffff, Internal, MaxResult}, {65536, BadCall, 12345}} {
		p, s, n := Unpack(Pack(c.ptr, c.status, c.n))
		if p != c.ptr || s != c.status || n != c.n {
			t.Errorf("Unpack(Pack(%d, %d, %d)) = %d, %d, %d", c.ptr, c.status, c.n, p, s, n)
		}
	}
}

func TestCheck(t *testing.T) {
	g := newGuest()
	p := put(t, g, `{"id":"a"}`)
	if s, out := result(t, g, g.Check(p, 10)); s != OK || out != `{"allowed":true,"permission":"a","roles":[]}` {
		t.Errorf("Check = %d %s", s, out)
	}
	// A shorter length reads a prefix of the block.
	if s, out := result(t, g, g.Check(p, 5)); s != Rejected || !strings.HasPrefix(out, `{"error":"invalid JSON`) {
		t.Errorf("Check of a prefix = %d %s", s, out)
	}
	if s, out := result(t, g, g.Check(0, 0)); s != Rejected || !strings.HasPrefix(out, `{"error":"invalid JSON`) {
		t.Errorf("Check of nothing = %d %s", s, out)
	}
}

// TestBadCalls: an address or length that does not describe a live block is an
// error result, and the guest answers the next good call.
func TestBadCalls(t *testing.T) {
	g := newGuest()
	p := put(t, g, `{"id":"a"}`)
	q := put(t, g, `[]`)
	g.Free(q)
	for _, c := range []struct{ ptr, n uint32 }{
		{p, 11},                  // past the block's end
		{p + 1, 3},               // inside a block, not its start
		{0, 1},                   // null
		{q, 2},                   // freed
		{0xfffffff0, 0xffffffff}, // out of any memory
		{p, 0xffffffff},          // a length that wraps
		{12345, 1},               // never allocated
	} {
		for name, call := range map[string]func(uint32, uint32) uint64{"check": g.Check, "batch": g.CheckBatch, "roles": g.LoadRoles, "configure": g.Configure} {
			if s, out := result(t, g, call(c.ptr, c.n)); s != BadCall || !strings.HasPrefix(out, `{"error":"no block of`) {
				t.Errorf("%s(%d, %d) = %d %s", name, c.ptr, c.n, s, out)
			}
		}
		if s, out := result(t, g, g.Check(p, 10)); s != OK || !strings.Contains(out, `"a"`) {
			t.Fatalf("after a bad call: %d %s", s, out)
		}
	}
	g.Free(12345) // ignored
	g.Free(p)
	g.Free(p) // twice: ignored
	if len(g.blocks) != 0 || g.live != 0 {
		t.Errorf("%d blocks, %d bytes live after freeing everything", len(g.blocks), g.live)
	}
}

func TestAllocLimits(t *testing.T) {
	g := newGuest()
	if p := g.Alloc(MaxBlock + 1); p != 0 {
		t.Errorf("Alloc(MaxBlock+1) = %d", p)
	}
	if p := g.Alloc(0xffffffff); p != 0 {
		t.Errorf("Alloc(4 GiB) = %d", p)
	}
	var live []uint32
	for range MaxLive / MaxBlock {
		p := g.Alloc(MaxBlock)
		if p == 0 {
			t.Fatalf("Alloc(MaxBlock) = 0 with %d bytes live", g.live)
		}
		live = append(live, p)
	}
	if p := g.Alloc(1); p != 0 {
		t.Errorf("Alloc past MaxLive = %d", p)
	}
	for _, p := range live {
		g.Free(p)
	}
	for i := range MaxBlocks {
		if g.Alloc(0) == 0 {
			t.Fatalf("Alloc #%d = 0", i)
		}
	}
	if p := g.Alloc(1); p != 0 {
		t.Errorf("Alloc past MaxBlocks = %d", p)
	}
}

func TestTooLong(t *testing.T) {
	g := newGuest()
	long := `{"id":"` + strings.Repeat("x", MaxRequest) + `"}`
	p := put(t, g, long)
	if s, out := result(t, g, g.Check(p, uint32(len(long)))); s != Rejected || out != `{"error":"the request is longer than 1048576 bytes"}` {
		t.Errorf("Check(long) = %d %.100s", s, out)
	}
	if s, out := result(t, g, g.LoadRoles(p, uint32(len(long)))); s != Rejected || out != `{"error":"the custom roles are longer than 1048576 bytes"}` {
		t.Errorf("LoadRoles(long) = %d %.100s", s, out)
	}
	batch := `{"id":"a"}` + "\n" + long + "\n"
	g.Free(p)
	p = put(t, g, batch)
	if s, out := result(t, g, g.CheckBatch(p, uint32(len(batch)))); s != OK || !strings.HasSuffix(out, "\n{\"error\":\"the request is longer than 1048576 bytes\"}\n") {
		t.Errorf("CheckBatch(long) = %d %.100s", s, out)
	}
}

func TestBatch(t *testing.T) {
	for _, c := range []struct {
		in     string
		status Status
		out    string
	}{
		{"", OK, ""},
		{"\n \r\n\t\n", OK, ""},
		{`{"id":"a"}`, OK, `{"allowed":true,"permission":"a","roles":[]}` + "\n"},
		{"{\"id\":\"a\"}\r\n\n{\"id\":\"b\"}\n{\n", OK, `{"allowed":true,"permission":"a","roles":[]}` + "\n" +
			`{"allowed":true,"permission":"b","roles":[]}` + "\n" + `{"error":"invalid JSON at offset 1: expected a string key"}` + "\n"},
		{`[]`, OK, `[]`},
		{" [ ] \n", OK, `[]`},
		{`[{"id":"a"}]`, OK, `[{"allowed":true,"permission":"a","roles":[]}]`},
		{"[\n{\"id\":\"a,]\"} ,\n\t{\"id\":\"b\"}]", OK, `[{"allowed":true,"permission":"a,]","roles":[]},{"allowed":true,"permission":"b","roles":[]}]`},
		{`[{"id":"\"]"},1,"x",[1,2],{}]`, OK, `[{"allowed":true,"permission":"\"]","roles":[]},{"error":"id is required"},{"error":"id is required"},{"error":"id is required"},{"error":"id is required"}]`},
		{`[x, {"id":"a"}]`, OK, `[{"error":"invalid JSON at offset 0: unexpected character 'x'"},{"allowed":true,"permission":"a","roles":[]}]`},
		{`[{"id":"a"}`, Rejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[{"id":"a"},]`, Rejected, `{"error":"invalid batch: want a request at offset 12"}`},
		{`[,{"id":"a"}]`, Rejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[{"id":"a"}] x`, Rejected, `{"error":"invalid batch: unexpected data after the array at offset 13"}`},
		{`[{"id":"a]`, Rejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[}]`, Rejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[`, Rejected, `{"error":"invalid batch: want a request at offset 1"}`},
	} {
		g := newGuest()
		p := put(t, g, c.in)
		if s, out := result(t, g, g.CheckBatch(p, uint32(len(c.in)))); s != c.status || out != c.out {
			t.Errorf("CheckBatch(%q) = %d %s\nwant %d %s", c.in, s, out, c.status, c.out)
		}
	}
}

func TestBatchLimit(t *testing.T) {
	g := newGuest()
	lines := strings.Repeat("{\"id\":\"a\"}\n", MaxBatch)
	p := put(t, g, lines)
	if s, out := result(t, g, g.CheckBatch(p, uint32(len(lines)))); s != OK || strings.Count(out, "\n") != MaxBatch {
		t.Errorf("CheckBatch(MaxBatch lines) = %d, %d answers", s, strings.Count(out, "\n"))
	}
	g.Free(p)
	p = put(t, g, lines+"{}\n")
	if s, out := result(t, g, g.CheckBatch(p, uint32(len(lines)+3))); s != Rejected || out != `{"error":"the batch holds more than 4096 requests"}` {
		t.Errorf("CheckBatch(MaxBatch+1 lines) = %d %.100s", s, out)
	}
	g.Free(p)
	array := "[" + strings.Repeat(`{"id":"a"},`, MaxBatch) + "{}]"
	p = put(t, g, array)
	if s, out := result(t, g, g.CheckBatch(p, uint32(len(array)))); s != Rejected || out != `{"error":"the batch holds more than 4096 requests"}` {
		t.Errorf("CheckBatch(MaxBatch+1 elements) = %d %.100s", s, out)
	}
}

// TestConfigure: the limits permc_configure sets hold for the calls after it, and a
// configuration with any fault is rejected whole, the settings in force staying so.
func TestConfigure(t *testing.T) {
	g := newGuest()
	call := func(fn func(uint32, uint32) uint64, in string) (Status, string) {
		t.Helper()
		p := put(t, g, in)
		defer g.Free(p)
		return result(t, g, fn(p, uint32(len(in))))
	}
	if s, out := call(g.Configure, `{}`); s != OK || out != "" {
		t.Fatalf("Configure({}) = %d %s", s, out)
	}
	if g.limits != [...]int64{MaxRequest, MaxRoles, MaxBatch, DefaultBudget} {
		t.Fatalf("defaults %v", g.limits)
	}
	if s, out := call(g.Configure, ` {"max_request_bytes": 12, "max_roles_bytes": 3, "max_batch_requests": 2, "budget": 9007199254740991} `); s != OK || out != "" {
		t.Fatalf("Configure = %d %s", s, out)
	}
	want := [...]int64{12, 3, 2, 1<<53 - 1}
	for _, bad := range []struct{ in, msg string }{
		{`{"max_request_byte": 1}`, `configuration: unknown key "max_request_byte" (did you mean "max_request_bytes"?)`},
		{`{"max_request_bytes": 0}`, "max_request_bytes: want an integer from 1 to 4194304, not 0"},
		{`{"max_request_bytes": -1}`, "max_request_bytes: want an integer from 1 to 4194304, not -1"},
		{`{"max_request_bytes": 4194305}`, "max_request_bytes: want an integer from 1 to 4194304, not 4194305"},
		{`{"max_request_bytes": 1.5}`, "max_request_bytes: want an integer from 1 to 4194304, not 1.5"},
		{`{"max_request_bytes": 1e3}`, "max_request_bytes: want an integer from 1 to 4194304, not 1e3"},
		{`{"max_request_bytes": 99999999999999999999999}`, "max_request_bytes: want an integer from 1 to 4194304, not 99999999999999999999999"},
		{`{"max_request_bytes": "100"}`, "max_request_bytes: want an integer from 1 to 4194304, not a string"},
		{`{"max_roles_bytes": null}`, "max_roles_bytes: want an integer from 1 to 4194304, not null"},
		{`{"max_roles_bytes": 4194305}`, "max_roles_bytes: want an integer from 1 to 4194304, not 4194305"},
		{`{"max_batch_requests": true}`, "max_batch_requests: want an integer from 1 to 65536, not a boolean"},
		{`{"max_batch_requests": 65537}`, "max_batch_requests: want an integer from 1 to 65536, not 65537"},
		{`{"budget": 9007199254740992}`, "budget: want an integer from 1 to 9007199254740991, not 9007199254740992"},
		{`{"budget": [1]}`, "budget: want an integer from 1 to 9007199254740991, not an array"},
		{`{"max_request_bytes": 5, "budget": 0}`, "budget: want an integer from 1 to 9007199254740991, not 0"},
		{`{"budget": 1, "budget": 2}`, `invalid JSON at offset 14: duplicate key "budget"`},
		{`[]`, "configuration: want an object, not an array"},
		{``, "invalid JSON at offset 0: unexpected end of input"},
		{`{"budget": 1` + strings.Repeat(" ", maxConfig) + `}`, "the configuration is longer than 4096 bytes"},
	} {
		if s, out := call(g.Configure, bad.in); s != Rejected || out != string(runtime.AppendErrorJSON(nil, bad.msg)) {
			t.Errorf("Configure(%.60s) = %d %s\nwant %s", bad.in, s, out, bad.msg)
		}
		if g.limits != want {
			t.Fatalf("after Configure(%.60s): %v, want %v", bad.in, g.limits, want)
		}
	}
	if s, out := call(g.Check, `{"id":"abc"}`); s != OK {
		t.Errorf("Check of 12 bytes = %d %s", s, out)
	}
	if s, out := call(g.Check, `{"id":"abcd"}`); s != Rejected || out != `{"error":"the request is longer than 12 bytes"}` {
		t.Errorf("Check of 13 bytes = %d %s", s, out)
	}
	if s, out := call(g.CheckBatch, "{\"id\":\"abcd\"}\n{\"id\":\"a\"}"); s != OK || out != `{"error":"the request is longer than 12 bytes"}`+"\n"+`{"allowed":true,"permission":"a","roles":[]}`+"\n" {
		t.Errorf("CheckBatch = %d %s", s, out)
	}
	if s, out := call(g.CheckBatch, "{\"id\":\"a\"}\n{\"id\":\"a\"}\n{\"id\":\"a\"}"); s != Rejected || out != `{"error":"the batch holds more than 2 requests"}` {
		t.Errorf("CheckBatch of 3 = %d %s", s, out)
	}
	if s, out := call(g.CheckBatch, `[{"id":"a"},{"id":"a"},{"id":"a"}]`); s != Rejected || out != `{"error":"the batch holds more than 2 requests"}` {
		t.Errorf("CheckBatch of an array of 3 = %d %s", s, out)
	}
	if s, out := call(g.LoadRoles, `[]`); s != OK {
		t.Errorf("LoadRoles of 2 bytes = %d %s", s, out)
	}
	if s, out := call(g.LoadRoles, `[ ]`); s != OK {
		t.Errorf("LoadRoles of 3 bytes = %d %s", s, out)
	}
	if s, out := call(g.LoadRoles, `[  ]`); s != Rejected || out != `{"error":"the custom roles are longer than 3 bytes"}` {
		t.Errorf("LoadRoles of 4 bytes = %d %s", s, out)
	}
	// Keys left out keep their settings.
	if s, out := call(g.Configure, `{"max_request_bytes": 4194304}`); s != OK || g.limits != [...]int64{MaxBlock, 3, 2, 1<<53 - 1} {
		t.Errorf("Configure = %d %s: %v", s, out, g.limits)
	}
}

// TestPanics: a panic inside the authorizer is an Internal result, and the guest
// answers the next call.
func TestPanics(t *testing.T) {
	g := newGuest()
	call := func(fn func(uint32, uint32) uint64, in string) (Status, string) {
		t.Helper()
		return result(t, g, fn(put(t, g, in), uint32(len(in))))
	}
	if s, out := call(g.Check, `{"__panic__":1}`); s != Internal || !strings.HasPrefix(out, `{"error":"permc module: internal error: runtime error: index out of range [15] with length 0`) {
		t.Errorf("Check(panic) = %d %s", s, out)
	}
	if s, out := call(g.Check, `{"id":"a"}`); s != OK {
		t.Errorf("Check after a panic = %d %s", s, out)
	}
	if s, _ := call(g.CheckBatch, "{\"id\":\"a\"}\n{\"__panic__\":1}\n"); s != Internal {
		t.Errorf("CheckBatch(panic) = %d", s)
	}
	if s, out := call(g.LoadRoles, `{"x":1}`); s != Rejected || out != `{"error":"want an array"}` {
		t.Errorf("LoadRoles(object) = %d %s", s, out)
	}
	if s, out := call(g.LoadRoles, `[{"x":1}]`); s != OK || out != "" {
		t.Errorf("LoadRoles = %d %q", s, out)
	}
	if s, out := call(g.LoadRoles, `["__panic__"]`); s != Internal || out != `{"error":"permc module: internal error: roles"}` {
		t.Errorf("LoadRoles(panic) = %d %s", s, out)
	}
	if s, out := call(g.Check, `{"id":"a"}`); s != OK || !strings.Contains(out, `"roles":[{"x":1}]`) {
		t.Errorf("Check after LoadRoles = %d %s", s, out)
	}
}

// TestMessages: the messages written out whole say the limits they are about.
func TestMessages(t *testing.T) {
	if want := "the result is longer than " + strconv.Itoa(MaxResult) + " bytes"; resultTooLong != want {
		t.Errorf("resultTooLong = %q, want %q", resultTooLong, want)
	}
	if want := "the configuration is longer than " + strconv.Itoa(maxConfig) + " bytes"; configTooLong != want {
		t.Errorf("configTooLong = %q, want %q", configTooLong, want)
	}
	for i, name := range settingNames {
		if want := name + ": want an integer from 1 to " + strconv.FormatInt(settingMax[i], 10) + ", not "; settingWant[i] != want {
			t.Errorf("settingWant[%d] = %q, want %q", i, settingWant[i], want)
		}
	}
}

func TestMetadata(t *testing.T) {
	g := newGuest()
	for range 2 {
		if s, out := result(t, g, g.Metadata()); s != OK || out != `{"package":"x"}` {
			t.Errorf("Metadata = %d %s", s, out)
		}
	}
}

// TestLargeResultNotKept: a buffer grown for a large result is let go by the next
// call.
func TestLargeResultNotKept(t *testing.T) {
	g := newGuest()
	lines := strings.Repeat("{\"id\":\""+strings.Repeat("x", 1000)+"\"}\n", 2000)
	p := put(t, g, lines)
	g.CheckBatch(p, uint32(len(lines)))
	if cap(g.out) < 2<<20 {
		t.Fatalf("result buffer of %d bytes", cap(g.out))
	}
	g.Metadata()
	if cap(g.out) > 1<<20 {
		t.Errorf("result buffer of %d bytes kept", cap(g.out))
	}
}

func TestSource(t *testing.T) {
	for _, name := range []string{"guest.go", "addr_wasm.go", "exports_wasip1.go"} {
		data, err := Source.ReadFile(name)
		if err != nil || !bytes.Contains(data, []byte("package guest")) {
			t.Errorf("Source lacks %s: %v", name, err)
		}
	}
}

// FuzzBatch: no input makes CheckBatch fail but as a malformed batch, and every
// answer is one JSON value.
func FuzzBatch(f *testing.F) {
	for _, s := range []string{"[]", `[{"id":"a"},1]`, "{\"id\":\"a\"}\n{}", `["\\"]`, `[{]`, `[[[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		g := newGuest()
		p := g.Alloc(uint32(len(in)))
		copy(g.blocks[p], in)
		s, out := result(t, g, g.CheckBatch(p, uint32(len(in))))
		switch s {
		case OK:
			var answers []string
			if trimmed := bytes.TrimLeft(in, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
				doc, err := runtime.ParseJSON([]byte(out))
				if err != nil || doc.Kind != runtime.JSONArray {
					t.Fatalf("answers %s: %v", out, err)
				}
				return
			}
			answers = strings.SplitAfter(out, "\n")
			for _, a := range answers[:len(answers)-1] {
				if _, err := runtime.ParseJSON([]byte(a)); err != nil {
					t.Fatalf("answer %q: %v", a, err)
				}
			}
		case Rejected:
			if !strings.HasPrefix(out, `{"error":"invalid batch`) {
				t.Fatalf("rejected with %s", out)
			}
		default:
			t.Fatalf("status %d: %s", s, out)
		}
	})
}
