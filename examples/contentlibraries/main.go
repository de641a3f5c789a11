// Command contentlibraries serves a content libraries API whose authorization is the
// checker permc generated from spec.yaml (package libauthz), with the custom roles of
// roles.json.
//
// Callers send "Authorization: Bearer <token>". A first-party session token acts with
// the user's own roles; an OAuth application's token is narrowed to its scopes and
// org filters; either may be held to a list of networks.
//
//	go run ./contentlibraries [-addr 127.0.0.1:8084]
package main

//go:generate go tool permc generate --spec spec.yaml --out libauthz

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8084", "`address` to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "contentlibraries:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	srv, err := NewServer(demoStore(), slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Printf("content libraries API on %s\n\nDemo tokens:\n\n", base)
	for _, secret := range slices.Sorted(maps.Keys(demoTokens)) {
		t := demoTokens[secret]
		kind := "session"
		if !t.FirstParty {
			kind = fmt.Sprintf("application, scopes %v", t.Scopes)
		}
		if len(t.Filters) > 0 {
			kind += fmt.Sprintf(", filters %v", t.Filters)
		}
		if len(t.AllowedIPs) > 0 {
			kind += fmt.Sprintf(", from %v", t.AllowedIPs)
		}
		fmt.Printf("  -H 'Authorization: Bearer %s'   # %s: %s\n", secret, t.User, kind)
	}
	fmt.Printf("\nTry:\n\n"+
		"  curl -H 'Authorization: Bearer bob-session' %[1]s/api/libraries/v2/\n"+
		"  curl -H 'Authorization: Bearer alice-session' '%[1]s/api/libraries/v2/?permission=library.edit'\n"+
		"  curl -H 'Authorization: Bearer alice-session' -d '{\"block_type\":\"html\",\"definition_id\":\"h1\"}' %[1]s/api/libraries/v2/mit-physics/blocks/\n"+
		"  curl -H 'Authorization: Bearer alice-reader' -d '{\"block_type\":\"html\",\"definition_id\":\"h2\"}' %[1]s/api/libraries/v2/mit-physics/blocks/\n\n", base)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
