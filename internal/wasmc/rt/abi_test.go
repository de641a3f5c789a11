package rt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/runtime"
)

// The ABI's limits (docs/wasm-abi.md).
const (
	maxBlock   = 4 << 20
	maxLive    = 16 << 20
	maxBlocks  = 64
	maxRequest = 1 << 20
	maxBatch   = 4096
)

// abiCall runs an export on a fresh block holding data.
func (in *inst) abiCall(name, data string) (uint32, string) {
	in.t.Helper()
	status, out := in.call(name, []byte(data))
	return status, string(out)
}

const answerA = `{"allowed":true,"permission":"a","roles":[]}`

// The tests below hold the C ABI layer to docs/wasm-abi.md, with the test engine
// (c/test.c) in place of a spec's program.

func TestCheck(t *testing.T) {
	in := newInst(t, testModule)
	if v := in.invoke("permc_abi_version"); v != 1 {
		t.Errorf("permc_abi_version = %d", v)
	}
	p := in.put([]byte(`{"id":"a"}`))
	if s, out := in.result(in.invoke("permc_check", uint64(p), 10)); s != stOK || string(out) != answerA {
		t.Errorf("check = %d %s", s, out)
	}
	// A shorter length reads a prefix of the block; the block carries any number
	// of calls.
	if s, out := in.result(in.invoke("permc_check", uint64(p), 5)); s != stRejected || string(out) != `{"error":"invalid JSON at offset 5: expected ':' after object key"}` {
		t.Errorf("check of a prefix = %d %s", s, out)
	}
	if s, out := in.result(in.invoke("permc_check", uint64(p), 10)); s != stOK || string(out) != answerA {
		t.Errorf("check again = %d %s", s, out)
	}
	if s, out := in.result(in.invoke("permc_check", 0, 0)); s != stRejected || string(out) != `{"error":"invalid JSON at offset 0: unexpected end of input"}` {
		t.Errorf("check of nothing = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_check", `{"x":1}`); s != stRejected || out != `{"error":"id is required"}` {
		t.Errorf("check of a request error = %d %s", s, out)
	}
}

// TestBadCalls: an address or length that does not describe a live block is an
// error result, and the next good call is answered.
func TestBadCalls(t *testing.T) {
	in := newInst(t, testModule)
	p := in.put([]byte(`{"id":"a"}`))
	q := in.put([]byte(`[]`))
	in.free(q)
	for _, c := range []struct{ ptr, n uint32 }{
		{p, 11}, {p + 1, 3}, {p - 8, 1}, {0, 1}, {q, 2}, {0xfffffff0, 0xffffffff}, {p, 0xffffffff}, {12345, 1}, {1 << 31, 1},
	} {
		for _, name := range []string{"permc_check", "permc_check_batch", "permc_load_roles", "permc_plan", "permc_configure", "t_json"} {
			s, out := in.result(in.invoke(name, uint64(c.ptr), uint64(c.n)))
			want := fmt.Sprintf(`{"error":"no block of %d bytes was allocated at %d"}`, c.n, c.ptr)
			if s != stBadCall || string(out) != want {
				t.Errorf("%s(%d, %d) = %d %s", name, c.ptr, c.n, s, out)
			}
		}
		if s, out := in.result(in.invoke("permc_check", uint64(p), 10)); s != stOK || string(out) != answerA {
			t.Fatalf("after a bad call: %d %s", s, out)
		}
	}
	in.free(12345) // ignored
	in.free(p)
	in.free(p) // twice: ignored
	if s, _ := in.result(in.invoke("permc_check", uint64(p), 10)); s != stBadCall {
		t.Errorf("check of a freed block = %d", s)
	}
}

func TestAllocLimits(t *testing.T) {
	in := newInst(t, testModule)
	for _, size := range []uint64{maxBlock + 1, 0xffffffff, 1 << 31} {
		if p := in.invoke("permc_alloc", size); p != 0 {
			t.Errorf("permc_alloc(%d) = %d", size, p)
		}
	}
	var live []uint32
	for range maxLive / maxBlock {
		p := in.alloc(maxBlock)
		if p == 0 {
			t.Fatal("permc_alloc(MaxBlock) = 0")
		}
		// A block is zeroed and writable to its end.
		b, ok := in.mod.Memory().Read(p, maxBlock)
		if !ok || bytes.ContainsFunc(b, func(r rune) bool { return r != 0 }) {
			t.Fatalf("block at %d is not %d zero bytes of memory", p, maxBlock)
		}
		live = append(live, p)
	}
	if p := in.alloc(1); p != 0 {
		t.Errorf("permc_alloc past MaxLive = %d", p)
	}
	for _, p := range live {
		in.free(p)
	}
	var zero []uint32
	for i := range maxBlocks {
		p := in.alloc(0)
		if p == 0 {
			t.Fatalf("permc_alloc(0) #%d = 0", i)
		}
		zero = append(zero, p)
	}
	if p := in.alloc(1); p != 0 {
		t.Errorf("permc_alloc past MaxBlocks = %d", p)
	}
	// Blocks are distinct, and a size-0 block takes a byte of MaxLive.
	seen := map[uint32]bool{}
	for _, p := range zero {
		if seen[p] {
			t.Errorf("block %d handed out twice", p)
		}
		seen[p] = true
		in.free(p)
	}
	for range maxLive / maxBlock {
		if in.alloc(maxBlock) == 0 {
			t.Fatal("permc_alloc(MaxBlock) = 0 after freeing everything")
		}
	}
}

func TestTooLong(t *testing.T) {
	in := newInst(t, testModule)
	long := `{"id":"` + strings.Repeat("x", maxRequest) + `"}`
	if s, out := in.abiCall("permc_check", long); s != stRejected || out != `{"error":"the request is longer than 1048576 bytes"}` {
		t.Errorf("check(long) = %d %.100s", s, out)
	}
	if s, out := in.abiCall("permc_check", long[:maxRequest-1]+"\""); s != stRejected || !strings.HasPrefix(out, `{"error":"invalid JSON`) {
		t.Errorf("check(1 MiB) = %d %.100s", s, out)
	}
	if s, out := in.abiCall("permc_plan", long); s != stRejected || out != `{"error":"the request is longer than 1048576 bytes"}` {
		t.Errorf("plan(long) = %d %.100s", s, out)
	}
	if s, out := in.abiCall("permc_load_roles", long); s != stRejected || out != `{"error":"the custom roles are longer than 1048576 bytes"}` {
		t.Errorf("load_roles(long) = %d %.100s", s, out)
	}
	batch := `{"id":"a"}` + "\n" + long + "\n"
	if s, out := in.abiCall("permc_check_batch", batch); s != stOK || out != answerA+"\n"+`{"error":"the request is longer than 1048576 bytes"}`+"\n" {
		t.Errorf("batch(long) = %d %.100s", s, out)
	}
}

func TestBatch(t *testing.T) {
	in := newInst(t, testModule)
	for _, c := range []struct {
		in     string
		status uint32
		out    string
	}{
		{"", stOK, ""},
		{"\n \r\n\t\n", stOK, ""},
		{`{"id":"a"}`, stOK, answerA + "\n"},
		{"{\"id\":\"a\"}\r\n\n{\"id\":\"b\"}\n{\n", stOK, answerA + "\n" +
			`{"allowed":true,"permission":"b","roles":[]}` + "\n" + `{"error":"invalid JSON at offset 1: expected a string key"}` + "\n"},
		{"  {\"id\":\"a\"}  \n\t{\"id\":\"a\"}\r", stOK, answerA + "\n" + answerA + "\n"},
		{`[]`, stOK, `[]`},
		{" [ ] \n", stOK, `[]`},
		{`[{"id":"a"}]`, stOK, `[` + answerA + `]`},
		{"[\n{\"id\":\"a,]\"} ,\n\t{\"id\":\"b\"}]", stOK, `[{"allowed":true,"permission":"a,]","roles":[]},{"allowed":true,"permission":"b","roles":[]}]`},
		{`[{"id":"\"]"},1,"x",[1,2],{}]`, stOK, `[{"allowed":true,"permission":"\"]","roles":[]},{"error":"id is required"},{"error":"id is required"},{"error":"id is required"},{"error":"id is required"}]`},
		{`[x, {"id":"a"}]`, stOK, `[{"error":"invalid JSON at offset 0: unexpected character 'x'"},` + answerA + `]`},
		{`[{"id":"a"}`, stRejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[{"id":"a"},]`, stRejected, `{"error":"invalid batch: want a request at offset 12"}`},
		{`[,{"id":"a"}]`, stRejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[{"id":"a"}] x`, stRejected, `{"error":"invalid batch: unexpected data after the array at offset 13"}`},
		{` [{"id":"a"}] x`, stRejected, `{"error":"invalid batch: unexpected data after the array at offset 13"}`},
		{`[{"id":"a]`, stRejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[}]`, stRejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[`, stRejected, `{"error":"invalid batch: want a request at offset 1"}`},
		{`[{"id":"a"},,{"id":"a"}]`, stRejected, `{"error":"invalid batch: want a request at offset 12"}`},
		{"[\"\\\\\"]", stOK, `[{"error":"id is required"}]`},
	} {
		if s, out := in.abiCall("permc_check_batch", c.in); s != c.status || out != c.out {
			t.Errorf("batch(%q) = %d %s\nwant %d %s", c.in, s, out, c.status, c.out)
		}
	}
}

