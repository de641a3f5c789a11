// Command genspec writes the scenario's larger specs, testdata/spec10x.yaml and
// testdata/spec100x.yaml, from scenario.NewModel. Run it from bench/ after changing
// the model: go run ./cmd/genspec
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/permc/permc/bench/scenario"
)

func main() {
	for _, k := range scenario.Scales[1:] {
		path := filepath.Join("testdata", fmt.Sprintf("spec%dx.yaml", k))
		if err := os.WriteFile(path, scenario.NewModel(k).Spec(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
