package suite

import (
	"encoding/json"
	"fmt"
	"io"
)

// Decider answers a request JSON with a decision JSON or {"error": ...}.
type Decider interface {
	DecideJSON(req []byte) []byte
}

// Result counts a suite run.
type Result struct {
	Passed, Failed int
}

type answer struct {
	Error    *string `json:"error"`
	Allowed  bool    `json:"allowed"`
	Reason   Reason  `json:"reason"`
	Warnings []struct {
		Assignment int    `json:"assignment"`
		Message    string `json:"message"`
	} `json:"warnings"`
}

// Run decides every case with d and writes `go test`-style lines to w: a FAIL line per
// failing case (and a PASS line per passing case when verbose).
func Run(cases []Case, d Decider, w io.Writer, prefix string, verbose bool) Result {
	var res Result
	for _, c := range cases {
		got := d.DecideJSON(c.Request)
		var a answer
		problem := ""
		if err := json.Unmarshal(got, &a); err != nil {
			problem = fmt.Sprintf("unreadable answer %s", got)
		} else if a.Error != nil {
			problem = "request error: " + *a.Error
		} else if a.Allowed != c.Allowed {
			problem = fmt.Sprintf("got %s (%s), want %s", verdict(a.Allowed), describe(a.Reason), verdict(c.Allowed))
		} else if c.Reason != nil && !reasonMatches(a.Reason, *c.Reason) {
			problem = fmt.Sprintf("got reason %s, want %s", describe(a.Reason), describe(*c.Reason))
		}
		if problem == "" {
			res.Passed++
			if verbose {
				fmt.Fprintf(w, "--- PASS: %s%s\n", prefix, c.Name)
			}
			continue
		}
		res.Failed++
		fmt.Fprintf(w, "--- FAIL: %s%s (%s)\n    %s\n", prefix, c.Name, c.At, problem)
		for _, wn := range a.Warnings {
			fmt.Fprintf(w, "    warning: assignment %d: %s\n", wn.Assignment, wn.Message)
		}
		writeInputs(w, c.Request)
	}
	return res
}

// writeInputs prints what a failing case ran with: its principal, resource,
// credential and context, as the request gave them to the backend.
func writeInputs(w io.Writer, req []byte) {
	var parts map[string]json.RawMessage
	if json.Unmarshal(req, &parts) != nil {
		fmt.Fprintf(w, "    request: %s\n", req)
		return
	}
	for _, k := range []string{"principal", "resource", "credential", "context"} {
		if v, ok := parts[k]; ok {
			fmt.Fprintf(w, "    %-11s%s\n", k+":", v)
		}
	}
}

func verdict(allowed bool) string {
	if allowed {
		return "allow"
	}
	return "deny"
}

func reasonMatches(got, want Reason) bool {
	if want.Kind != "" && got.Kind != want.Kind {
		return false
	}
	if want.Rule != "" && got.Rule != want.Rule {
		return false
	}
	if want.Role != "" && got.Role != want.Role {
		return false
	}
	if want.Assignment != nil && (got.Assignment == nil || *got.Assignment != *want.Assignment) {
		return false
	}
	return true
}

func describe(r Reason) string {
	s := r.Kind
	if r.Rule != "" {
		s += " " + r.Rule
	}
	if r.Role != "" {
		s += " " + r.Role
	}
	if r.Assignment != nil {
		s += fmt.Sprintf(" #%d", *r.Assignment)
	}
	return s
}
