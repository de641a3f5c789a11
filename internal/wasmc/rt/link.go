package rt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/permc/permc/internal/wasmc/rt/wasmbin"
)

// The link record of link.h: its magic, and the offsets of its fields after it.
var linkMagic = []byte("\x00permc-program\x7f\x00")

const (
	linkVersion   = 2
	linkRecordLen = 32 // magic, version, offset, length, packed
	pageSize      = 64 << 10
)

// Wasm section ids.
const (
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secData      = 11
	secDataCount = 12
)

// Link returns runtime (a module built by build.sh) with program linked into it:
// program, packed (pack.go), is appended as an active data segment at the address
// the module exports as __heap_base, the memory's minimum size is raised to hold it,
// the program unpacked after it and a page of heap, and the module's link record
// (link.h) is patched to say where the program goes. The runtime unpacks it there
// once, reads it with rt_program and starts its heap after it. Linking is
// deterministic: the same inputs give the same bytes.
//
// # Errors
//
// Link fails when runtime is not a module built from this package's sources (no
// link record, or one already patched), or program is empty or does not fit in
// 32-bit memory.
func Link(runtime, program []byte) ([]byte, error) {
	if len(program) == 0 {
		return nil, errors.New("link: the program is empty")
	}
	m, err := parseModule(runtime)
	if err != nil {
		return nil, err
	}
	base, err := m.heapBase()
	if err != nil {
		return nil, err
	}
	packed := pack(program)
	at := (uint64(base) + 7) &^ 7
	offset := (at + uint64(len(packed)) + 7) &^ 7
	end := offset + uint64(len(program))
	if end > 1<<32-pageSize {
		return nil, fmt.Errorf("link: a program of %d bytes does not fit in memory", len(program))
	}

	var out bytes.Buffer
	out.Write(runtime[:8]) // magic and version
	patched, dataSeen := false, false
	for _, s := range m.sections {
		body := s.body
		switch s.id {
		case secMemory:
			if body, err = raiseMemory(body, uint32((end+pageSize-1)/pageSize)+1); err != nil {
				return nil, err
			}
		case secDataCount:
			// The data count counts the segment added below.
			r := wasmbin.Reader{B: body}
			n := r.U32()
			if r.Err != nil {
				return nil, errors.New("link: malformed data count section")
			}
			body = appendU32(nil, n+1)
		case secData:
			dataSeen = true
			if body, err = linkData(body, uint32(at), uint32(offset), uint32(len(program)), packed); err != nil {
				return nil, err
			}
			patched = true
		}
		out.WriteByte(s.id)
		out.Write(appendU32(nil, uint32(len(body))))
		out.Write(body)
	}
	if !dataSeen || !patched {
		return nil, errors.New("link: the runtime has no data section, so no link record")
	}
	return out.Bytes(), nil
}

// linkData patches the link record found in the data section's segments with the
// program's offset and length and the packed form's length, and appends the
// segment of the packed form, at at.
func linkData(body []byte, at, offset, length uint32, packed []byte) ([]byte, error) {
	r := wasmbin.Reader{B: body}
	count := r.U32()
	found := 0
	patched := append([]byte(nil), body...)
	for i := uint32(0); i < count && r.Err == nil; i++ {
		if flags := r.U32(); flags != 0 {
			return nil, fmt.Errorf("link: data segment %d is not an active segment of memory 0", i)
		}
		if r.Byte() != 0x41 { // i32.const
			return nil, fmt.Errorf("link: data segment %d has no constant offset", i)
		}
		r.S32()
		if r.Byte() != 0x0b { // end
			return nil, fmt.Errorf("link: data segment %d has no constant offset", i)
		}
		n := r.U32()
		start := r.Off
		data := r.Bytes(n)
		for at := 0; r.Err == nil; {
			k := bytes.Index(data[at:], linkMagic)
			if k < 0 {
				break
			}
			at += k
			found++
			if at+linkRecordLen > len(data) {
				return nil, errors.New("link: the link record is cut short")
			}
			rec := patched[start+at : start+at+linkRecordLen]
			if v := binary.LittleEndian.Uint32(rec[16:]); v != linkVersion {
				return nil, fmt.Errorf("link: the runtime's link record is version %d, not %d", v, linkVersion)
			}
			if binary.LittleEndian.Uint32(rec[20:]) != 0 || binary.LittleEndian.Uint32(rec[24:]) != 0 {
				return nil, errors.New("link: the runtime has a program already")
			}
			binary.LittleEndian.PutUint32(rec[20:], offset)
			binary.LittleEndian.PutUint32(rec[24:], length)
			binary.LittleEndian.PutUint32(rec[28:], uint32(len(packed)))
			at += len(linkMagic)
		}
	}
	if r.Err != nil || r.Off != len(body) {
		return nil, errors.New("link: malformed data section")
	}
	if found != 1 {
		return nil, fmt.Errorf("link: %d link records in the runtime, want 1", found)
	}
	// The segment count grows by one; the segments stay as they are.
	out := appendU32(nil, count+1)
	out = append(out, patched[len(appendU32(nil, count)):]...)
	out = append(out, 0x00, 0x41)
	out = appendS32(out, int32(at))
	out = append(out, 0x0b)
	out = appendU32(out, uint32(len(packed)))
	return append(out, packed...), nil
}