func TestBatchLimit(t *testing.T) {
	in := newInst(t, testModule)
	lines := strings.Repeat("{\"id\":\"a\"}\n", maxBatch)
	if s, out := in.abiCall("permc_check_batch", lines); s != stOK || strings.Count(out, "\n") != maxBatch {
		t.Errorf("batch(MaxBatch lines) = %d, %d answers", s, strings.Count(out, "\n"))
	}
	if s, out := in.abiCall("permc_check_batch", lines+"{}\n"); s != stRejected || out != `{"error":"the batch holds more than 4096 requests"}` {
		t.Errorf("batch(MaxBatch+1 lines) = %d %.100s", s, out)
	}
	array := "[" + strings.Repeat(`{"id":"a"},`, maxBatch) + "{}]"
	if s, out := in.abiCall("permc_check_batch", array); s != stRejected || out != `{"error":"the batch holds more than 4096 requests"}` {
		t.Errorf("batch(MaxBatch+1 elements) = %d %.100s", s, out)
	}
	if s, out := in.abiCall("permc_check_batch", array[:len(array)-4]+"]"); s != stOK || strings.Count(out, answerA) != maxBatch {
		t.Errorf("batch(MaxBatch elements) = %d %.100s", s, out)
	}
}

// TestFailures: a broken invariant fails the call with INTERNAL, running out of
// memory with INTERNAL "out of memory", and either way the next call is answered.
func TestFailures(t *testing.T) {
	in := newInst(t, testModule)
	if s, out := in.abiCall("permc_check", `{"__panic__":1}`); s != stInternal || !strings.HasPrefix(out, `{"error":"permc module: internal error: test.c:`) {
		t.Errorf("check(panic) = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_check", `{"id":"a"}`); s != stOK || out != answerA {
		t.Errorf("check after a panic = %d %s", s, out)
	}
	if s, _ := in.abiCall("permc_check_batch", "{\"id\":\"a\"}\n{\"__panic__\":1}\n"); s != stInternal {
		t.Errorf("batch(panic) = %d", s)
	}
	if s, _ := in.abiCall("permc_check_batch", `[{"id":"a"},{"__panic__":1}]`); s != stInternal {
		t.Errorf("batch(panic) = %d", s)
	}
	if s, out := in.abiCall("permc_load_roles", `{"x":1}`); s != stRejected || out != `{"error":"want an array"}` {
		t.Errorf("load_roles(object) = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_load_roles", `[{"x":1}`); s != stRejected || out != `{"error":"invalid JSON at offset 8: unexpected end of input in array"}` {
		t.Errorf("load_roles(malformed) = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_load_roles", `[{"x":1}]`); s != stOK || out != "" {
		t.Errorf("load_roles = %d %q", s, out)
	}
	if s, out := in.abiCall("permc_load_roles", `["__panic__"]`); s != stInternal || !strings.HasPrefix(out, `{"error":"permc module: internal error: `) {
		t.Errorf("load_roles(panic) = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_check", `{"id":"a"}`); s != stOK || !strings.Contains(out, `"roles":[{"x":1}]`) {
		t.Errorf("check after load_roles = %d %s", s, out)
	}

	// Out of memory, in an instance limited to 32 MiB.
	r := wazero.NewRuntimeWithConfig(context.Background(), wazero.NewRuntimeConfig().WithMemoryLimitPages(512))
	defer r.Close(context.Background())
	m, err := r.CompileModule(context.Background(), testModule)
	if err != nil {
		t.Fatal(err)
	}
	small := instantiate(t, r, m)
	oom := `{"error":"permc module: out of memory"}`
	if s, out := small.abiCall("permc_check", `{"id":"a","__alloc_mib__":100}`); s != stInternal || out != oom {
		t.Errorf("check(100 MiB) = %d %s", s, out)
	}
	if s, out := small.abiCall("permc_check_batch", "{\"id\":\"a\"}\n{\"id\":\"a\",\"__alloc_mib__\":100}\n"); s != stInternal || out != oom {
		t.Errorf("batch(100 MiB) = %d %s", s, out)
	}
	if s, out := small.abiCall("permc_check", `{"id":"a","__alloc_mib__":10}`); s != stOK || out != answerA {
		t.Errorf("check(10 MiB) after running out = %d %s", s, out)
	}
	// A block the memory cannot hold is refused, not a trap.
	var blocks []uint32
	for {
		p := small.alloc(maxBlock)
		if p == 0 {
			break
		}
		blocks = append(blocks, p)
	}
	if len(blocks) == 0 || len(blocks) >= 8 {
		t.Errorf("%d blocks of 4 MiB in 32 MiB of memory", len(blocks))
	}
	for _, p := range blocks {
		small.free(p)
	}
	if s, out := small.abiCall("permc_check", `{"id":"a"}`); s != stOK || out != answerA {
		t.Errorf("check after refused blocks = %d %s", s, out)
	}
}

// TestNoProgram: the release runtime without a linked program fails every request
// closed.
func TestNoProgram(t *testing.T) {
	in := newInst(t, Module)
	want := `{"error":"permc module: internal error: no program is linked"}`
	for _, name := range []string{"permc_check", "permc_plan", "permc_load_roles"} {
		if s, out := in.abiCall(name, `{"id":"a"}`); s != stInternal || out != want {
			t.Errorf("%s = %d %s", name, s, out)
		}
	}
	if s, out := in.result(in.invoke("permc_metadata")); s != stInternal || string(out) != want {
		t.Errorf("metadata = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_check_batch", "{}\n{}\n"); s != stInternal || out != want {
		t.Errorf("batch = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_configure", `{"budget":5}`); s != stOK || out != "" {
		t.Errorf("configure = %d %s", s, out)
	}
}

func TestMetadataAndPlan(t *testing.T) {
	in := newInst(t, testModule)
	in.invoke("_initialize")
	want := `{"package":"test","program_bytes":0,"max_request":1048576,"max_roles":1048576,"max_batch":4096,"budget":10000000}`
	for range 2 {
		if s, out := in.result(in.invoke("permc_metadata")); s != stOK || string(out) != want {
			t.Errorf("metadata = %d %s", s, out)
		}
	}
	// The test engine's plan names the request's kind, as runtime.JSONKind does.
	for _, doc := range []string{`{"permission":"x"}`, `[]`, `"s"`, `1`, `true`, `null`} {
		j, _ := runtime.ParseJSON([]byte(doc))
		if s, out := in.abiCall("permc_plan", doc); s != stOK || out != `{"plan":`+j.Kind.String()+`}` {
			t.Errorf("plan(%s) = %d %s", doc, s, out)
		}
	}
	if s, out := in.abiCall("permc_plan", `{`); s != stRejected || out != `{"error":"invalid JSON at offset 1: expected a string key"}` {
		t.Errorf("plan(malformed) = %d %s", s, out)
	}
}

func TestConfigure(t *testing.T) {
	in := newInst(t, testModule)
	metadata := func() map[string]any {
		_, out := in.result(in.invoke("permc_metadata"))
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if s, out := in.abiCall("permc_configure", `{}`); s != stOK || out != "" {
		t.Errorf("configure({}) = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_configure", `{"max_request_bytes": 20, "max_batch_requests": 2, "budget": 9007199254740991}`); s != stOK || out != "" {
		t.Errorf("configure = %d %s", s, out)
	}
	if m := metadata(); m["max_request"] != 20.0 || m["max_batch"] != 2.0 || m["max_roles"] != 1048576.0 || m["budget"] != 9007199254740991.0 {
		t.Errorf("settings %v", m)
	}
	// The settings are the limits.
	if s, out := in.abiCall("permc_check", `{"id":"a","xxxxxxxx":1}`); s != stRejected || out != `{"error":"the request is longer than 20 bytes"}` {
		t.Errorf("check over the configured limit = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_check_batch", "{\"id\":\"a\"}\n{\"id\":\"a\"}\n{\"id\":\"a\"}"); s != stRejected || out != `{"error":"the batch holds more than 2 requests"}` {
		t.Errorf("batch over the configured limit = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_configure", `{"max_roles_bytes": 3}`); s != stOK || out != "" {
		t.Errorf("configure = %d %s", s, out)
	}
	if s, out := in.abiCall("permc_load_roles", `[{}]`); s != stRejected || out != `{"error":"the custom roles are longer than 3 bytes"}` {
		t.Errorf("load_roles over the configured limit = %d %s", s, out)
	}
	before := metadata()
	for _, c := range []struct{ in, err string }{
		{``, `invalid JSON at offset 0: unexpected end of input`},
		{`[]`, `configuration: want an object, not an array`},
		{`{"budget":1,"budget":2}`, `invalid JSON at offset 12: duplicate key \"budget\"`},
		{`{"budgett":1}`, `configuration: unknown key \"budgett\" (did you mean \"budget\"?)`},
		{`{"max_request_bytes":1,"x":1}`, `configuration: unknown key \"x\"`},
		{`{"max_request_byte":1}`, `configuration: unknown key \"max_request_byte\" (did you mean \"max_request_bytes\"?)`},
		{`{"budget":0}`, `budget: want an integer from 1 to 9007199254740991, not 0`},
		{`{"budget":-1}`, `budget: want an integer from 1 to 9007199254740991, not -1`},
		{`{"budget":1.5}`, `budget: want an integer from 1 to 9007199254740991, not 1.5`},
		{`{"budget":1e3}`, `budget: want an integer from 1 to 9007199254740991, not 1e3`},
		{`{"budget":"5"}`, `budget: want an integer from 1 to 9007199254740991, not a string`},
		{`{"budget":null}`, `budget: want an integer from 1 to 9007199254740991, not null`},
		{`{"budget":9007199254740992}`, `budget: want an integer from 1 to 9007199254740991, not 9007199254740992`},
		{`{"budget":9223372036854775808}`, `budget: want an integer from 1 to 9007199254740991, not 9223372036854775808`},
		{`{"max_request_bytes":4194305}`, `max_request_bytes: want an integer from 1 to 4194304, not 4194305`},
		{`{"max_roles_bytes":0}`, `max_roles_bytes: want an integer from 1 to 4194304, not 0`},
		{`{"max_batch_requests":65537}`, `max_batch_requests: want an integer from 1 to 65536, not 65537`},
		{`{"max_batch_requests":5,"budget":0}`, `budget: want an integer from 1 to 9007199254740991, not 0`},
	} {
		if s, out := in.abiCall("permc_configure", c.in); s != stRejected || out != `{"error":"`+c.err+`"}` {
			t.Errorf("configure(%s) = %d %s", c.in, s, out)
		}
	}
	if after := metadata(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused configuration changed the settings: %v, then %v", before, after)
	}
	if s, out := in.abiCall("permc_configure", `{"max_request_bytes":4194304,"max_roles_bytes":1,"max_batch_requests":65536,"budget":1}`); s != stOK || out != "" {
		t.Errorf("configure(maxima) = %d %s", s, out)
	}
}

// TestResultLifetime: a result stays as it is until the next call, and a large
// result's memory is given back by the next call.
func TestResultLifetime(t *testing.T) {
	in := newInst(t, testModule)
	lines := strings.Repeat(`{"id":"`+strings.Repeat("x", 1000)+`"}`+"\n", 2000)
	p := in.put([]byte(lines))
	r := in.invoke("permc_check_batch", uint64(p), uint64(len(lines)))
	_, first := in.result(r)
	if len(first) < 1<<20 {
		t.Fatalf("a result of %d bytes", len(first))
	}
	if _, again := in.result(r); !bytes.Equal(first, again) {
		t.Error("the result changed before the next call")
	}
	// The next call frees the result buffer, over 1 MiB: the heap has a free chunk of
	// that size again.
	f := checkHeap(t, in)
	if largest, _ := strconv.Atoi(f[5]); largest < len(first) {
		t.Errorf("largest free chunk %d bytes after a %d-byte result: %v", largest, len(first), f)
	}
}

// TestRolesMemory: custom roles replaced whole reuse their memory. 200,000 role
// names loaded 100 at a time leave memory as it was after the first loads.
func TestRolesMemory(t *testing.T) {
	in := newInst(t, testModule)
	load := func(round int) {
		var names []string
		for i := range 100 {
			names = append(names, strconv.Quote(fmt.Sprintf("role_%d_%d_%s", round, i, strings.Repeat("x", (round+i)%40))))
		}
		if s, out := in.abiCall("permc_load_roles", "["+strings.Join(names, ",")+"]"); s != stOK {
			t.Fatalf("load_roles = %d %s", s, out)
		}
	}
	for round := range 10 {
		load(round)
	}
	pages := in.mod.Memory().Size()
	for round := 10; round < 2000; round++ {
		load(round)
	}
	if got := in.mod.Memory().Size(); got != pages {
		t.Errorf("memory grew from %d to %d bytes while loading roles", pages, got)
	}
	checkHeap(t, in)
}

// checkHeap checks the heap's consistency and returns its state.
func checkHeap(t *testing.T, in *inst) []string {
	t.Helper()
	got, _ := in.text("t_heap", nil)
	f := strings.Fields(got)
	if len(f) != 8 || f[0] != "ok" {
		t.Fatalf("heap: %s", got)
	}
	return f
}

// TestHeap runs random allocations and frees, checking every block and the heap.
func TestHeap(t *testing.T) {
	in := newInst(t, testModule)
	for seed := range uint64(8) {
		maxSize := []uint64{64, 4096, 64 << 10, 1 << 20}[seed%4]
		steps := []uint64{50000, 50000, 20000, 2000}[seed%4]
		a := binary.LittleEndian.AppendUint64(nil, seed)
		b := binary.LittleEndian.AppendUint64(nil, steps)
		c := binary.LittleEndian.AppendUint64(nil, maxSize)
		if out, ok := in.text("t_heap_stress", args(string(a), string(b), string(c))); !ok || !strings.HasPrefix(out, "ok ") {
			t.Fatalf("heap stress %d: %s", seed, out)
		}
	}
	// Everything was freed: what is not free is the instance's own (the result,
	// the arenas' kept chunks), a few chunks.
	f := checkHeap(t, in)
	if used, _ := strconv.Atoi(f[6]); used > 4 {
		t.Errorf("%d chunks in use after the stress test: %v", used, f)
	}
}

// manyKeys is an object of about size bytes with short distinct keys, the most
// nodes and duplicate-key tree a byte can cost: {"id":"a","000":0,"100":0,...}.
func manyKeys(size int) string {
	const abc = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b strings.Builder
	b.WriteString(`{"id":"a"`)
	for i := 0; b.Len() < size-20; i++ {
		fmt.Fprintf(&b, `,"%c%c%c":0`, abc[i%62], abc[i/62%62], abc[i/3844])
	}
	return b.String() + "}"
}

// TestMemoryBounded: the memory an instance keeps is bounded by its largest input,
// not by the number of inputs, and a request of 1 MiB, of any shape, leaves an
// instance under 8 MiB.
func TestMemoryBounded(t *testing.T) {
	for _, doc := range []string{
		`{"id":"a","l":[` + strings.TrimSuffix(strings.Repeat("0,", (maxRequest-30)/2), ",") + `]}`,
		`{"id":"a","l":[` + strings.TrimSuffix(strings.Repeat(`"\n",`, (maxRequest-30)/5), ",") + `]}`,
		`{"id":"a","l":[` + strings.TrimSuffix(strings.Repeat(`[],`, (maxRequest-30)/3), ",") + `]}`,
		manyKeys(maxRequest),
	} {
		if len(doc) > maxRequest {
			t.Fatalf("a test request of %d bytes", len(doc))
		}
		in := newInst(t, testModule)
		if s, out := in.abiCall("permc_check", doc); s != stOK || out != answerA {
			t.Fatalf("check(1 MiB) = %d %.100s", s, out)
		}
		mem := in.mod.Memory().Size()
		t.Logf("%d bytes of memory after a request of %d bytes: %.30s", mem, len(doc), doc[15:])
		if mem > 8<<20 {
			t.Errorf("%d bytes of memory after a 1 MiB request %.40s", mem, doc)
		}
		// Batches (of 3 MiB blocks) take more, once.
		batch := strings.Repeat(doc+"\n", 3)
		round := func() {
			in.abiCall("permc_check", doc)
			in.abiCall("permc_check_batch", batch)
			in.abiCall("permc_check_batch", "["+strings.TrimSuffix(strings.Repeat(doc+",", 3), ",")+"]")
		}
		round()
		mem = in.mod.Memory().Size()
		for range 3 {
			round()
		}
		if got := in.mod.Memory().Size(); got > mem {
			t.Errorf("memory grew from %d to %d bytes on repeated requests", mem, got)
		}
		checkHeap(t, in)
	}
}

// FuzzABI drives every export with arbitrary arguments and bytes: no call traps
// (invoke fails the test on a trap), every result lies in memory, and every result
// but an OK one is {"error": "..."}.
func FuzzABI(f *testing.F) {
	f.Add([]byte("\x00\x10{\"id\":\"a\"}\x01\x00\x05"), uint32(0), uint32(0))
	f.Add([]byte("[{\"id\":\"a\"},{]"), uint32(1), uint32(3))
	f.Add([]byte("{\"id\":\"a\"}\n\xff\n"), uint32(7), uint32(0xffffffff))
	f.Add([]byte("{\"budget\": 3}"), uint32(5), uint32(0x10000))
	insts := []*inst{newInst(f, testModule), newInst(f, Module)}
	exports := []string{"permc_check", "permc_check_batch", "permc_load_roles", "permc_plan", "permc_configure", "t_json", "t_ip"}
	f.Fuzz(func(t *testing.T, data []byte, op, arg uint32) {
		for i, in := range insts {
			in.t = t
			name := exports[op%uint32(len(exports))]
			if i == 1 && strings.HasPrefix(name, "t_") {
				name = "permc_check" // the release runtime has no test entry points
			}
			p := in.put(data)
			// The block itself, a prefix, an offset into it, or any address.
			var ptr, n uint32
			switch op / 8 % 4 {
			case 0:
				ptr, n = p, uint32(len(data))
			case 1:
				ptr, n = p, arg%uint32(len(data)+1)
			case 2:
				ptr, n = p+arg%64, uint32(len(data))
			default:
				ptr, n = arg, uint32(len(data))
			}
			s, out := in.result(in.invoke(name, uint64(ptr), uint64(n)))
			if s > stInternal {
				t.Fatalf("%s: status %d", name, s)
			}
			// A t_* entry point rejects with its plain message; everything else
			// that is not OK is {"error": "..."}.
			if s != stOK && (s != stRejected || !strings.HasPrefix(name, "t_")) {
				var e struct{ Error *string }
				if err := json.Unmarshal(out, &e); err != nil || e.Error == nil {
					t.Fatalf("%s(%d, %d) = %d %q", name, ptr, n, s, out)
				}
			}
			if s == stOK && name == "permc_check" && !json.Valid(out) {
				t.Fatalf("%s answered %q", name, out)
			}
			if op%5 == 0 {
				in.invoke("permc_free", uint64(arg))
			}
			in.free(p)
			if i == 0 {
				checkHeap(t, in)
			}
		}
	})
}
