package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
)

// TestPolicyInit: init writes a small manifest that validates, renders and
// can be published, with every section a server reads; it refuses to
// overwrite a file without --force.
func TestPolicyInit(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	file := filepath.Join(dir, "policy.yaml")
	code, out, errs := run(t, vars, "policy", "init", "--org", `Acme "Shop" GmbH`, "--email", "dpo@acme.example", "--out", file)
	if code != 0 || !strings.Contains(out, "wrote "+file) {
		t.Fatalf("init: %d %q %s", code, out, errs)
	}
	if code, out, errs := run(t, vars, "policy", "validate", file); code != 0 || !strings.Contains(out, file+": ok") {
		t.Fatalf("validate: %d %q %s", code, out, errs)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "\n"); n > 150 {
		t.Errorf("the starter manifest has %d lines; it is meant to be small", n)
	}
	loader, err := policy.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	// The commented example of translations is valid once uncommented.
	example := strings.Replace(string(src), "# translations:\n", "translations:\n", 1)
	example = regexp.MustCompile(`(?m)^#(   .*)$`).ReplaceAllString(example, "$1")
	if example == string(src) {
		t.Fatal("the starter manifest has no commented example of translations")
	}
	tp, err := loader.Parse(file, []byte(example))
	if err != nil {
		t.Fatalf("the example of translations, uncommented, does not validate:\n%v", err)
	}
	if tr := tp.Translations["de"]; tr == nil || tr.Purposes["marketing.communications.email"].Name == "" {
		t.Fatalf("the uncommented example translates nothing: %+v", tp.Translations)
	}
	if p.Organisation.Name != `Acme "Shop" GmbH` || p.Contact.Email != "dpo@acme.example" {
		t.Errorf("organisation %q, contact %q", p.Organisation.Name, p.Contact.Email)
	}
	necessary := false
	for _, c := range p.Cookies {
		necessary = necessary || c.StrictlyNecessary != nil && *c.StrictlyNecessary
	}
	if !necessary || len(p.Retention.Rules) != len(p.Categories) || len(p.Rights.Jurisdictions) == 0 {
		t.Errorf("a section a server reads is missing: cookies %+v, retention %d rules for %d categories, rights %+v",
			p.Cookies, len(p.Retention.Rules), len(p.Categories), p.Rights)
	}
	if code, out, errs := run(t, vars, "policy", "render", file, "--format", "html"); code != 0 || !strings.Contains(out, "Acme &#34;Shop&#34; GmbH") && !strings.Contains(out, "Acme &quot;Shop&quot; GmbH") {
		t.Fatalf("render: %d %s", code, errs)
	}
	initDB(t, vars)
	if code, out, errs := run(t, vars, "policy", "publish", file); code != 0 || !strings.Contains(out, "published version 1") {
		t.Fatalf("publish: %d %q %s", code, out, errs)
	}

	if err := os.WriteFile(file, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, vars, "policy", "init", "--org", "Acme", "--email", "dpo@acme.example", "--out", file); code != 1 || !strings.Contains(errs, file+" exists; pass --force") {
		t.Fatalf("init over a file: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine\n" {
		t.Fatalf("init overwrote the file without --force: %q", b)
	}
	if code, _, errs := run(t, vars, "policy", "init", "--org", "Acme", "--email", "dpo@acme.example", "--out", file, "--force"); code != 0 {
		t.Fatalf("init --force: %d %s", code, errs)
	}
	if code, _, errs := run(t, vars, "policy", "validate", file); code != 0 {
		t.Fatalf("validate after --force: %d %s", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"policy", "init", "--email", "dpo@acme.example"}, "--org is required"},
		{[]string{"policy", "init", "--org", "Acme", "--email", "not an address"}, "is not an e-mail address"},
		{[]string{"policy", "init", "--org", "Acme\nEvil: 1", "--email", "dpo@acme.example"}, "--org must be"},
	} {
		if code, _, errs := run(t, vars, append(c.args, "--out", filepath.Join(dir, "other.yaml"))...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %s", c.args, code, errs)
		}
	}
}
