package spec

import (
	"fmt"
	"strconv"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
)

// TimeLiteral evaluates the constant timestamp("lit") or duration("lit") (fn names
// which) with cel-go, so that every backend's constant is exactly the reference
// evaluator's: a time.Time or a time.Duration. A literal that does not parse is an
// error, which the spec loader accepts: evaluating the expression then fails.
func TimeLiteral(fn, lit string) (any, error) {
	src := fmt.Sprintf("%s(%s)", fn, strconv.Quote(lit))
	timeMu.Lock()
	defer timeMu.Unlock()
	if r, ok := timeCache[src]; ok {
		return r.v, r.err
	}
	v, err := evalTimeLiteral(src)
	timeCache[src] = timeResult{v, err}
	return v, err
}

type timeResult struct {
	v   any
	err error
}

var (
	timeMu    sync.Mutex
	timeCache = map[string]timeResult{}
	timeEnv   = sync.OnceValues(func() (*cel.Env, error) { return cel.NewEnv() })
)

func evalTimeLiteral(src string) (any, error) {
	env, err := timeEnv()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, err
	}
	out, _, err := prg.Eval(cel.NoVars())
	if err != nil {
		return nil, err
	}
	switch v := out.(type) {
	case types.Timestamp:
		return v.Time, nil
	case types.Duration:
		return v.Duration, nil
	}
	return nil, fmt.Errorf("unexpected %v", out)
}
