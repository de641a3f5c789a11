// Package cedarpol is the scenario in Cedar, run with cedar-go: one permit policy per
// role and one per public rule, one forbid policy per archived rule, and role
// assignments as entity groups, the way Cedar's own examples model "editors of this
// document": a library and an organization each name, per role, the group whose
// members hold that role there, and a user's assignments are the groups they are in.
package cedarpol

import (
	"fmt"
	"strings"

	"github.com/cedar-policy/cedar-go"

	"github.com/permc/permc/bench/scenario"
)

// typeName is the Cedar entity type of a scenario resource type: library -> Library.
func typeName(t string) string { return strings.ToUpper(t[:1]) + t[1:] }

// Policies returns the Cedar policies of the model.
func Policies(m *scenario.Model) string {
	var b strings.Builder
	for _, t := range m.Types {
		fmt.Fprintf(&b, "@id(%q)\npermit (principal, action == Action::\"%s.view\", resource is %s)\nwhen { resource.public };\n\n", scenario.PublicRule(t), t, typeName(t))
		fmt.Fprintf(&b, "@id(%q)\nforbid (principal, action in [Action::\"%[2]s.edit\", Action::\"%[2]s.publish\", Action::\"%[2]s.delete\"], resource is %[3]s)\nwhen { resource.tags.contains(\"archived\") };\n\n", scenario.ArchivedRule(t), t, typeName(t))
	}
	for _, r := range m.Roles {
		actions := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			actions[i] = fmt.Sprintf("Action::%q", r.Type+"."+a)
		}
		fmt.Fprintf(&b, "@id(%q)\npermit (principal, action in [%s], resource is %s)\nwhen { principal in resource.%s || principal in resource.org.%[4]s };\n\n",
			r.Name, strings.Join(actions, ", "), typeName(r.Type), r.Name)
	}
	return b.String()
}

// New parses the model's policies.
func New(m *scenario.Model) (*cedar.PolicySet, error) {
	return cedar.NewPolicySetFromBytes("policies.cedar", []byte(Policies(m)))
}

// group is the entity whose members hold role at the library or organization id.
func group(scope scenario.ScopeType, id, role string) cedar.EntityUID {
	return cedar.NewEntityUID("Group", cedar.String(string(scope)+"/"+id+"/"+role))
}

// Entities returns the entity store for the principals and libraries of cs: users
// with their groups as parents, libraries and organizations with their role groups.
// A service would load these from its database; building them is not timed.
func Entities(m *scenario.Model, cs []scenario.Case) cedar.EntityMap {
	es := cedar.EntityMap{}
	add := func(e cedar.Entity) { es[e.UID] = e }
	for _, p := range scenario.Principals(cs) {
		var parents []cedar.EntityUID
		for _, a := range p.Assignments {
			parents = append(parents, group(a.Scope, a.Value, a.Role))
		}
		uid := cedar.NewEntityUID("User", cedar.String(p.ID))
		add(cedar.Entity{UID: uid, Parents: cedar.NewEntityUIDSet(parents...)})
	}
	libraryRoles := func(scope scenario.ScopeType, id string) cedar.RecordMap {
		attrs := cedar.RecordMap{}
		for _, r := range m.Roles {
			if r.Type == "library" {
				attrs[cedar.String(r.Name)] = group(scope, id, r.Name)
			}
		}
		return attrs
	}
	orgs := map[string]bool{}
	for _, l := range scenario.Libraries {
		tags := make([]cedar.Value, len(l.Tags))
		for i, t := range l.Tags {
			tags[i] = cedar.String(t)
		}
		attrs := libraryRoles(scenario.LibraryScope, l.ID)
		attrs["org"] = cedar.NewEntityUID("Org", cedar.String(l.Org))
		attrs["public"] = cedar.Boolean(l.Public)
		attrs["tags"] = cedar.NewSet(tags...)
		add(cedar.Entity{UID: cedar.NewEntityUID("Library", cedar.String(l.ID)), Attributes: cedar.NewRecord(attrs)})
		if !orgs[l.Org] {
			orgs[l.Org] = true
			add(cedar.Entity{UID: cedar.NewEntityUID("Org", cedar.String(l.Org)), Attributes: cedar.NewRecord(libraryRoles(scenario.OrgScope, l.Org))})
		}
	}
	return es
}

// Request returns the Cedar request of a case.
func Request(c *scenario.Case) cedar.Request {
	return cedar.Request{
		Principal: cedar.NewEntityUID("User", cedar.String(c.Principal.ID)),
		Action:    cedar.NewEntityUID("Action", cedar.String(c.Permission())),
		Resource:  cedar.NewEntityUID("Library", cedar.String(c.Library.ID)),
		Context:   cedar.NewRecord(nil),
	}
}
