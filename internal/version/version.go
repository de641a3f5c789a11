// Package version holds permc's version, printed by `permc version` and written into
// the header of generated code.
package version

// Version is permc's release version.
const Version = "v0.1.0"
