package rt

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// unpacked is pack's format read in Go, as c/link.c's unpack reads it: nil unless
// the packed form is well formed.
func unpacked(p []byte) []byte {
	var out []byte
	varint := func() (int, bool) {
		x := 0
		for s := 0; s < 28 && len(p) > 0; s += 7 {
			b := p[0]
			p = p[1:]
			x |= int(b&127) << s
			if b < 128 {
				return x, true
			}
		}
		return 0, false
	}
	count := func(v int) (int, bool) {
		if v < 15 {
			return v, true
		}
		x, ok := varint()
		return x + 15, ok
	}
	for len(p) > 0 {
		t := int(p[0])
		p = p[1:]
		lit, ok := count(t & 15)
		if !ok || lit > len(p) {
			return nil
		}
		out, p = append(out, p[:lit]...), p[lit:]
		if t < 16 {
			continue
		}
		n, ok := count(t >> 4)
		dist, ok2 := varint()
		if !ok || !ok2 || dist < 1 || dist > len(out) {
			return nil
		}
		for range n + 2 {
			out = append(out, out[len(out)-dist])
		}
	}
	return out
}

// programs are inputs of every kind pack meets: real programs are mostly small
// integers and zeros, with repeated names.
func programs() [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n, alphabet int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(alphabet))
		}
		return b
	}
	out := [][]byte{{0}, {1, 2}, {7, 7, 7}, make([]byte, 100_000), random(1, 256), random(17, 256), random(5000, 256),
		random(5000, 3), bytes.Repeat([]byte("library.view, "), 3000)}
	for i := range 200 {
		b := random(1+r.IntN(3000), 1+i%7)
		for j := 0; j+8 < len(b); j += 1 + r.IntN(40) {
			copy(b[j:], "permc\x00\x00\x00")
		}
		out = append(out, b)
	}
	return out
}

func TestPack(t *testing.T) {
	for i, p := range programs() {
		packed := pack(p)
		if got := unpacked(packed); !bytes.Equal(got, p) {
			t.Fatalf("program %d (%d bytes) packs to %d bytes that unpack to %d bytes", i, len(p), len(packed), len(got))
		}
		if len(p) > 1000 && bytes.Equal(p[:1000], make([]byte, 1000)) && len(packed) > len(p)/100 {
			t.Errorf("program %d: %d zeros pack to %d bytes", i, len(p), len(packed))
		}
	}
}

// TestUnpack links programs of every kind: the runtime unpacks each to its bytes.
func TestUnpack(t *testing.T) {
	for i, p := range programs() {
		if i%10 != 0 && i > 10 {
			continue
		}
		linked, err := Link(testModule, p)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := newInst(t, linked).text("t_program", nil); got != string(p) {
			t.Fatalf("program %d of %d bytes: read back %d bytes", i, len(p), len(got))
		}
	}
}

// TestUnpackDamaged links a program and damages its packed form: the runtime reads
// a program of the linked length or none, and never traps or writes past the
// program.
func TestUnpackDamaged(t *testing.T) {
	program := bytes.Repeat([]byte("permc program\x00\x01\x02\x00\x00\x00"), 200)
	packed := pack(program)
	linked, err := Link(testModule, program)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(linked, packed)
	if at < 0 {
		t.Fatal("the packed program is not in the module")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 60 {
		damaged := bytes.Clone(linked)
		for range 1 + n%4 {
			damaged[at+r.IntN(len(packed))] = byte(r.IntN(256))
		}
		in := newInst(t, damaged)
		if got, _ := in.text("t_program", nil); got != "" && len(got) != len(program) {
			t.Fatalf("damaged program read back as %d bytes", len(got))
		}
		checkHeap(t, in)
	}
}
