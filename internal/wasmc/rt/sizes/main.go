// Command sizes builds the Wasm runtime with its function names (build.sh with
// NAMES=1, into a temporary directory) and prints what each function weighs in the
// release module, largest first, with the totals of the code and data sections:
// the runtime's size is its compile time in every host, so this is the table to read
// before and after a change.
//
// Usage (from the repository's root; needs build.sh's clang and wasm-ld):
//
//	go run ./internal/wasmc/rt/sizes [-n 40] [-test] [-match REGEXP] [-file MODULE]
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"

	"github.com/permc/permc/internal/wasmc/rt/wasmbin"
)

func main() {
	n := flag.Int("n", 40, "how many functions to list (0: all)")
	test := flag.Bool("test", false, "measure the test build, rt_test.wasm")
	match := flag.String("match", "", "list only the functions whose name matches this regular expression")
	file := flag.String("file", "", "measure this module (built with NAMES=1) instead of building one")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("sizes: ")

	path := *file
	if path == "" {
		_, self, _, _ := runtime.Caller(0)
		dir := filepath.Join(filepath.Dir(self), "..")
		tmp, err := os.MkdirTemp("", "permc-rt-sizes")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("bash", filepath.Join(dir, "build.sh"), tmp)
		cmd.Env = append(os.Environ(), "NAMES=1")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatal(err)
		}
		path = filepath.Join(tmp, "rt.wasm")
		if *test {
			path = filepath.Join(tmp, "rt_test.wasm")
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	m, err := parse(b)
	if err != nil {
		log.Fatal(err)
	}
	var re *regexp.Regexp
	if *match != "" {
		if re, err = regexp.Compile(*match); err != nil {
			log.Fatal(err)
		}
	}
	fns := m.funcs
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].size > fns[j].size })
	shown, sum := 0, 0
	for _, f := range fns {
		if re != nil && !re.MatchString(f.name) {
			continue
		}
		sum += f.size
		if *n == 0 || shown < *n {
			fmt.Printf("%7d  %s\n", f.size, f.name)
			shown++
		}
	}
	if re != nil {
		fmt.Printf("%7d  (the %d matching functions)\n", sum, count(fns, re))
	}
	fmt.Printf("code %d bytes in %d functions, data %d bytes, module %d bytes without names\n",
		m.code, len(m.funcs), m.data, m.stripped)
}

func count(fns []fn, re *regexp.Regexp) int {
	c := 0
	for _, f := range fns {
		if re.MatchString(f.name) {
			c++
		}
	}
	return c
}

type fn struct {
	name string
	size int // the body's bytes, with its length prefix
}

type module struct {
	funcs    []fn
	code     int // the code section's bytes
	data     int // the data section's bytes
	stripped int // the module's bytes without its custom sections
}

// parse reads the sections of a module that imports no functions (the runtime's
// function indexes are its code section's) and its name section's function names.
func parse(b []byte) (*module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	m := &module{stripped: 8}
	names := map[int]string{}
	r := &wasmbin.Reader{B: b, Off: 8}
	for r.Off < len(b) && r.Err == nil {
		start := r.Off
		id := r.Byte()
		body := r.Bytes(r.U32())
		if id != 0 {
			m.stripped += r.Off - start
		}
		s := &wasmbin.Reader{B: body}
		switch id {
		case 10:
			m.code = len(body)
			for k := s.U32(); k > 0 && s.Err == nil; k-- {
				at := s.Off
				s.Bytes(s.U32())
				m.funcs = append(m.funcs, fn{size: s.Off - at})
			}
		case 11:
			m.data = len(body)
		case 0:
			if string(s.Bytes(s.U32())) != "name" {
				continue
			}
			for s.Off < len(body) && s.Err == nil {
				sub := s.Byte()
				sb := &wasmbin.Reader{B: s.Bytes(s.U32())}
				if sub != 1 {
					continue
				}
				for k := sb.U32(); k > 0 && sb.Err == nil; k-- {
					idx := int(sb.U32())
					names[idx] = string(sb.Bytes(sb.U32()))
				}
			}
		}
		if s.Err != nil {
			return nil, fmt.Errorf("malformed module: %v", s.Err)
		}
	}
	if r.Err != nil {
		return nil, fmt.Errorf("malformed module: %v", r.Err)
	}
	for i := range m.funcs {
		if name, ok := names[i]; ok {
			m.funcs[i].name = name
		} else {
			m.funcs[i].name = fmt.Sprintf("#%d", i)
		}
	}
	return m, nil
}
