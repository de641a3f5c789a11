// Command commcare serves a project data API whose authorization is the checker permc
// generated from spec.yaml (package hqauthz), with the custom roles of roles.json.
//
// Callers send "Authorization: ApiKey <username>:<key>" or an OAuth access token
// ("Bearer <token>"). A key's limits (projects, permissions, a role, IP networks) and
// a token's scopes become a credential that only narrows what the user may do.
//
//	go run ./commcare [-addr 127.0.0.1:8082]
package main

//go:generate go tool permc generate --spec spec.yaml --out hqauthz

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
	addr := flag.String("addr", "127.0.0.1:8082", "`address` to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "commcare:", err)
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
	fmt.Printf("project data API on %s\n\nDemo API keys:\n\n", base)
	for _, secret := range slices.Sorted(maps.Keys(demoKeys)) {
		k := demoKeys[secret]
		fmt.Printf("  -H 'Authorization: ApiKey %s:%s'   # %s\n", k.User, secret, k.Name)
	}
	fmt.Printf("\nDemo OAuth tokens:\n\n")
	for _, secret := range slices.Sorted(maps.Keys(demoGrants)) {
		g := demoGrants[secret]
		fmt.Printf("  -H 'Authorization: Bearer %s'   # %s for %s, scopes %v\n", secret, g.Application, g.User, g.Scopes)
	}
	fmt.Printf("\nTry:\n\n"+
		"  curl -H 'Authorization: ApiKey wanda:wanda-tz-0002' %[1]s/a/malaria-tz/api/v1/case/\n"+
		"  curl -H 'Authorization: ApiKey wanda:wanda-tz-0002' %[1]s/a/nutrition-ke/api/v1/report/ke-weekly/\n"+
		"  curl -H 'Authorization: ApiKey wanda:wanda-ro-0004' -d '{\"case_type\":\"household\",\"name\":\"H18\"}' %[1]s/a/malaria-tz/api/v1/case/\n\n", base)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
