package rt

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestLink links programs into the runtime: the runtime reads the program's
// bytes where Link put them, its heap starts after them, and everything works as
// in a runtime without one.
func TestLink(t *testing.T) {
	for _, size := range []int{1, 7, 4096, 200 << 10, 3 << 20} {
		program := make([]byte, size)
		for i := range program {
			program[i] = byte(i*131 + size)
		}
		linked, err := Link(testModule, program)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Link(testModule, program)
		if !bytes.Equal(linked, again) {
			t.Error("Link is not deterministic")
		}
		in := newInst(t, linked)
		if got, _ := in.text("t_program", nil); got != string(program) {
			t.Fatalf("program of %d bytes: read back %d bytes", size, len(got))
		}
		base, _ := mustModule(t, testModule).heapBase()
		heap := checkHeap(t, in)
		if start, _ := strconv.Atoi(heap[1]); start < int(base)+size {
			t.Errorf("heap at %d, inside the program at %d..%d", start, base, int(base)+size)
		}
		var meta struct {
			ProgramBytes int `json:"program_bytes"`
		}
		if _, out := in.result(in.invoke("permc_metadata")); json.Unmarshal(out, &meta) != nil || meta.ProgramBytes != size {
			t.Errorf("metadata %s", out)
		}
		if s, out := in.abiCall("permc_check", `{"id":"a"}`); s != stOK || out != answerA {
			t.Errorf("check = %d %s", s, out)
		}
		// Allocations never overwrite the program.
		for range 20 {
			in.put(bytes.Repeat([]byte{0xAA}, 100<<10))
		}
		if got, _ := in.text("t_program", nil); got != string(program) {
			t.Error("the program changed after allocations")
		}
	}
	// The release runtime links and instantiates too.
	linked, err := Link(Module, []byte("program"))
	if err != nil {
		t.Fatal(err)
	}
	in := newInst(t, linked)
	if s, out := in.abiCall("permc_configure", `{}`); s != stOK {
		t.Errorf("configure = %d %s", s, out)
	}
}

func mustModule(t *testing.T, b []byte) *module {
	t.Helper()
	m, err := parseModule(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLinkErrors(t *testing.T) {
	linked, err := Link(Module, []byte{1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		runtime, program []byte
		err              string
	}{
		{Module, nil, "the program is empty"},
		{nil, []byte{1}, "not a WebAssembly 1.0 module"},
		{[]byte("\x00asm\x01\x00\x00\x00\x0b\x05"), []byte{1}, "malformed module"},
		{linked, []byte{1}, "the runtime has a program already"},
		{bytes.Replace(Module, linkMagic, make([]byte, len(linkMagic)), 1), []byte{1}, "0 link records"},
		{bytes.Replace(Module, []byte("__heap_base"), []byte("__heap_bass"), 1), []byte{1}, "does not export __heap_base"},
	} {
		if _, err := Link(c.runtime, c.program); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Link: %v, want %q", err, c.err)
		}
	}
}
