// Package archtest checks the shape of the import graph: data flows
// http -> services -> store, one way.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/custos-privacy/custos"

// services are the domain packages (and their subpackages): what the
// HTTP layer and the CLI call, and what calls the store. connected is
// the connected-systems runner.
var services = []string{
	"audit", "auth", "connected", "consent", "dataset", "jurisdiction", "mail", "notify",
	"policy", "records", "reports", "requests", "retention", "taxonomy", "vault",
}

// exception is an import the rules forbid that is allowed for now, and why.
type exception struct {
	from, to, why string
}

// exceptions are today's imports against the rules. Each names the change
// that removes it; once the import is gone the test says so, and the entry
// should be deleted.
var exceptions = []exception{}

// pkg is what `go list -json` tells of a package.
type pkg struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // transitive
}

func list(t *testing.T) map[string]pkg {
	t.Helper()
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages: the listing is wrong", len(pkgs))
	}
	return pkgs
}

// under reports whether path is the module package rel or one inside it.
func under(path, rel string) bool {
	base := module
	if rel != "" {
		base += "/" + rel
	}
	return path == base || strings.HasPrefix(path, base+"/")
}

// plumbing are the leaf helpers under http/ that carry no handler and no
// service: connectors that speak HTTP (the webhook) use them too.
var plumbing = []string{"http/httpjson", "http/httperr"}

// httpLayer reports whether path is part of the HTTP layer proper: the
// handlers and pages, not the plumbing.
func httpLayer(path string) bool {
	return under(path, "http") && !slices.ContainsFunc(plumbing, func(p string) bool { return under(path, p) })
}

func isService(path string) bool {
	return slices.ContainsFunc(services, func(s string) bool { return under(path, s) })
}

// TestImportGraph: services import neither the HTTP layer nor the wiring,
// and net/http only by exception; the store imports no service; the root
// package imports nothing of storage or HTTP; the API client imports
// nothing of Custos at all.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	pkgs := list(t)
	for _, s := range services {
		if _, ok := pkgs[module+"/"+s]; !ok {
			t.Errorf("service package %s not found: renamed or removed? Update the list in this test.", s)
		}
	}
	used := map[exception]bool{}
	forbid := func(from, to, rule string) {
		t.Helper()
		for _, e := range exceptions {
			if e.from == from && e.to == to {
				used[e] = true
				return
			}
		}
		t.Errorf("%s imports %s: %s", from, to, rule)
	}
	for path, p := range pkgs {
		switch {
		case isService(path):
			for _, d := range p.Deps {
				if httpLayer(d) || under(d, "internal/wire") || under(d, "internal/cli") {
					forbid(path, d, "services must not depend on the HTTP layer or the wiring")
				}
			}
			// The HTTP plumbing (httpjson, httperr) is for connectors
			// that speak HTTP, which a service may use; the service's
			// own code imports nothing under http/.
			for _, d := range p.Imports {
				if under(d, "http") {
					forbid(path, d, "services must not import the HTTP layer")
				}
			}
			// Transitively net/http is everywhere (OIDC, the webhook
			// connector): the rule is that a service's own code does
			// not speak HTTP.
			if slices.Contains(p.Imports, "net/http") {
				forbid(path, "net/http", "services must not speak HTTP; connectors do")
			}
		case under(path, "store") && !under(path, "store/storetest"):
			for _, d := range p.Deps {
				if isService(d) || under(d, "http") {
					forbid(path, d, "the store must not depend on services or HTTP")
				}
			}
		case under(path, "client"):
			// A company's service imports the client to call Custos; it
			// must not pull in Custos' server, store or drivers with it.
			for _, d := range p.Deps {
				if strings.HasPrefix(d, module+"/") || d == module {
					forbid(path, d, "the API client imports nothing of the server: it speaks only HTTP and JSON")
				}
			}
		case path == module:
			for _, d := range p.Deps {
				if d == "net/http" || d == "database/sql" || strings.HasPrefix(d, module+"/") {
					forbid(path, d, "the root package holds domain types only: nothing of storage or HTTP")
				}
			}
		}
	}
	for _, e := range exceptions {
		if !used[e] {
			t.Logf("exception no longer needed, delete it: %s -> %s (%s)", e.from, e.to, e.why)
		}
	}
}

// TestRulesCatch: the rules see a forbidden import when there is one, so
// that a silent listing cannot pass the test above.
func TestRulesCatch(t *testing.T) {
	t.Parallel()
	pkgs := list(t)
	api, ok := pkgs[module+"/http/api"]
	if !ok || !slices.Contains(api.Imports, "net/http") || !slices.Contains(api.Deps, module+"/store") {
		t.Fatalf("http/api as listed: %+v", api)
	}
	if c, ok := pkgs[module+"/client"]; !ok || !slices.Contains(c.Imports, "net/http") {
		t.Fatalf("client as listed: %+v", c)
	}
	if !isService(module+"/consent/iab") || isService(module+"/http/api") || isService(module+"/storex") {
		t.Fatal("isService matches the wrong packages")
	}
}
