// Command browser serves a static page that decides in the browser what the users of the
// content-libraries example may do to its libraries: the page (index.html, app.js,
// data.json) loads the Wasm module of examples/contentlibraries/spec.yaml through
// permc's JS loader (wasm/js), loads the custom roles of roles.json, and shows one
// button per permission, enabled when allowed, with the decision's reason as its title.
//
// The module is built when the server starts (once per spec and Go toolchain; later
// starts take it from permc's cache). A site of its own builds it with
// `permc build-wasm --spec spec.yaml --out libauthz.wasm` and serves it like any
// static file, as application/wasm.
//
//	cd examples && go run ./browser [-addr 127.0.0.1:8085]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8085", "`address` to listen on (port 0 picks a free one)")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	root, err := findRepo()
	if err != nil {
		return err
	}
	fmt.Println("building the content-libraries module…")
	start := time.Now()
	site, err := NewSite(context.Background(), root)
	if err != nil {
		return err
	}
	fmt.Printf("built it in %v: %d bytes\n", time.Since(start).Round(time.Millisecond), len(site.module))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("\nopen http://%s/\n", ln.Addr())
	hs := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 5 * time.Second}
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Site is the page and everything it loads, from a checkout of permc.
type Site struct {
	root   string // the checkout
	module []byte // the content-libraries module
}

// The files the site serves, relative to the checkout.
const (
	pageDir  = "examples/browser"
	specFile = "examples/contentlibraries/spec.yaml"
	rolesDoc = "examples/contentlibraries/roles.json"
	loader   = "wasm/js"
)

// NewSite builds the content-libraries module of the checkout at root.
func NewSite(ctx context.Context, root string) (*Site, error) {
	s, err := spec.LoadFile(filepath.Join(root, specFile))
	if err != nil {
		return nil, err
	}
	module, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		return nil, fmt.Errorf("building the module of %s: %v", specFile, err)
	}
	return &Site{root: root, module: module}, nil
}

// Handler serves the page at /, the loader at /permc/, the module at
// /contentlibraries.wasm and the custom roles at /roles.json; nothing else.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	file := func(pattern, path string) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFile(w, r, filepath.Join(s.root, path))
		})
	}
	for _, name := range []string{"app.js", "style.css", "data.json"} {
		file("GET /"+name, filepath.Join(pageDir, name))
	}
	file("GET /{$}", filepath.Join(pageDir, "index.html"))
	file("GET /permc/index.js", filepath.Join(loader, "index.js"))
	file("GET /roles.json", rolesDoc)
	mux.HandleFunc("GET /contentlibraries.wasm", func(w http.ResponseWriter, r *http.Request) {
		// application/wasm lets the browser compile the module while it downloads.
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(s.module)
	})
	return mux
}

// findRepo returns the permc checkout the working directory is in: the closest folder
// holding the page, the spec and the loader.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		ok := true
		for _, f := range []string{specFile, rolesDoc, filepath.Join(pageDir, "index.html"), filepath.Join(loader, "index.js")} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				ok = false
			}
		}
		if ok {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run it in a checkout of permc: no folder above the working directory holds " + pageDir + " and " + loader)
		}
		dir = parent
	}
}
