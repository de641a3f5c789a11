package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/permc/permc/runtime"
)

// CustomRolesError returns err, which ParseCustomRoles returned for data, as an
// ErrorList whose errors each name their FILE:LINE:COL in file (the role, key or list
// entry at fault) with the source line: for people editing a roles file.
func CustomRolesError(file string, data []byte, err error) ErrorList {
	l := &loader{file: file, src: data}
	l.indexLines()
	doc, jerr := runtime.ParseJSON(data)
	var syntax *runtime.JSONError
	if errors.As(jerr, &syntax) {
		l.errorAt(l.posOf(min(syntax.Offset, len(data))), "invalid JSON: %s", syntax.Msg)
		return l.errs
	}
	idx := indexJSON(data)
	base, roles := "", &doc
	if doc.Kind == runtime.JSONObject {
		if r, ok := doc.Get("roles"); ok {
			base, roles = "/roles", r
		}
	}
	for _, msg := range strings.Split(err.Error(), "\n") {
		off, ok := idx[roleProblemPath(msg, base, roles)]
		if !ok {
			off = idx[base]
		}
		l.errorAt(l.posOf(off), "%s", msg)
	}
	return l.errs.sortAndDedup()
}

var (
	customRoleRE = regexp.MustCompile(`^custom role (\d+|"(?:[^"\\]|\\.)*"): (.*)$`)
	quotedRE     = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

// roleProblemPath returns the path (as indexJSON names them) of what a
// ParseCustomRoles message is about.
func roleProblemPath(msg, base string, roles *runtime.JSON) string {
	m := customRoleRE.FindStringSubmatch(msg)
	if m == nil || roles.Kind != runtime.JSONArray {
		return base
	}
	i := -1
	if n, err := strconv.Atoi(m[1]); err == nil {
		i = n
	} else if name, err := strconv.Unquote(m[1]); err == nil {
		for k := range roles.Elems {
			if v, ok := roles.Elems[k].Get("name"); ok && v.Kind == runtime.JSONString && v.Str == name {
				i = k
				break
			}
		}
	}
	if i < 0 || i >= len(roles.Elems) {
		return base
	}
	role, rest := base+"/"+strconv.Itoa(i), m[2]
	// A name the message quotes, as a key of the role or an entry of its lists.
	for _, q := range quotedRE.FindAllStringSubmatch(rest, -1) {
		name, err := strconv.Unquote(q[0])
		if err != nil {
			continue
		}
		if strings.HasPrefix(rest, "unknown key ") {
			return role + "/" + name + "#key"
		}
		for _, list := range []string{"permissions", "scopes"} {
			if v, ok := roles.Elems[i].Get(list); ok {
				for j, e := range v.Elems {
					if e.Kind == runtime.JSONString && e.Str == name {
						return role + "/" + list + "/" + strconv.Itoa(j)
					}
				}
			}
		}
	}
	for _, key := range []string{"name", "description", "permissions", "scopes"} {
		if strings.HasPrefix(rest, key+" ") {
			return role + "/" + key
		}
	}
	if strings.HasPrefix(rest, "clashes") || strings.HasPrefix(rest, "defined twice") {
		return role + "/name"
	}
	return role
}

// indexJSON maps the path of every value of a JSON document ("", "/0", "/0/scopes/1")
// to its offset, and "PATH/KEY#key" to the offset of an object's key.
func indexJSON(data []byte) map[string]int {
	idx := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	start := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return off
	}
	var walk func(path string) error
	walk = func(path string) error {
		off := start()
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		idx[path] = off
		switch tok {
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(path + "/" + strconv.Itoa(i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('{'):
			for dec.More() {
				koff := start()
				k, err := dec.Token()
				if err != nil {
					return err
				}
				name, _ := k.(string)
				if _, dup := idx[path+"/"+name+"#key"]; !dup {
					idx[path+"/"+name+"#key"] = koff
				}
				if err := walk(path + "/" + name); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	walk("")
	return idx
}
