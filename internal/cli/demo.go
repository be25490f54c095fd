package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/internal/demo"
	"github.com/custos-privacy/custos/internal/wire"
)

func demoCmd(env *Env) *cobra.Command {
	var dir string
	var existing bool
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Set up a demo: the data directory serve would make, a demo company database, its dataset and connection, demo people",
		Long: `Set up a demo in ./custos-data (or DIR/custos-data), without starting anything:
the Custos database, master key, published policy and admin token exactly as the
first "custos serve" makes them, plus demo-shop.db, an SQLite company database
built from Fides' example shop, its dataset imported and connected as demo-shop,
and three of its customers with the events and consents a web shop would have
reported. Then it prints the next commands: start the server where the demo is
and make a request for one of them.

A data directory that already holds a Custos database is refused; --existing
adds the demo company to it instead (its demo-shop.db written afresh).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), env, dir, existing)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the directory to set the demo up in (default: the current one)")
	cmd.Flags().BoolVar(&existing, "existing", false, "add the demo to the Custos database already in custos-data")
	return cmd
}

// demoPaths are where the demo writes: serve's defaults, under dir.
type demoPaths struct {
	data, db, key, mail, shop string
	shopURL                   string // the connection's URL
}

func newDemoPaths(dir string) (demoPaths, error) {
	if dir == "" {
		// Serve's defaults, spelled as serve spells them; the shop's URL is
		// relative too, so a server started here (make run) finds it.
		return demoPaths{data: "./custos-data", db: strings.TrimPrefix(defaultDB, "sqlite:"), key: defaultKeyFile, mail: defaultMailDir,
			shop: "./custos-data/" + demo.ShopFile, shopURL: "sqlite:./custos-data/" + demo.ShopFile}, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return demoPaths{}, fmt.Errorf("--dir %s: %w", dir, err)
	}
	data := filepath.Join(abs, "custos-data")
	// Absolute, so the server finds the shop from whichever directory it
	// is started in.
	shop := filepath.Join(data, demo.ShopFile)
	return demoPaths{data: data, db: filepath.Join(data, "custos.db"), key: filepath.Join(data, "master.key"),
		mail: filepath.Join(data, "mail"), shop: shop, shopURL: "sqlite:" + shop}, nil
}

func runDemo(ctx context.Context, env *Env, dir string, existing bool) error {
	p, err := newDemoPaths(dir)
	if err != nil {
		return err
	}
	if err := p.check(dir, existing); err != nil {
		return err
	}
	m, err := demoInstall(ctx, env, p)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := demoShop(ctx, m.svc, p, existing); err != nil {
		return err
	}
	people, err := demoPeople(ctx, m.svc)
	if err != nil {
		return err
	}
	if err := m.Close(); err != nil {
		return err
	}
	printDemo(env, p, dir, people)
	return nil
}

// check refuses, before anything is written, a directory that is not
// there or already holds a database of the demo's: a half-made demo would
// only be refused the next time.
func (p demoPaths) check(dir string, existing bool) error {
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return usageError{msg: fmt.Sprintf("--dir %s is not a directory", dir)}
		}
	}
	for _, f := range []struct{ path, what string }{{p.db, "a Custos database"}, {p.shop, "a demo company database"}} {
		there, err := exists(f.path)
		if err != nil {
			return err
		}
		if there && !existing {
			return custos.Errorf(custos.KindConflict, "demo_database_exists",
				"%s already holds %s, and the demo sets up a fresh one: remove %s to start over, or pass --existing to add the demo company to the Custos database there.",
				f.path, f.what, p.data)
		}
	}
	return nil
}

// demoInstall is serve's first start, by serve's own code, without
// listening: the store migrated, the master key, the bundled policy
// published, the admin token. The caller closes what it returns.
func demoInstall(ctx context.Context, env *Env, p demoPaths) (*serveMain, error) {
	var c serveConfig
	c.flags(&cobra.Command{}, &Env{Getenv: func(string) string { return "" }})
	c.dsn, c.keyFile, c.mailDir, c.logLevel = "sqlite:"+p.db, p.key, p.mail, "warn"
	if err := os.MkdirAll(p.data, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", p.data, unwrapPath(err))
	}
	m, err := newServeMain(env, c, false)
	if err != nil {
		return nil, err
	}
	// What serve's links would name when started with its defaults.
	m.baseURL = "http://" + c.addr
	if err = m.open(ctx); err == nil {
		err = m.build(ctx)
	}
	if err != nil {
		_ = m.Close()
		return nil, err
	}
	return m, nil
}

// demoShop writes the demo company database and describes and connects
// it as an operator would with dataset import and connection add.
func demoShop(ctx context.Context, svc *wire.Services, p demoPaths, existing bool) error {
	if existing {
		// The shop is the demo's own file: written afresh, its rows back.
		if err := os.Remove(p.shop); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot replace %s: %w", p.shop, unwrapPath(err))
		}
	}
	if err := demo.CreateShop(ctx, p.shop); err != nil {
		return err
	}
	if _, err := svc.DSR.Import(ctx, "cli", demo.DatasetName, demo.Dataset()); err != nil {
		return err
	}
	conns, err := svc.DSR.Connections(ctx)
	if err != nil {
		return err
	}
	if !hasConnection(conns, demo.Connection) {
		if _, err := svc.DSR.AddConnection(ctx, "cli", connected.Connection{Name: demo.Connection, Dataset: demo.DatasetKey, URL: p.shopURL}); err != nil {
			return err
		}
	}
	return svc.DSR.TestConnection(ctx, "cli", demo.Connection)
}

// demoPeople records the demo customers' events and consents through the
// services, as the shop's calls to the API would, and names them.
func demoPeople(ctx context.Context, svc *wire.Services) ([]string, error) {
	var people []string
	for _, person := range demo.People() {
		for _, e := range person.Events {
			if _, err := svc.Records.Record(ctx, "cli", e); err != nil {
				return nil, fmt.Errorf("demo person %s: %w", person.Email, err)
			}
		}
		for _, ch := range person.Consents {
			if _, err := svc.Consent.Record(ctx, "cli", ch, false); err != nil {
				return nil, fmt.Errorf("demo person %s: %w", person.Email, err)
			}
		}
		people = append(people, fmt.Sprintf("%s <%s>", person.Name, person.Email))
	}
	return people, nil
}

func printDemo(env *Env, p demoPaths, dir string, people []string) {
	w := env.Stdout
	fmt.Fprintf(w, "The demo is ready in %s:\n", p.data)
	fmt.Fprintf(w, "  custos.db      the Custos database, the bundled policy published\n")
	fmt.Fprintf(w, "  master.key     the master key (in real use, back it up)\n")
	fmt.Fprintf(w, "  admin.token    a bootstrap admin token\n")
	fmt.Fprintf(w, "  %s   the demo company's database: Fides' example shop (customers, orders, cards, logins)\n", demo.ShopFile)
	fmt.Fprintf(w, "  dataset %s, connection %s (%s)\n", demo.DatasetKey, demo.Connection, p.shopURL)
	fmt.Fprintf(w, "  people: %s\n\n", strings.Join(people, ", "))
	// At the repository root (no --dir) the README's way: make run and
	// go run; elsewhere the installed binary, from where custos-data is,
	// since every command's defaults are relative to it. A binary run
	// without --dir outside a checkout (go install) has no make run nor
	// ./cmd/custos where it stands.
	custosCmd := "go run ./cmd/custos"
	switch {
	case dir == "" && atCheckout():
		fmt.Fprintln(w, "Next, at the repository root:")
		fmt.Fprintln(w, "  make run &                    # or: go run ./cmd/custos serve")
	case dir == "":
		custosCmd = "custos"
		fmt.Fprintln(w, "Next, here:")
		fmt.Fprintln(w, "  custos serve &")
	default:
		custosCmd = "custos"
		fmt.Fprintln(w, "Next:")
		fmt.Fprintf(w, "  cd %s\n", shellWord(dir))
		fmt.Fprintln(w, "  custos serve &")
	}
	fmt.Fprintf(w, "  DPO=$(%s token create --role privacy_officer --name DPO)\n", custosCmd)
	fmt.Fprintln(w, `  curl -s -H "Content-Type: application/json" -X POST http://127.0.0.1:8080/api/v1/privacy-requests \`)
	fmt.Fprintln(w, `    -d '{"type": "access", "email": "customer-1@example.com", "jurisdiction": "US-CA"}'`)
	fmt.Fprintf(w, "Then the README's tour; %s mail last --to customer-1@example.com --code reads the mailed code.\n", custosCmd)
}

// atCheckout reports whether the current directory is the repository's
// root, where make run and go run ./cmd/custos work.
func atCheckout() bool {
	fi, err := os.Stat(filepath.Join("cmd", "custos", "main.go"))
	return err == nil && fi.Mode().IsRegular()
}

// shellWord is s as one word of a POSIX shell command line: as it is when
// it holds nothing the shell would split or expand, else single-quoted,
// so that a printed cd works for a directory named with spaces or quotes.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func hasConnection(cs []connected.Connection, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

// exists says whether path names a file, telling a missing one from one
// that cannot be looked at.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cannot look at %s: %w", path, unwrapPath(err))
	}
	return true, nil
}
