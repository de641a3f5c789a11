package runtime

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// JSONKind is the kind of a JSON value.
type JSONKind uint8

// The kinds of JSON value.
const (
	JSONNull JSONKind = iota
	JSONBool
	JSONNumber
	JSONString
	JSONArray
	JSONObject
)

func (k JSONKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// JSON is a parsed JSON value. Objects keep their keys in document order.
type JSON struct {
	Kind JSONKind
	Bool bool
	// Str is a string's value or a number's literal text.
	Str string
	// Elems are an array's elements, or an object's values in key order.
	Elems []JSON
	// Keys are an object's keys.
	Keys []string
}

// Get returns the value of an object's key.
func (j *JSON) Get(key string) (*JSON, bool) {
	for i, k := range j.Keys {
		if k == key {
			return &j.Elems[i], true
		}
	}
	return nil, false
}

// MaxJSONDepth bounds nesting, so hostile input cannot exhaust the stack.
const MaxJSONDepth = 64

// ParseJSON parses one JSON document strictly: RFC 8259 syntax, valid UTF-8, no
// duplicate object keys, nothing but white space after the value. The result shares
// no memory with data.
func ParseJSON(data []byte) (JSON, error) {
	// A Parser of its own, over a copy: the strings of the result alias the copy,
	// which nothing else holds.
	var ps Parser
	j, err := ps.Parse(append([]byte(nil), data...))
	if err != nil {
		return JSON{}, err
	}
	return *j, nil
}

type jsonParser struct {
	data []byte
	i    int
	// elems and keys are scratch stacks holding the members of the arrays and objects
	// being parsed; the members of each are then copied into the arenas, whose memory
	// the next document reuses. Strings are views of data.
	elems     []JSON
	keys      []string
	nodeArena []JSON
	keyArena  []string
}

// Parser parses JSON documents as ParseJSON does, but reuses its memory from one
// document to the next, so that parsing a document like the last one allocates
// nothing. A parsed document, and every string in it, is valid only until the next
// call of Parse and only while the input is left unchanged: strings alias the input
// instead of copying it. The zero Parser is ready to use; a Parser is not safe for
// concurrent use.
type Parser struct {
	p    jsonParser
	doc  JSON
	strs []string // the arena of Strings
}

// Large reports whether the Parser holds the memory of a large document (over about
// a megabyte), which is better given back than kept for the next one.
func (ps *Parser) Large() bool {
	const node, str = int(unsafe.Sizeof(JSON{})), int(unsafe.Sizeof(""))
	return cap(ps.p.nodeArena)*node+(cap(ps.p.keyArena)+cap(ps.strs)+cap(ps.p.keys))*str+cap(ps.p.elems)*node > 1<<20
}

// Parse parses one JSON document strictly, as ParseJSON does.
func (ps *Parser) Parse(data []byte) (*JSON, error) {
	p := &ps.p
	// The arenas keep their memory; what they held belongs to the last document.
	p.data, p.i = data, 0
	p.nodeArena, p.keyArena, ps.strs = p.nodeArena[:0], p.keyArena[:0], ps.strs[:0]
	err := p.value(0)
	if err == nil {
		p.space()
		if p.i != len(p.data) {
			err = p.errorf("unexpected data after the JSON value")
		}
	}
	if err == nil {
		ps.doc = p.elems[0]
	}
	// The stacks are empty again whatever happened.
	p.elems, p.keys, p.data = p.elems[:0], p.keys[:0], nil
	if err != nil {
		return nil, err
	}
	return &ps.doc, nil
}

// Strings decodes an array of strings into memory the Parser reuses; j may come from
// Parse or from ParseJSON, and the slice is valid until the next Parse. what names the
// array wanted in the error for a value that is not one: "an array" gives the errors
// of DecodeListOf(j, where, DecodeString), "an array of strings" those of the
// reference evaluator for a credential's lists.
func (ps *Parser) Strings(j *JSON, where, what string) ([]string, error) {
	if j.Kind != JSONArray {
		return nil, wrongKind(j, where, what)
	}
	if len(j.Elems) == 0 {
		// Never nil: an empty list is not an absent one (a credential's empty scopes
		// unlock nothing, absent ones do not narrow).
		return []string{}, nil
	}
	ps.strs = room(ps.strs, len(j.Elems))
	start := len(ps.strs)
	for i := range j.Elems {
		if j.Elems[i].Kind != JSONString {
			ps.strs = ps.strs[:start]
			return nil, wrongKind(&j.Elems[i], ElemWhere(where, i), "a string")
		}
		ps.strs = append(ps.strs, j.Elems[i].Str)
	}
	return ps.strs[start:len(ps.strs):len(ps.strs)], nil
}

// text returns data[start:end] as a string, a view of data.
func (p *jsonParser) text(start, end int) string {
	if start == end {
		return ""
	}
	return unsafe.String(&p.data[start], end-start)
}

// carve copies src into the arena and returns the copy, a slice of its own: the
// members of an array or object, from the scratch stack, into the node or key arena.
// It runs once per array or object, so it need not be inlined at each.
//
//go:noinline
func carve[T any](arena *[]T, src []T) []T {
	*arena = room(*arena, len(src))
	start := len(*arena)
	*arena = append(*arena, src...)
	return (*arena)[start:len(*arena):len(*arena)]
}

// room returns arena, or a new empty arena when arena has no room for n more
// elements. It never copies: what was carved out of the old arena stays where it is,
// so a large document costs each element once, not once per doubling. The arena that
// ends a document is the one the next document reuses.
func room[T any](arena []T, n int) []T {
	if cap(arena)-len(arena) >= n {
		return arena
	}
	return make([]T, 0, max(n, 2*cap(arena), 64))
}

// JSONError is a syntax error in a JSON document.
type JSONError struct {
	Offset int
	Msg    string
}

func (e *JSONError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

func (p *jsonParser) errorf(msg string) error { return &JSONError{Offset: p.i, Msg: msg} }

func (p *jsonParser) space() {
	// Locals, not fields, in the loops: compiled to Wasm, a field is a load and a
	// store to memory on every byte.
	data, i := p.data, p.i
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	p.i = i
}

// value parses one value and pushes it on the scratch stack p.elems. Values are built
// in place there rather than returned: a JSON is 72 bytes, and compiled to Wasm every
// result goes through memory.
func (p *jsonParser) value(depth int) error {
	if depth > MaxJSONDepth {
		return p.errorf("nested too deeply")
	}
	p.space()
	if p.i >= len(p.data) {
		return p.errorf("unexpected end of input")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		p.push(JSONString, false, s)
		return err
	case c == 't':
		p.push(JSONBool, true, "")
		return p.literal("true")
	case c == 'f':
		p.push(JSONBool, false, "")
		return p.literal("false")
	case c == 'n':
		p.push(JSONNull, false, "")
		return p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return p.errorf("unexpected character " + strconv.QuoteRune(rune(p.data[p.i])))
}

// push pushes a scalar on the scratch stack. It is not inlined: five copies of an
// append that may grow the stack would cost the Wasm module 2 KB.
//
//go:noinline
func (p *jsonParser) push(kind JSONKind, b bool, s string) {
	p.elems = append(p.elems, JSON{Kind: kind, Bool: b, Str: s})
}

func (p *jsonParser) literal(word string) error {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return p.errorf("invalid literal")
	}
	p.i += len(word)
	return nil
}

func (p *jsonParser) object(depth int) error {
	p.i++ // {
	// Members are collected on the parser's scratch stacks, above base, and copied into
	// the arenas at the end.
	base, kbase := len(p.elems), len(p.keys)
	var seen map[string]bool // the object's keys, once there are many
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		p.elems = append(p.elems, JSON{Kind: JSONObject, Keys: []string{}, Elems: []JSON{}})
		return nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return p.errorf("expected a string key")
		}
		at := p.i
		k, err := p.str()
		if err != nil {
			return err
		}
		if p.duplicate(p.keys[kbase:], &seen, k) {
			return &JSONError{Offset: at, Msg: "duplicate key " + strconv.Quote(k)}
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return p.errorf("expected ':' after object key")
		}
		p.i++
		if err := p.value(depth + 1); err != nil {
			return err
		}
		p.keys = append(p.keys, k)
		p.space()
		if p.i >= len(p.data) {
			return p.errorf("unexpected end of input in object")
		}
		if p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.data[p.i] == '}' {
			p.i++
			keys, elems := carve(&p.keyArena, p.keys[kbase:]), carve(&p.nodeArena, p.elems[base:])
			p.pop(base, kbase)
			p.elems = append(p.elems, JSON{Kind: JSONObject, Keys: keys, Elems: elems})
			return nil
		}
		return p.errorf("expected ',' or '}' in object")
	}
}

