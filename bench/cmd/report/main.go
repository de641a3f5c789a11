// Command report turns the output of the bench module's benchmarks into Markdown
// tables, every ratio taken between results of the same run.
//
//	go test -run '^$' -bench . -benchmem | tee bench.out
//	go run ./cmd/report [-update ../docs/performance.md] bench.out
//
// Without -update it prints the tables; with it, it replaces the part of the file
// between the BEGIN RESULTS and END RESULTS markers.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const (
	beginMarker = "<!-- BEGIN RESULTS (go run ./cmd/report) -->"
	endMarker   = "<!-- END RESULTS -->"
)

func main() {
	update := flag.String("update", "", "replace the results section of this Markdown `file`")
	gomod := flag.String("gomod", "go.mod", "the bench module's go.mod, for the engines' versions")
	flag.Parse()
	in := io.Reader(os.Stdin)
	if flag.NArg() > 0 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fail(err)
		}
		defer f.Close()
		in = f
	}
	res, err := parse(in)
	if err != nil {
		fail(err)
	}
	mod, _ := os.ReadFile(*gomod)
	out := render(res, mod)
	if *update == "" {
		os.Stdout.WriteString(out)
		return
	}
	doc, err := os.ReadFile(*update)
	if err != nil {
		fail(err)
	}
	i, j := bytes.Index(doc, []byte(beginMarker)), bytes.Index(doc, []byte(endMarker))
	if i < 0 || j < i {
		fail(fmt.Errorf("%s has no %q ... %q section", *update, beginMarker, endMarker))
	}
	var b bytes.Buffer
	b.Write(doc[:i+len(beginMarker)])
	b.WriteString("\n\n" + out + "\n")
	b.Write(doc[j:])
	if err := os.WriteFile(*update, b.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// result is one benchmark's measurements. With several samples of a benchmark (several
// runs, or -count), the fastest is kept: on a machine shared with other work, load
// only ever adds time, so the fastest sample is the least disturbed one.
type result struct {
	nsOp, bytesOp, allocsOp float64
	metrics                 map[string]float64 // b.ReportMetric units
}

// nsOpOr is the result's time, or or when there is no result.
func (r *result) nsOpOr(or float64) float64 {
	if r == nil {
		return or
	}
	return r.nsOp
}

type results struct {
	header map[string]string // goos, goarch, pkg, cpu
	byName map[string]*result
}

var lineRE = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) (*results, error) {
	res := &results{header: map[string]string{}, byName: map[string]*result{}}
	samples := map[string][]*result{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, h := range []string{"goos", "goarch", "cpu", "pkg"} {
			if v, ok := strings.CutPrefix(line, h+": "); ok {
				res.header[h] = strings.TrimSpace(v)
			}
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		one := &result{metrics: map[string]float64{}}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				one.nsOp = v
			case "B/op":
				one.bytesOp = v
			case "allocs/op":
				one.allocsOp = v
			default:
				one.metrics[f[i+1]] = v
			}
		}
		if _, ok := samples[m[1]]; !ok {
			order = append(order, m[1])
		}
		samples[m[1]] = append(samples[m[1]], one)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, errors.New("no benchmark results in the input")
	}
	for _, name := range order {
		s := samples[name]
		sort.Slice(s, func(i, j int) bool { return s[i].nsOp < s[j].nsOp })
		res.byName[name] = s[0]
	}
	return res, nil
}

func (r *results) get(name string) *result { return r.byName[name] }

// engineOrder is the order of the engines in the tables.
var engineOrder = []string{"hand", "hand-json", "permc-go", "permc-go-json", "permc-wasm", "permc-eval", "cel-go", "cedar-go", "opa", "opa-wasm", "casbin"}

