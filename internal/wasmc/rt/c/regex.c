// regex.c: matches(), a Pike VM over a program's regular expressions (program.h's
// prog_regexp: Go's regexp/syntax program, simplified by permc's encoder).
//
// The VM simulates the NFA on every thread at once, one rune of input at a time, so
// its time is linear in the input whatever the pattern, and its memory two thread
// lists of the program's size. It only answers whether there is a match anywhere in
// the input, which is all matches() asks: it stops at the first thread that reaches
// a match. Input is decoded as Go decodes it (an invalid byte is U+FFFD, one byte
// wide), and the empty-width assertions hold where Go's syntax.EmptyOpContext says.
#include "eval.h"
#include "state.h"
#include "text.h"

// A thread list: a sparse set of instruction indexes (the standard sparse-set trick:
// membership in constant time, no clearing between steps).
typedef struct queue {
	u32 n;
	u32 *dense, *sparse;
} queue;

static inline bool has(const queue *q, u32 pc) {
	u32 i = q->sparse[pc];
	return i < q->n && q->dense[i] == pc;
}

static inline void put(queue *q, u32 pc) {
	q->sparse[pc] = q->n;
	q->dense[q->n++] = pc;
}

static inline bool is_word(i32 r) {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
}

// context is syntax.EmptyOpContext: the assertions that hold between rune r1 and rune
// r2 (-1 for the start or end of the text).
static u32 context(i32 r1, i32 r2) {
	u32 op = RE_NO_WORD_BOUNDARY;
	bool boundary = false;
	if (is_word(r1))
		boundary = true;
	else if (r1 == '\n')
		op |= RE_BEGIN_LINE;
	else if (r1 < 0)
		op |= RE_BEGIN_TEXT | RE_BEGIN_LINE;
	if (is_word(r2))
		boundary = !boundary;
	else if (r2 == '\n')
		op |= RE_END_LINE;
	else if (r2 < 0)
		op |= RE_END_TEXT | RE_END_LINE;
	if (boundary)
		op ^= RE_WORD_BOUNDARY | RE_NO_WORD_BOUNDARY;
	return op;
}

// in_ranges reports whether r is in the sorted, disjoint pairs of ranges.
static bool in_ranges(const u32 *ranges, u32 n, u32 r) {
	u32 lo = 0, hi = n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (r < ranges[2 * mid])
			hi = mid;
		else if (r > ranges[2 * mid + 1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

// add adds the thread at pc to q, following the instructions that consume no input
// (alternations, no-ops, and assertions that hold under cond), with an explicit stack:
// the closure may be as long as the program.
static void add(queue *q, const prog_inst *in, u32 ninst, u32 pc, u32 cond, u32 *stack) {
	u32 sp = 0;
	stack[sp++] = pc;
	while (sp) {
		pc = stack[--sp];
		if (pc >= ninst || has(q, pc))
			continue;
		put(q, pc);
		const prog_inst *i = &in[pc];
		switch (i->op) {
		case RE_ALT:
			stack[sp++] = i->arg;
			stack[sp++] = i->out;
			break;
		case RE_EMPTY:
			if ((i->arg & ~cond) == 0)
				stack[sp++] = i->out;
			break;
		case RE_NOP:
			stack[sp++] = i->out;
			break;
		}
	}
}

// start_cond is syntax.Prog.StartCond: the assertions every match starts with, or ~0
// when none can start.
static u32 start_cond(const prog_inst *in, u32 ninst, u32 pc) {
	u32 cond = 0;
	for (u32 steps = 0; pc < ninst && steps < ninst; steps++, pc = in[pc].out) {
		switch (in[pc].op) {
		case RE_EMPTY:
			cond |= in[pc].arg;
			break;
		case RE_FAIL:
			return ~0u;
		case RE_NOP:
			break;
		default:
			return cond;
		}
	}
	return cond;
}

// decode returns the rune at s[pos:] and its width, or -1 and 0 at the end.
static inline i32 decode(str s, u32 pos, u32 *w) {
	if (pos >= s.n) {
		*w = 0;
		return -1;
	}
	u32 r;
	*w = utf8_decode(s.p + pos, s.n - pos, &r);
	return (i32)r;
}

bool regexp_match(const prog_regexp *re, str s) {
	u32 n = re->ninst;
	if (!RT_ASSERT(n > 0 && re->start < n))
		return false;
	const prog_inst *in = PROG(prog_inst, re->insts);
	u32 cond0 = start_cond(in, n, re->start);
	if (cond0 == ~0u)
		return false;
	// A match that must start at the beginning of the text is only looked for there.
	bool anchored = cond0 & RE_BEGIN_TEXT;

	arena_mark mark = arena_save(&rt.scratch);
	u32 *mem = arena_alloc(&rt.scratch, (6 * n + 1) * (u32)sizeof(u32));
	if (!mem)
		return false; // rt.oom is set: the call fails as a whole
	queue q0 = {0, mem, mem + n}, q1 = {0, mem + 2 * n, mem + 3 * n};
	queue *cur = &q0, *next = &q1;
	u32 *stack = mem + 4 * n;

	bool matched = false;
	u32 pos = 0, w, w1;
	i32 prev = -1, r = decode(s, 0, &w), r1 = decode(s, w, &w1);
	for (;;) {
		if (cur->n == 0 && anchored && pos > 0)
			break;
		if (!anchored || pos == 0)
			add(cur, in, n, re->start, context(prev, r), stack);
		u32 cond = context(r, r1); // where the threads that consume r continue
		next->n = 0;
		for (u32 k = 0; k < cur->n && !matched; k++) {
			const prog_inst *i = &in[cur->dense[k]];
			if (i->op == RE_MATCH)
				matched = true;
			else if (i->op == RE_RUNES && r >= 0 && in_ranges(PROG(u32, i->ranges), i->nranges, (u32)r))
				add(next, in, n, i->out, cond, stack);
		}
		if (matched || r < 0)
			break;
		pos += w;
		prev = r;
		r = r1;
		w = w1;
		r1 = decode(s, pos + w, &w1);
		queue *t = cur;
		cur = next;
		next = t;
	}
	arena_restore(&rt.scratch, mark);
	return matched;
}