// pop drops the scratch stacks back to base and kbase.
func (p *jsonParser) pop(base, kbase int) {
	p.elems = p.elems[:base]
	p.keys = p.keys[:kbase]
}

// manyKeys is where duplicate detection switches from comparing a key with every
// earlier key to a set, so that an object of n keys costs O(n), not O(n²): a request
// of 1 MiB holds about 100,000 keys.
const manyKeys = 16

// duplicate reports whether k is among keys, the keys of an object so far; *seen is
// their set once there are manyKeys of them.
func (p *jsonParser) duplicate(keys []string, seen *map[string]bool, k string) bool {
	if len(keys) < manyKeys {
		for _, key := range keys {
			if key == k {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]bool, 2*len(keys))
		for _, key := range keys {
			(*seen)[key] = true
		}
	}
	if (*seen)[k] {
		return true
	}
	(*seen)[k] = true
	return false
}

func (p *jsonParser) array(depth int) error {
	p.i++ // [
	base := len(p.elems)
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		p.elems = append(p.elems, JSON{Kind: JSONArray, Elems: []JSON{}})
		return nil
	}
	for {
		if err := p.value(depth + 1); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.data) {
			return p.errorf("unexpected end of input in array")
		}
		if p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.data[p.i] == ']' {
			p.i++
			elems := carve(&p.nodeArena, p.elems[base:])
			p.pop(base, len(p.keys))
			p.elems = append(p.elems, JSON{Kind: JSONArray, Elems: elems})
			return nil
		}
		return p.errorf("expected ',' or ']' in array")
	}
}