// raiseMemory rewrites the memory section so that its one memory has at least min
// pages.
func raiseMemory(body []byte, min uint32) ([]byte, error) {
	r := wasmbin.Reader{B: body}
	if n := r.U32(); n != 1 || r.Err != nil {
		return nil, errors.New("link: the runtime has not exactly one memory")
	}
	flags := r.Byte()
	cur := r.U32()
	var max uint32
	if flags&1 != 0 {
		max = r.U32()
	}
	if r.Err != nil || flags > 1 || r.Off != len(body) {
		return nil, errors.New("link: malformed memory section")
	}
	cur = maxU32(cur, min)
	if flags&1 != 0 && max < cur {
		return nil, fmt.Errorf("link: the program needs %d pages, over the memory's maximum of %d", cur, max)
	}
	out := appendU32([]byte{1, flags}, cur)
	if flags&1 != 0 {
		out = appendU32(out, max)
	}
	return out, nil
}

func maxU32(a, b uint32) uint32 {
	if a > b {
		return a
	}
	return b
}

type section struct {
	id   byte
	body []byte
}

type module struct {
	sections []section
}

func parseModule(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:8], []byte("\x00asm\x01\x00\x00\x00")) {
		return nil, errors.New("link: not a WebAssembly 1.0 module")
	}
	r := wasmbin.Reader{B: b, Off: 8}
	var m module
	for r.Off < len(b) && r.Err == nil {
		id := r.Byte()
		n := r.U32()
		body := r.Bytes(n)
		m.sections = append(m.sections, section{id, body})
	}
	if r.Err != nil {
		return nil, fmt.Errorf("link: malformed module: %v", r.Err)
	}
	return &m, nil
}

func (m *module) section(id byte) []byte {
	for _, s := range m.sections {
		if s.id == id {
			return s.body
		}
	}
	return nil
}

// heapBase reads the initial value of the global the module exports as
// __heap_base. The runtime imports nothing, so global indexes start at its own.
func (m *module) heapBase() (uint32, error) {
	r := wasmbin.Reader{B: m.section(secExport)}
	index := -1
	for n := r.U32(); n > 0 && r.Err == nil; n-- {
		name := string(r.Bytes(r.U32()))
		kind := r.Byte()
		idx := r.U32()
		if name == "__heap_base" && kind == 3 {
			index = int(idx)
		}
	}
	if r.Err != nil || index < 0 {
		return 0, errors.New("link: the runtime does not export __heap_base")
	}
	r = wasmbin.Reader{B: m.section(secGlobal)}
	for i, n := 0, int(r.U32()); i < n && r.Err == nil; i++ {
		r.Byte() // value type
		r.Byte() // mutability
		if r.Byte() != 0x41 {
			return 0, errors.New("link: a global's initializer is not i32.const")
		}
		v := r.S32()
		if r.Byte() != 0x0b {
			return 0, errors.New("link: a global's initializer is not i32.const")
		}
		if i == index {
			return uint32(v), r.Err
		}
	}
	return 0, errors.New("link: __heap_base is not one of the runtime's globals")
}

func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
