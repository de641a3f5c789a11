//go:build !race

package pgsql_test

const raceEnabled = false
