// Package bench measures permc's backends against the hand-written floor and against
// other authorization engines on one scenario (package scenario). It is its own
// module so that the engines compared never become dependencies of permc.
//
// Run everything and print the report with `make bench` from the repository root;
// `go test ./...` here only checks that every engine answers every case correctly.
package bench
