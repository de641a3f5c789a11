// Package handjson is the floor for engines that take a request in JSON and answer in
// JSON: the hand-written check (package hand) behind a fast, reusable, non-validating
// JSON parser (fastjson), answering with the permc decision JSON appended to a buffer.
// It checks types where it reads values but, unlike permc, rejects neither unknown nor
// duplicate keys: what it costs is the least a JSON interface can cost.
package handjson

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/valyala/fastjson"

	"github.com/permc/permc/bench/engine/hand"
)

// Checker answers requests; it reuses its parser's memory, so it is not safe for
// concurrent use: one per goroutine.
type Checker struct{ p fastjson.Parser }

var actions = map[string]hand.Action{"library.view": hand.View, "library.edit": hand.Edit, "library.publish": hand.Publish, "library.delete": hand.Delete}

func role(name []byte) (hand.Role, bool) {
	switch string(name) {
	case "library_user":
		return hand.User, true
	case "library_author":
		return hand.Author, true
	case "library_admin":
		return hand.Admin, true
	}
	return 0, false
}

var errRequest = errors.New("malformed request")

// CheckJSON appends the decision on req to dst.
func (c *Checker) CheckJSON(dst, req []byte) ([]byte, error) {
	v, err := c.p.ParseBytes(req)
	if err != nil {
		return dst, err
	}
	permName := v.GetStringBytes("permission")
	a, ok := actions[string(permName)]
	res := v.Get("resource")
	if !ok || res == nil || string(res.GetStringBytes("type")) != "library" {
		return dst, errRequest
	}
	attrs := res.Get("attributes")
	id, org := res.GetStringBytes("id"), attrs.GetStringBytes("org")
	public := attrs.GetBool("public")
	archived := false
	for _, t := range attrs.GetArray("tags") {
		archived = archived || bytes.Equal(t.GetStringBytes(), []byte("archived"))
	}
	dst = append(dst, `{"allowed":`...)
	switch {
	case a != hand.View && archived:
		dst = append(dst, `false,"permission":"`...)
		dst = append(dst, permName...)
		dst = append(dst, `","reason":{"kind":"deny_rule","rule":"archived-read-only"}`...)
	case a == hand.View && public:
		dst = append(dst, `true,"permission":"`...)
		dst = append(dst, permName...)
		dst = append(dst, `","reason":{"kind":"allow_rule","rule":"public-view"}`...)
	default:
		granted, name := -1, []byte(nil)
		for i, as := range v.GetArray("principal", "roles") {
			r, ok := role(as.GetStringBytes("role"))
			if !ok {
				return dst, errRequest
			}
			if granted >= 0 || !hand.Grants(r, a) {
				continue
			}
			scope := as.Get("scope")
			switch string(scope.GetStringBytes("type")) {
			case "org":
				ok = bytes.Equal(scope.GetStringBytes("org"), org)
			case "library":
				ok = bytes.Equal(scope.GetStringBytes("id"), id)
			default:
				return dst, errRequest
			}
			if ok {
				granted, name = i, as.GetStringBytes("role")
			}
		}
		if granted < 0 {
			dst = append(dst, `false,"permission":"`...)
			dst = append(dst, permName...)
			dst = append(dst, `","reason":{"kind":"no_grant"}`...)
			break
		}
		dst = append(dst, `true,"permission":"`...)
		dst = append(dst, permName...)
		dst = append(dst, `","reason":{"kind":"role","role":"`...)
		dst = append(dst, name...)
		dst = append(dst, `","assignment":`...)
		dst = strconv.AppendInt(dst, int64(granted), 10)
		dst = append(dst, '}')
	}
	return append(dst, `,"errors":[],"warnings":[]}`...), nil
}
