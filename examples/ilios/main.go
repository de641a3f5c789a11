// Command ilios serves a curriculum application whose authorization is the checker
// permc generated from spec.yaml (package iliosauthz): access levels that come from
// user roles, each bounded by the school the role was given in.
//
// Sign in at /login as stu, fiona, dirk, devi, rae, nia or root (password "demo").
// Pages answer "Access denied" when the user may not see them; the XHR handlers under
// /api/ answer 403 {"error": "..."}.
//
//	go run ./ilios [-addr 127.0.0.1:8083]
package main

//go:generate go tool permc generate --spec spec.yaml --out iliosauthz

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8083", "`address` to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "ilios:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	srv := NewServer(demoStore(), slog.New(slog.NewTextHandler(os.Stderr, nil)))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Printf("curriculum application on %s\n\n"+
		"Sign in at %[1]s/login as stu, fiona, dirk, devi, rae, nia or root; the password is %q.\n\n"+
		"Or from a shell:\n\n"+
		"  curl -c jar -d username=fiona -d password=%[2]s %[1]s/login\n"+
		"  curl -b jar -H 'X-Requested-With: XMLHttpRequest' -d '{\"title\":\"Anatomy I\"}' %[1]s/api/courses/anatomy\n"+
		"  curl -b jar -H 'X-Requested-With: XMLHttpRequest' -d '{\"title\":\"Pharmacology\"}' %[1]s/api/courses/pharmacology\n"+
		"  curl -b jar %[1]s/courses/pharmacology\n\n", base, demoPassword)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
