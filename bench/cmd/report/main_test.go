package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/permc/permc/bench
cpu: Some CPU   
BenchmarkCheck/hand/assignments=10/allow-2         	48000000	        25.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/hand/assignments=10/deny-2          	48000000	        20.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/permc-go/assignments=10/allow-2     	48000000	        30.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/permc-go/assignments=10/deny-2      	48000000	        20.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/cedar-go/assignments=10/allow-2     	  200000	      6000 ns/op	    2056 B/op	      23 allocs/op
BenchmarkCheck/cedar-go/assignments=10/deny-2      	  200000	      4000 ns/op	    1992 B/op	      22 allocs/op
BenchmarkCheck/cedar-go/assignments=10/deny-2      	  200000	      5000 ns/op	    1992 B/op	      22 allocs/op
BenchmarkCheck/cedar-go/assignments=10/deny-2      	  200000	      9000 ns/op	    1992 B/op	      22 allocs/op
BenchmarkWasmStart/opa-wasm/spec=1x/compile-2      	       5	  51942095 ns/op	    136572 wasm-bytes	     53859 wasm-gzip-bytes	 4097520 B/op	   13596 allocs/op
BenchmarkWasmStart/opa-wasm/spec=1x/instantiate-2  	       5	   2265599 ns/op	  753656 B/op	    6722 allocs/op
PASS
`

func TestRender(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	out := render(r, []byte("require github.com/cedar-policy/cedar-go v1.9.0\n"))
	for _, want := range []string{
		"Machine: Some CPU, linux/amd64",
		"Engines: github.com/cedar-policy/cedar-go v1.9.0.",
		"| permc-go | – | 30 ns (1.20×) | – | – |",
		"| cedar-go | – | 4 µs (200×) | – | – |", // the fastest of three samples
		"| permc-go within 1.5× of hand-written at N = 10 | 1.20× (worst of allow, deny) | met |",
		"| permc-go ≥ 50× faster than cedar-go at N = 10 | 200× (least of allow, deny) | met |",
		"| permc-go within 1.5× of hand-written at N = 1 | not measured in this run | – |",
		"| permc-go ≥ 500× faster than opa at N = 10 | not measured in this run | – |",
		"| opa-wasm | 1x | 133.4 KiB | 52.6 KiB | 51.9 ms | 2.27 ms |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
