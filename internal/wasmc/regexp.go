package wasmc

import (
	"fmt"
	"regexp/syntax"
	"sort"
	"unicode"
)

// Regular expressions are compiled when building, by Go's own regexp/syntax, into the
// instructions of a Thompson NFA that the runtime simulates (a Pike VM, linear in the
// input): the same parser and compiler as Go's regexp package, so every backend accepts
// the same patterns and finds the same matches. Instructions are simplified for the
// runtime: every instruction that consumes a rune becomes a set of rune ranges (case
// folding expanded here, so the runtime needs no Unicode tables), and captures are
// no-ops (matches() only asks whether there is a match).

// The runtime's instruction set (rt/c/program.h's RE_*).
const (
	reAlt   = 1 // try out, then arg
	reEmpty = 2 // zero-width assertion arg (syntax.EmptyOp bits), then out
	reMatch = 3
	reFail  = 4
	reNop   = 5 // go to out
	reRunes = 6 // consume a rune in ranges, then out
)

type reInst struct {
	op       uint8
	out, arg uint32
	ranges   []rune // pairs lo, hi, sorted, disjoint
}

// compileRegexp compiles pattern (RE2 syntax, as Go's regexp.Compile reads it).
func compileRegexp(pattern string) (start int, insts []reInst, err error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0, nil, err
	}
	for _, in := range prog.Inst {
		ri := reInst{out: in.Out, arg: in.Arg}
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			ri.op = reAlt
		case syntax.InstEmptyWidth:
			ri.op = reEmpty
		case syntax.InstMatch:
			ri.op = reMatch
		case syntax.InstFail:
			ri.op = reFail
		case syntax.InstNop, syntax.InstCapture:
			ri.op, ri.arg = reNop, 0
		case syntax.InstRune:
			ri.op, ri.arg = reRunes, 0
			ri.ranges = runeRanges(in.Rune, syntax.Flags(in.Arg)&syntax.FoldCase != 0)
		case syntax.InstRune1:
			ri.op, ri.arg = reRunes, 0
			ri.ranges = []rune{in.Rune[0], in.Rune[0]}
		case syntax.InstRuneAny:
			ri.op, ri.arg = reRunes, 0
			ri.ranges = []rune{0, unicode.MaxRune}
		case syntax.InstRuneAnyNotNL:
			ri.op, ri.arg = reRunes, 0
			ri.ranges = []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
		default:
			return 0, nil, fmt.Errorf("unexpected instruction %v", in.Op)
		}
		insts = append(insts, ri)
	}
	return prog.Start, insts, nil
}

// runeRanges returns the ranges an InstRune matches, as syntax.Inst.MatchRunePos
// decides: its pairs, or a single rune with its simple case folding orbit when fold.
func runeRanges(rs []rune, fold bool) []rune {
	if len(rs) == 1 {
		set := []rune{rs[0]}
		if fold {
			for r := unicode.SimpleFold(rs[0]); r != rs[0]; r = unicode.SimpleFold(r) {
				set = append(set, r)
			}
		}
		sort.Slice(set, func(i, j int) bool { return set[i] < set[j] })
		var out []rune
		for _, r := range set {
			out = append(out, r, r)
		}
		return out
	}
	out := append([]rune(nil), rs...)
	return out
}

// regexp writes a compiled regular expression: pattern (str), start, ninst, insts
// (records of op u8, pad, nranges u16, out u32, arg u32, ranges offset: u32 pairs).
func (e *encoder) regexp(pattern string) (uint32, error) {
	start, insts, err := compileRegexp(pattern)
	if err != nil {
		return 0, fmt.Errorf("wasmc: regular expression %q: %v", pattern, err)
	}
	ranges := make([]uint32, len(insts))
	for i, in := range insts {
		if len(in.ranges) == 0 {
			continue
		}
		e.align()
		ranges[i] = e.here()
		for _, r := range in.ranges {
			e.u32(uint32(r))
		}
	}
	pat := e.str(pattern)
	e.align()
	arr := e.here()
	for i, in := range insts {
		if len(in.ranges)/2 > 0xFFFF {
			return 0, fmt.Errorf("wasmc: regular expression %q is too large", pattern)
		}
		e.u8(in.op)
		e.u8(0)
		e.u16(uint16(len(in.ranges) / 2))
		e.u32(in.out)
		e.u32(in.arg)
		e.u32(ranges[i])
	}
	e.align()
	off := e.here()
	e.strRef(pat)
	e.u32(uint32(start))
	e.u32(uint32(len(insts)))
	e.u32(arr)
	e.u32(0)
	return off, nil
}
