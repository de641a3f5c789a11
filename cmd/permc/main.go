// Command permc compiles authorization specs into Go checkers and Wasm modules, and
// checks requests against them. Run `permc help` for its commands.
package main

import (
	"os"

	"github.com/permc/permc/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
