package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/internal/version"
	"github.com/permc/permc/spec"
)

// Metadata is what MetadataJSON of a generated package describes: the spec's names,
// for hosts (the Wasm loaders, UIs) that need them without parsing the spec.
type Metadata struct {
	Permc      string          `json:"permc"`
	Package    string          `json:"package"`
	Source     string          `json:"source"`
	SpecSHA256 string          `json:"spec_sha256"`
	Resources  []metaResource  `json:"resource_types"`
	Perms      []string        `json:"permissions"`
	Roles      []metaRole      `json:"roles"`
	Scopes     []metaScope     `json:"scope_types"`
	Creds      metaCredentials `json:"credentials"`
}

type metaAttr struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

type metaResource struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Attributes  []metaAttr `json:"attributes"`
	Permissions []string   `json:"permissions"`
}

type metaRole struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions"`
	Scopes      []string `json:"scopes"`
}

type metaScope struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Params      []metaAttr `json:"params"`
	Resources   []string   `json:"resources"`
}

type metaCredentials struct {
	Scopes  []string `json:"scopes"`
	Filters []string `json:"filters"`
}

// metadataJSON describes the spec as MetadataJSON returns it.
func (g *generator) metadataJSON() []byte {
	s := g.s
	sum := sha256.Sum256(s.Source)
	m := Metadata{Permc: version.Version, Package: g.pkg, Source: g.source, SpecSHA256: hex.EncodeToString(sum[:]),
		Perms: []string{}, Roles: []metaRole{}, Scopes: []metaScope{}, Resources: []metaResource{},
		Creds: metaCredentials{Scopes: []string{}, Filters: []string{}}}
	for _, r := range s.Resources {
		mr := metaResource{Name: r.Name, Description: r.Description, Attributes: []metaAttr{{Name: "id", Type: "string"}}, Permissions: []string{}}
		for _, a := range r.Attributes {
			mr.Attributes = append(mr.Attributes, metaAttr{a.Name, a.Type.String(), a.Description})
		}
		for _, p := range r.Permissions {
			mr.Permissions = append(mr.Permissions, p.Name)
		}
		m.Resources = append(m.Resources, mr)
	}
	for _, p := range s.Permissions {
		m.Perms = append(m.Perms, p.Name)
	}
	for _, r := range s.Roles {
		mr := metaRole{Name: r.Name, Description: r.Description, Permissions: []string{}}
		for _, p := range r.Permissions {
			mr.Permissions = append(mr.Permissions, p.Name)
		}
		if r.Scopes != nil {
			mr.Scopes = []string{}
			for _, sc := range r.Scopes {
				mr.Scopes = append(mr.Scopes, sc.Name)
			}
		}
		m.Roles = append(m.Roles, mr)
	}
	for _, sc := range s.Scopes {
		ms := metaScope{Name: sc.Name, Description: sc.Description, Params: []metaAttr{}, Resources: []string{}}
		for _, p := range sc.Params {
			ms.Params = append(ms.Params, metaAttr{p.Name, p.Type.String(), p.Description})
		}
		for _, r := range sc.Resources {
			ms.Resources = append(ms.Resources, r.Name)
		}
		m.Scopes = append(m.Scopes, ms)
	}
	for _, o := range s.Credentials.Scopes {
		m.Creds.Scopes = append(m.Creds.Scopes, o.Name)
	}
	for _, f := range s.Credentials.Filters {
		m.Creds.Filters = append(m.Creds.Filters, f.Name)
	}
	out, err := json.Marshal(m)
	if err != nil {
		panic(err) // plain strings and slices always marshal
	}
	return out
}

func (g *generator) metadata(f *jen.File) {
	m := string(g.metadataJSON())
	lit := jen.Lit(m)
	if !strings.Contains(m, "`") {
		lit = jen.Id("`" + m + "`") // easier to read than an escaped string
	}
	f.Const().Id("metadata").Op("=").Add(lit)
	comment(f, `MetadataJSON describes the spec this package was generated from, as JSON: its resource
types, permissions, roles, scope types, credential scopes and filters, and the SHA-256 of
the spec's source ("spec_sha256"). Roles with "scopes": null may be assigned at any scope.`)
	f.Func().Id("MetadataJSON").Params().Index().Byte().Block(jen.Return(jen.Index().Byte().Parens(jen.Id("metadata"))))
}

func (g *generator) exprFile() *jen.File {
	f := jen.NewFile(g.pkg)
	g.header(f)
	for _, c := range g.litCode {
		f.Add(c)
	}
	for _, c := range g.exprCode {
		f.Add(c)
		f.Line()
	}
	return f
}

// MetadataJSON returns the metadata JSON of the package Generate(s, opts) would
// generate (its MetadataJSON), for backends that describe the spec the same way.
func MetadataJSON(s *spec.Spec, opts Options) []byte {
	return newGenerator(s, opts).metadataJSON()
}
