//go:build race

package pgsql_test

// The race detector makes every check several times slower: the database test then
// plans fewer requests per permission (over as many rows).
const raceEnabled = true
