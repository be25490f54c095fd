package policy

import (
	"bytes"
	_ "embed"
)

// BundledName is the file name of the bundled manifest, for problems and
// for the policy version it is published as.
const BundledName = "clientwise.yaml"

//go:embed clientwise.yaml
var bundled []byte

// Bundled returns the manifest shipped with Custos: the first customer's
// policy, encoded as data. It is a copy; callers may change it.
func Bundled() []byte { return bytes.Clone(bundled) }
