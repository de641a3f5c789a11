//go:build race

package benchmark

// Under the race detector sync.Pool drops objects at random, so the JSON entry point
// allocates now and then; scripts/test.sh runs TestZeroAllocs without it as well.
const raceEnabled = true