func (p *jsonParser) number() error {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return p.errorf("invalid number")
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	p.push(JSONNumber, false, p.text(start, p.i))
	return nil
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes; UTF-8 is validated only when a byte is not ASCII.
	data, i, ascii := p.data, p.i, true
	for i < len(data) {
		c := data[i]
		if c == '"' {
			p.i = i + 1
			if !ascii && !utf8.Valid(data[start:i]) {
				return "", &JSONError{Offset: start, Msg: "invalid UTF-8 in string"}
			}
			return p.text(start, i), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
		i++
	}
	p.i = i
	buf := append([]byte(nil), p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				return "", &JSONError{Offset: start, Msg: "invalid UTF-8 in string"}
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", p.errorf("unexpected end of input in string")
			}
			p.i++
			switch e := p.data[p.i]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4(p.i + 1)
				if !ok {
					return "", p.errorf("invalid \\u escape")
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if p.i+2 < len(p.data) && p.data[p.i+1] == '\\' && p.data[p.i+2] == 'u' {
						r2, ok = p.hex4(p.i + 3)
					}
					dec := utf16.DecodeRune(r, r2)
					if !ok || dec == utf8.RuneError {
						return "", p.errorf("invalid surrogate pair")
					}
					p.i += 6
					r = dec
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("invalid escape")
			}
			p.i++
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return "", p.errorf("unexpected end of input in string")
}

func (p *jsonParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// AppendJSONString appends s as a JSON string literal. Invalid UTF-8 becomes U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