// engines returns the engines with results under prefix, in engineOrder.
func (r *results) engines(prefix string) []string {
	var out []string
	for _, e := range engineOrder {
		for name := range r.byName {
			if strings.HasPrefix(name, prefix+"/"+e+"/") {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func ns(v float64) string {
	switch {
	case v == 0:
		return "–"
	case v < 1e3:
		return fmt.Sprintf("%.3g ns", v)
	case v < 1e6:
		return fmt.Sprintf("%.3g µs", v/1e3)
	case v < 1e9:
		return fmt.Sprintf("%.3g ms", v/1e6)
	}
	return fmt.Sprintf("%.3g s", v/1e9)
}

func ratio(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f×", v)
	case v >= 10:
		return fmt.Sprintf("%.1f×", v)
	}
	return fmt.Sprintf("%.2f×", v)
}

func bytesStr(v float64) string {
	switch {
	case v < 1<<10:
		return fmt.Sprintf("%.0f B", v)
	case v < 1<<20:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", v/(1<<20))
}

// assignmentCounts are the N of BenchmarkCheck.
var assignmentCounts = []int{1, 10, 100, 1000}

func render(r *results, gomod []byte) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("Machine: %s, %s/%s, %d logical CPUs as seen by this report. %s.\n\n",
		orDash(r.header["cpu"]), orDash(r.header["goos"]), orDash(r.header["goarch"]), runtime.NumCPU(), runtime.Version())
	if v := versions(gomod); v != "" {
		w("Engines: %s.\n\n", v)
	}

	checks := r.engines("BenchmarkCheck")
	base := "hand"
	for _, q := range []string{"allow", "deny"} {
		w("### One check, %s question (BenchmarkCheck, time per check; ratio to hand-written Go)\n\n", q)
		w("| engine |")
		for _, n := range assignmentCounts {
			w(" N = %d |", n)
		}
		w("\n|---|")
		for range assignmentCounts {
			w("---:|")
		}
		w("\n")
		for _, e := range checks {
			w("| %s |", e)
			for _, n := range assignmentCounts {
				res := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=%d/%s", e, n, q))
				h := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=%d/%s", base, n, q))
				switch {
				case res == nil:
					w(" – |")
				case h == nil || h.nsOp == 0 || e == base:
					w(" %s |", ns(res.nsOp))
				default:
					w(" %s (%s) |", ns(res.nsOp), ratio(res.nsOp/h.nsOp))
				}
			}
			w("\n")
		}
		w("\n")
	}

	w("### Memory per check at N = 10 and N = 1000 (B/op, allocs/op)\n\n")
	w("| engine | N = 10 allow | N = 10 deny | N = 1000 allow | N = 1000 deny |\n|---|---:|---:|---:|---:|\n")
	for _, e := range checks {
		w("| %s |", e)
		for _, n := range []int{10, 1000} {
			for _, q := range []string{"allow", "deny"} {
				if res := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=%d/%s", e, n, q)); res != nil {
					w(" %s, %.0f |", bytesStr(res.bytesOp), res.allocsOp)
				} else {
					w(" – |")
				}
			}
		}
		w("\n")
	}
	w("\n")

	if ref := "permc-go"; slices.Contains(checks, ref) {
		w("### Against permc generated Go at N = 10 (how many times slower than permc-go)\n\n")
		w("| engine | allow | deny |\n|---|---:|---:|\n")
		for _, e := range checks {
			w("| %s |", e)
			for _, q := range []string{"allow", "deny"} {
				res := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=10/%s", e, q))
				g := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=10/%s", ref, q))
				if res == nil || g == nil || g.nsOp == 0 {
					w(" – |")
				} else {
					w(" %s |", ratio(res.nsOp/g.nsOp))
				}
			}
			w("\n")
		}
		w("\n")
	}

	if t := targets(r); t != "" {
		w("### Targets\n\n%s\n", t)
	}

	if es := r.engines("BenchmarkSpecSize"); len(es) > 0 {
		w("### Spec size (BenchmarkSpecSize, N = 10, allow / deny; last column: 100x over 1x)\n\n")
		w("| engine | 1x | 10x | 100x | 100x / 1x |\n|---|---:|---:|---:|---:|\n")
		for _, e := range es {
			w("| %s |", e)
			get := func(k int, q string) *result {
				return r.get(fmt.Sprintf("BenchmarkSpecSize/%s/spec=%dx/assignments=10/%s", e, k, q))
			}
			for _, k := range []int{1, 10, 100} {
				a, d := get(k, "allow"), get(k, "deny")
				if a == nil || d == nil {
					w(" – |")
					continue
				}
				w(" %s / %s |", ns(a.nsOp), ns(d.nsOp))
			}
			a1, a100, d1, d100 := get(1, "allow"), get(100, "allow"), get(1, "deny"), get(100, "deny")
			if a1 != nil && a100 != nil && d1 != nil && d100 != nil {
				w(" %s / %s |", ratio(a100.nsOp/a1.nsOp), ratio(d100.nsOp/d1.nsOp))
			} else {
				w(" – |")
			}
			w("\n")
		}
		w("\n")
	}

	if es := r.engines("BenchmarkParallel"); len(es) > 0 {
		w("### Both cores (BenchmarkParallel, N = 10: time per check with RunParallel; speed-up over one core)\n\n")
		w("| engine | allow | deny |\n|---|---:|---:|\n")
		for _, e := range es {
			w("| %s |", e)
			for _, q := range []string{"allow", "deny"} {
				p := r.get(fmt.Sprintf("BenchmarkParallel/%s/assignments=10/%s", e, q))
				s := r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=10/%s", e, q))
				switch {
				case p == nil:
					w(" – |")
				case s == nil || p.nsOp == 0:
					w(" %s |", ns(p.nsOp))
				default:
					w(" %s (%s) |", ns(p.nsOp), ratio(s.nsOp/p.nsOp))
				}
			}
			w("\n")
		}
		w("\n")
	}

	if es := r.engines("BenchmarkLoad"); len(es) > 0 {
		w("### Cold start (BenchmarkLoad: from the policy as deployed to ready to answer; time, allocated bytes)\n\n")
		w("| engine | 1x | 10x | 100x |\n|---|---:|---:|---:|\n")
		for _, e := range es {
			w("| %s |", e)
			for _, k := range []int{1, 10, 100} {
				if res := r.get(fmt.Sprintf("BenchmarkLoad/%s/spec=%dx", e, k)); res != nil {
					w(" %s, %s |", ns(res.nsOp), bytesStr(res.bytesOp))
				} else {
					w(" – |")
				}
			}
			w("\n")
		}
		w("\n")
	}

	if es := r.engines("BenchmarkBuild"); len(es) > 0 {
		w("### Build, before deployment (BenchmarkBuild; time, allocated bytes)\n\n")
		w("| step | 1x | 10x | 100x |\n|---|---:|---:|---:|\n")
		for _, e := range es {
			w("| %s |", e)
			for _, k := range []int{1, 10, 100} {
				if res := r.get(fmt.Sprintf("BenchmarkBuild/%s/spec=%dx", e, k)); res != nil {
					w(" %s, %s |", ns(res.nsOp), bytesStr(res.bytesOp))
				} else {
					w(" – |")
				}
			}
			w("\n")
		}
		w("\n")
	}

	if es := r.engines("BenchmarkWasmStart"); len(es) > 0 {
		w("### Wasm modules (BenchmarkWasmStart: size; wazero compiling the module, then making one instance)\n\n")
		w("| module | spec | raw | gzip -9 | compile | instantiate |\n|---|---|---:|---:|---:|---:|\n")
		for _, e := range es {
			for _, k := range []int{1, 10, 100} {
				c := r.get(fmt.Sprintf("BenchmarkWasmStart/%s/spec=%dx/compile", e, k))
				in := r.get(fmt.Sprintf("BenchmarkWasmStart/%s/spec=%dx/instantiate", e, k))
				if c == nil || in == nil {
					continue
				}
				w("| %s | %dx | %s | %s | %s | %s |\n", e, k, bytesStr(c.metrics["wasm-bytes"]), bytesStr(c.metrics["wasm-gzip-bytes"]), ns(c.nsOp), ns(in.nsOp))
			}
		}
		w("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// versions lists the compared engines' module versions from the bench module's go.mod.
func versions(gomod []byte) string {
	mods := []string{"cel.dev/cel-go", "github.com/cedar-policy/cedar-go", "github.com/open-policy-agent/opa", "github.com/casbin/casbin/v2", "github.com/tetratelabs/wazero"}
	var out []string
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && slices.Contains(mods, f[0]) {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return strings.Join(out, ", ")
}

// targets checks the performance targets against this run.
func targets(r *results) string {
	t := func(e string, n int, q string) *result {
		return r.get(fmt.Sprintf("BenchmarkCheck/%s/assignments=%d/%s", e, n, q))
	}
	var b strings.Builder
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	row := func(what, got string, ok bool) { fmt.Fprintf(&b, "| %s | %s | %s |\n", what, got, mark(ok)) }
	b.WriteString("| target | this run | |\n|---|---|---|\n")
	if t("permc-go", 10, "allow") == nil {
		b.WriteString("| permc generated Go | not measured in this run | – |\n")
	} else {
		var allocs []string
		zero := true
		for _, n := range assignmentCounts {
			for _, q := range []string{"allow", "deny"} {
				if g := t("permc-go", n, q); g != nil && g.allocsOp != 0 {
					zero = false
					allocs = append(allocs, fmt.Sprintf("N=%d %s: %.0f", n, q, g.allocsOp))
				}
			}
		}
		got := "0 at every N"
		if !zero {
			got = strings.Join(allocs, ", ")
		}
		row("permc-go: 0 allocs/op", got, zero)
		for _, n := range assignmentCounts {
			worst, ok := 0.0, true
			for _, q := range []string{"allow", "deny"} {
				g, h := t("permc-go", n, q), t("hand", n, q)
				if g == nil || h == nil {
					ok = false
					continue
				}
				worst = max(worst, g.nsOp/h.nsOp)
			}
			what := fmt.Sprintf("permc-go within 1.5× of hand-written at N = %d", n)
			if !ok {
				fmt.Fprintf(&b, "| %s | not measured in this run | – |\n", what)
				continue
			}
			row(what, ratio(worst)+" (worst of allow, deny)", worst <= 1.5)
		}
		for _, peer := range []struct {
			name string
			min  float64
		}{{"cel-go", 50}, {"cedar-go", 50}, {"casbin", 50}, {"opa", 500}} {
			worst, ok := 0.0, true
			for _, q := range []string{"allow", "deny"} {
				g, p := t("permc-go", 10, q), t(peer.name, 10, q)
				if g == nil || p == nil {
					ok = false
					continue
				}
				if v := p.nsOp / g.nsOp; worst == 0 || v < worst {
					worst = v
				}
			}
			what := fmt.Sprintf("permc-go ≥ %.0f× faster than %s at N = 10", peer.min, peer.name)
			if !ok {
				fmt.Fprintf(&b, "| %s | not measured in this run | – |\n", what)
				continue
			}
			row(what, ratio(worst)+" (least of allow, deny)", worst >= peer.min)
		}
	}
	if w := t("permc-wasm", 10, "allow"); w == nil {
		b.WriteString("| permc Wasm (wazero, JSON in/out) | not measured in this run | – |\n")
	} else {
		worst, ok := 0.0, true
		for _, q := range []string{"allow", "deny"} {
			w, c := t("permc-wasm", 10, q), t("cedar-go", 10, q)
			if w == nil || c == nil {
				ok = false
				continue
			}
			worst = max(worst, w.nsOp/c.nsOp)
		}
		what := "permc-wasm (JSON in/out) faster than cedar-go at N = 10"
		if !ok {
			fmt.Fprintf(&b, "| %s | not measured in this run | – |\n", what)
		} else {
			row(what, fmt.Sprintf("%s of cedar-go's time (worst of allow, deny)", ratio(worst)), worst < 1)
		}
		slowest := max(w.nsOp, t("permc-wasm", 10, "deny").nsOpOr(w.nsOp))
		row("permc-wasm ≤ 5 µs per check at N = 10", ns(slowest)+" (worst of allow, deny)", slowest <= 5000)
	}
	if c := r.get("BenchmarkWasmStart/permc-wasm/spec=1x/compile"); c != nil {
		size := c.metrics["wasm-bytes"]
		row("permc-wasm module ≤ 100 KB (1x spec)", bytesStr(size), size <= 100_000)
		row("permc-wasm compiled by wazero in ≤ 20 ms (1x spec)", ns(c.nsOp), c.nsOp <= 20e6)
	}
	if bld := r.get("BenchmarkBuild/permc-wasm/spec=1x"); bld != nil {
		row("permc build-wasm ≤ 50 ms (1x spec)", ns(bld.nsOp), bld.nsOp <= 50e6)
	}
	return b.String()
}
