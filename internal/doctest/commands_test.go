package doctest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docs are the Markdown files whose commands must run as written.
func docs(t *testing.T, repo string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(repo, "README.md")}, files...)
}

// TestDocCommands runs every shell command of README.md and docs/*.md as written, from
// the root of a fresh clone, with permc meaning the clone's freshly built command, and
// checks the outputs the docs show. A block that cannot run says why in a
// <!-- not run: ... --> mark, so that a new command that does not run fails here.
func TestDocCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds permc and runs the docs' commands")
	}
	repo := clone(t)
	bin := buildPermc(t, repo)
	gobin := filepath.Join(t.TempDir(), "gobin")
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+gobin, // where `go install ./cmd/permc` puts it
		"GOWORK=off", "GOTOOLCHAIN=local")
	if os.Getenv("PERMC_CACHE") == "" {
		env = append(env, "PERMC_CACHE="+t.TempDir())
	}
	// exec runs a script; with check, it must succeed.
	exec := func(t *testing.T, script string, check bool) string {
		t.Helper()
		out, err := bash(repo, env, script, 15*time.Minute)
		if err != nil && (check || strings.HasPrefix(err.Error(), "timed out")) {
			t.Errorf("%v\n%s\n%s", err, script, out)
		}
		return out
	}
	run := func(t *testing.T, script string) string { return exec(t, script, true) }
	for _, file := range docs(t, repo) {
		blocks, err := Blocks(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repo, file)
		last := "" // the output of the last shell block run
		for _, b := range blocks {
			kind, arg := b.Kind()
			name := rel + ":" + strconv.Itoa(b.Line)
			switch {
			case kind == "output":
				t.Run(name, func(t *testing.T) {
					if last == "" {
						t.Fatal("an output mark with no command before it")
					}
					if missing := shows(last, b.Text); len(missing) > 0 {
						t.Errorf("the command before does not print:\n%s\nit printed:\n%s", strings.Join(missing, "\n"), last)
					}
				})
			case kind == "output of":
				t.Run(name, func(t *testing.T) {
					out := exec(t, arg, false) // the output of a mistake, often

					if missing := shows(out, b.Text); len(missing) > 0 {
						t.Errorf("%s does not print:\n%s\nit printed:\n%s", arg, strings.Join(missing, "\n"), out)
					}
				})
			case kind == "suite in":
				t.Run(name, func(t *testing.T) {
					path := filepath.Join(arg, "doc_test.yaml")
					if err := os.WriteFile(filepath.Join(repo, path), []byte(b.Text), 0o644); err != nil {
						t.Fatal(err)
					}
					defer os.Remove(filepath.Join(repo, path))
					run(t, "permc test "+path)
				})
			case kind == "file":
				t.Run(name, func(t *testing.T) {
					data, err := os.ReadFile(filepath.Join(repo, arg))
					if err != nil {
						t.Fatal(err)
					}
					if strings.TrimSpace(string(data)) != strings.TrimSpace(b.Text) {
						t.Errorf("the block differs from %s:\n%s", arg, data)
					}
				})
			case !b.Shell():
				if kind != "" {
					t.Errorf("%s: unknown mark %q on a %s block", name, b.Mark, b.Lang)
				}
			case kind == "not run":
				if arg == "" {
					t.Errorf("%s: say why the block is not run: <!-- not run: REASON -->", name)
				}
			case kind == "first line only":
				if arg == "" {
					t.Errorf("%s: say why the other lines are not run: <!-- first line only: REASON -->", name)
				}
				first, _, _ := strings.Cut(b.Text, "\n")
				t.Run(name, func(t *testing.T) { last = run(t, first) })
			case kind == "in your module":
				// TestUserModule runs these.
			case kind == "synopsis":
				t.Run(name, func(t *testing.T) { checkSynopsis(t, b.Text, run) })
			case kind == "":
				t.Run(name, func(t *testing.T) { last = run(t, b.Text) })
			default:
				t.Errorf("%s: unknown mark %q", name, b.Mark)
			}
		}
	}
}

var flagRE = regexp.MustCompile(`(?:^|[\s\[])--?([a-z][a-z-]*)`)

// checkSynopsis checks that each `permc COMMAND ...` line of a synopsis names a command
// permc has, with flags it has.
func checkSynopsis(t *testing.T, text string, run func(*testing.T, string) string) {
	for _, line := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "permc" {
			if len(fields) > 0 && !strings.HasPrefix(fields[0], "[") && !strings.HasPrefix(fields[0], "--") {
				t.Errorf("a synopsis line that is not a permc command: %s", line)
			}
			continue
		}
		help := run(t, "permc "+fields[1]+" -h 2>&1 || true")
		if strings.Contains(help, "unknown command") {
			t.Errorf("%s: permc has no command %q", line, fields[1])
			continue
		}
		for _, m := range flagRE.FindAllStringSubmatch(strings.Join(fields[2:], " "), -1) {
			if !regexp.MustCompile(`(?m)^\s+-` + m[1] + `(\s|$)`).MatchString(help) {
				t.Errorf("%s: permc %s has no flag -%s:\n%s", line, fields[1], m[1], help)
			}
		}
	}
}
