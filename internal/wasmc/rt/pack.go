package rt

// pack compresses a program for linking (link.h's packed form; c/link.c's unpack
// reverses it). Programs are mostly small integers in u32 fields, padding, repeated
// records and names: a plain LZ77 takes them to about a third of their size, and its
// decoder is a few hundred bytes of the runtime.
//
// The packed form is a sequence of commands until its end, each a token byte t, then
// t&15 literal bytes (15: 15 plus a varint more, before the literals), then, when
// t>>4 is not 0, a copy of t>>4 + 2 bytes (15: 17 plus a varint more) from a distance
// (a varint, at least 1) back in the output, which may overlap what it writes. Varints
// are LEB128, at most 5 bytes. The output is exactly the program.
func pack(src []byte) []byte {
	const (
		minMatch  = 3
		hashBits  = 15
		maxChain  = 64
		maxLength = 1 << 16 // bounds the work per position on repetitive programs
	)
	out := make([]byte, 0, len(src)/2+16)
	head := make([]int32, 1<<hashBits)
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(src))
	hash := func(i int) uint32 {
		return (uint32(src[i]) | uint32(src[i+1])<<8 | uint32(src[i+2])<<16) * 2654435761 >> (32 - hashBits)
	}
	insert := func(i int) {
		if i+minMatch <= len(src) {
			h := hash(i)
			prev[i] = head[h]
			head[h] = int32(i)
		}
	}
	emit := func(lits []byte, length, dist int) {
		t, m := min(len(lits), 15), 0
		if length > 0 {
			m = min(length-minMatch+1, 15)
		}
		out = append(out, byte(t|m<<4))
		if t == 15 {
			out = appendU32(out, uint32(len(lits)-15))
		}
		out = append(out, lits...)
		if length > 0 {
			if m == 15 {
				out = appendU32(out, uint32(length-minMatch+1-15))
			}
			out = appendU32(out, uint32(dist))
		}
	}
	lit := 0
	for i := 0; i+minMatch <= len(src); {
		best, dist := 0, 0
		limit := min(len(src)-i, maxLength)
		for j, n := head[hash(i)], 0; j >= 0 && n < maxChain; j, n = prev[j], n+1 {
			l := 0
			for l < limit && src[int(j)+l] == src[i+l] {
				l++
			}
			if l > best {
				best, dist = l, i-int(j)
			}
		}
		if best < minMatch {
			insert(i)
			i++
			continue
		}
		emit(src[lit:i], best, dist)
		for end := i + best; i < end; i++ {
			insert(i)
		}
		lit = i
	}
	if lit < len(src) {
		emit(src[lit:], 0, 0)
	}
	return out
}
