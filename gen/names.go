package gen

import (
	"go/token"
	"strconv"
	"strings"
)

// initialisms are the words Go spells in capitals (as golint does), so that an
// attribute called allowed_ips becomes AllowedIPs.
var initialisms = map[string]string{
	"acl": "ACL", "api": "API", "ascii": "ASCII", "cpu": "CPU", "css": "CSS", "dns": "DNS",
	"eof": "EOF", "guid": "GUID", "html": "HTML", "http": "HTTP", "https": "HTTPS", "id": "ID",
	"ids": "IDs", "ip": "IP", "ips": "IPs", "json": "JSON", "lhs": "LHS", "qps": "QPS", "ram": "RAM",
	"rhs": "RHS", "rpc": "RPC", "sla": "SLA", "smtp": "SMTP", "sql": "SQL", "ssh": "SSH",
	"tcp": "TCP", "tls": "TLS", "ttl": "TTL", "udp": "UDP", "ui": "UI", "uid": "UID",
	"uuid": "UUID", "uri": "URI", "url": "URL", "urls": "URLs", "utf8": "UTF8", "vm": "VM",
	"xml": "XML", "xmpp": "XMPP", "xsrf": "XSRF", "xss": "XSS", "oauth": "OAuth", "cidr": "CIDR",
}

// camel turns a spec name (lower_snake, or a rule id with '-' and '.') into an
// exported Go name: org_except -> OrgExcept, allowed_ips -> AllowedIPs.
func camel(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
		if up, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "X" + s
	}
	return s
}

// lowerCamel is camel with its first word in lower case: org_except -> orgExcept,
// ids -> ids, ip_address -> ipAddress.
func lowerCamel(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })
	if len(words) == 0 {
		return "x"
	}
	s := strings.ToLower(words[0])
	if rest := strings.Join(words[1:], "_"); rest != "" {
		s += camel(rest)
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "x" + s
	}
	return s
}

// unexport lowers the leading capitals of an exported Go name, keeping the capital
// that starts the next word: Library -> library, IPRange -> ipRange.
func unexport(s string) string {
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1 || i == len(s):
		return strings.ToLower(s[:i]) + s[i:]
	}
	return strings.ToLower(s[:i-1]) + s[i-1:]
}

// How generated names stay apart. Generated code holds three kinds of identifiers:
//
//   - the names of the spec's objects (types, constants, functions, fields), derived
//     from spec names and handed out by a namespace that reserves the package's fixed
//     names, Go's keywords and predeclared identifiers first (see fixedNames);
//   - names the generator makes up: parameters and fixed locals (p, r, ctx, e, ...),
//     temporaries (a prefix and a number: v1, e1, L1, t1, trues1, ...), package-level
//     literals (list1, ts1, re1, bytes1, dict1, bad1) and helpers (ruleXSub1); none of
//     them ends in '_', and the prefixes of locals and of package-level names differ,
//     so that neither can hide the other whichever is made first;
//   - the names of CEL's iteration variables, which a spec's author chooses freely:
//     each becomes the CEL name followed by '_' (userVar), which no name of the other
//     kinds is, and which is never a Go keyword or a predeclared identifier.
//
// A scope constructor's parameters (AtOrg(org string)) are lowerCamel spec names: they
// start with a lower-case letter, so they never meet the exported names its body
// uses, and the only packages it refers to ("time", "runtime") are reserved.

// userVar is the Go name of the CEL iteration variable name: name followed by '_'.
func userVar(name string) string { return name + "_" }

// predeclared are Go's predeclared identifiers, which generated local names must not
// shadow.
var predeclared = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true, "clear": true, "close": true,
	"comparable": true, "complex": true, "complex128": true, "complex64": true, "copy": true,
	"delete": true, "error": true, "false": true, "float32": true, "float64": true, "imag": true,
	"int": true, "int16": true, "int32": true, "int64": true, "int8": true, "iota": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "nil": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true, "rune": true, "string": true, "true": true,
	"uint": true, "uint16": true, "uint32": true, "uint64": true, "uint8": true, "uintptr": true,
}

// namespace hands out identifiers that are unique within it (and its parent),
// resolving collisions deterministically: the first to ask gets the name, later ones
// get a numbered variant (Name2, Name3, ...).
type namespace struct {
	parent *namespace
	taken  map[string]bool
}

func newNamespace(parent *namespace, reserved ...string) *namespace {
	ns := &namespace{parent: parent, taken: map[string]bool{}}
	for _, r := range reserved {
		ns.taken[r] = true
	}
	return ns
}

func (ns *namespace) isTaken(name string) bool {
	for n := ns; n != nil; n = n.parent {
		if n.taken[name] {
			return true
		}
	}
	return token.IsKeyword(name) || predeclared[name]
}

// name returns want, or want with the smallest number ≥ 2 appended that is free, and
// takes it. A name ending in a digit gets a '_' before the number.
func (ns *namespace) name(want string) string {
	if !ns.isTaken(want) {
		ns.taken[want] = true
		return want
	}
	sep := ""
	if c := want[len(want)-1]; c >= '0' && c <= '9' {
		sep = "_"
	}
	for i := 2; ; i++ {
		n := want + sep + strconv.Itoa(i)
		if !ns.isTaken(n) {
			ns.taken[n] = true
			return n
		}
	}
}

// fresh returns a new temporary name: prefix1, prefix2, ...
func (ns *namespace) fresh(prefix string) string {
	for i := 1; ; i++ {
		n := prefix + strconv.Itoa(i)
		if !ns.isTaken(n) {
			ns.taken[n] = true
			return n
		}
	}
}
