package wasmc

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"regexp"
	"testing"

	"github.com/tetratelabs/wazero"
)

// TestRegexpBytes runs the runtime's matcher (t_regexp, in the test build) on
// patterns encoded as Build encodes them and on subjects of any bytes, invalid
// UTF-8 included, which a request's strings never are: it must answer as Go's
// regexp.MatchString, which reads an invalid byte as U+FFFD one byte wide.
func TestRegexpBytes(t *testing.T) {
	module, err := os.ReadFile("rt/rt_test.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.InstantiateWithConfig(ctx, module, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	alloc, free, match := mod.ExportedFunction("permc_alloc"), mod.ExportedFunction("permc_free"), mod.ExportedFunction("t_regexp")
	call := func(input []byte) string {
		res, err := alloc.Call(ctx, uint64(len(input)))
		if err != nil || res[0] == 0 {
			t.Fatalf("alloc: %v", err)
		}
		p := uint32(res[0])
		defer free.Call(ctx, uint64(p))
		mod.Memory().Write(p, input)
		if res, err = match.Call(ctx, uint64(p), uint64(len(input))); err != nil {
			t.Fatalf("t_regexp trapped: %v", err)
		}
		out, _ := mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]&(1<<28-1)))
		return string(out)
	}
	patterns := []string{`a`, `^a`, `a$`, `.`, `^.$`, `^..$`, `\x{FFFD}`, `^\x{FFFD}+$`, `[^a]`, `\b`, `\B`, `\bx\b`,
		`(?i)é`, `\pL`, `\PL`, `(?s).+`, `^$`, `[\x80-\xff]`, `é`, `[^\x00-\x7f]`, `(?m)^a`, `a.b`, `\w+`, `\W`}
	subjects := [][]byte{{}, {0xff}, {'a', 0xff}, {0xff, 'a'}, {0xc3}, {0xc3, 0xa9}, {0xe2, 0x82}, {0xe2, 0x82, 0xac},
		{0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xc0, 0xaf}, {'x', 0x80, 'x'}, {'a', '\n', 0xfe}, []byte("héllo"),
		{'a', 0xff, 'b'}, []byte("a\xefb"), []byte("\xef\xbf\xbd")}
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		b := make([]byte, rnd.IntN(8))
		for k := range b {
			b[k] = []byte{'a', 'b', 'x', '\n', ' ', 0xc3, 0xa9, 0xff, 0x80, 0xe2}[rnd.IntN(10)]
		}
		subjects = append(subjects, b)
	}
	for _, pat := range patterns {
		e := &encoder{strs: map[string]uint32{}, types: map[string]uint32{}, header: map[string]int{}}
		e.u64(0) // offset 0 is none
		off, err := e.regexp(pat)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(pat)
		for _, subj := range subjects {
			input := binary.LittleEndian.AppendUint32(nil, off)
			input = binary.LittleEndian.AppendUint32(input, uint32(len(e.b)))
			input = append(append(input, e.b...), subj...)
			want := "0"
			if re.Match(subj) {
				want = "1"
			}
			if got := call(input); got != want {
				t.Errorf("%q matches %q: %s, want %s", subj, pat, got, want)
			}
		}
	}
}
