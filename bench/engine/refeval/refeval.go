// Package refeval runs the scenario on permc's reference evaluator (package eval):
// the spec interpreted with cel-go, JSON request in, JSON decision out.
package refeval

import (
	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/eval"
	"github.com/permc/permc/spec"
)

// New loads the model's permc spec and plans every expression: what a service does
// once at start-up before it can answer.
func New(m *scenario.Model) (*eval.Evaluator, error) {
	s, err := spec.Load("spec.yaml", m.Spec())
	if err != nil {
		return nil, err
	}
	return eval.New(s)
}
