// Package dsr runs privacy requests against the company's own systems:
// the datasets that describe them, the connections that reach them, and the
// run itself — access through every collection reachable from the person's
// identities, then erasure or correction — checkpointed per collection so
// that a crash or kill resumes where it stopped and erases every row once.
package connected

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/internal/yamlpos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Opener opens a connector for a connection URL.
type Opener func(ctx context.Context, url string, opts connector.Options) (connector.Connector, error)

// Config is what a Service is built from.
type Config struct {
	Store  *store.Store
	Master *vault.Master
	Audit  *audit.Log
	Clock  custos.Clock
	Open   Opener
	// MaskSecret keys the hmac masking strategy; it is per instance, so the
	// same value masks the same way here and nowhere else.
	MaskSecret []byte
	// CallbackURL is where asynchronous webhooks post their answers; the
	// task id is appended.
	CallbackURL string
	// Answers opens the answers posted there (Callback); nil refuses them.
	Answers Answers
	// Batch is how many rows one erasure or correction statement touches,
	// and so how often progress is checkpointed. Default 1000.
	Batch int
	// AskAgainAfter is how long a call answered 202 waits for its
	// callback before it is sent again, in case the answer was lost.
	// Default an hour.
	AskAgainAfter time.Duration
	Logger        *slog.Logger
	// Policy is the manifest in force, for what it says of erasure
	// (shared_rows); nil means every default.
	Policy func(ctx context.Context) (*policy.Manifest, error)
}

// Service manages datasets and connections and runs requests.
type Service struct {
	Config
	cache caches
}

// New builds a Service.
func New(c Config) *Service {
	if c.Batch <= 0 {
		c.Batch = 1000
	}
	if c.AskAgainAfter <= 0 {
		c.AskAgainAfter = time.Hour
	}
	if c.Clock == nil {
		c.Clock = custos.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Config: c}
}

// Connection is a connection with its URL opened; only this package and
// the command that adds it ever see the URL.
type Connection struct {
	Name     string
	Dataset  string
	URL      string
	Secret   []byte
	ReadOnly bool
}

// Display is the URL without credentials, for listings and audit details.
func (c Connection) Display() string { return Redact(c.URL) }

// Redact removes the password (and a query string or fragment, which may
// hold tokens) from a connection URL.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || (u.User == nil && strings.Contains(raw, "@")) {
		// A password with a bare '?', '#' or '/' can make the URL parse
		// with the credentials read as host, path or query: when an '@'
		// is left over, secrecy wins over a pretty URL.
		return redactUnparsed(raw)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false
	return u.String()
}

// redactUnparsed redacts a URL that does not parse, or parses ambiguously,
// which a password with a bare '%', '#', '?' or '/' makes happen: what
// stands between "://" and the last '@' is taken for the user and password
// when it has a ':', and the password goes; so does any query or fragment.
// In doubt it hides too much rather than too little.
func redactUnparsed(raw string) string {
	cut := func(s string) string {
		if q := strings.IndexAny(s, "?#"); q >= 0 {
			return s[:q]
		}
		return s
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return cut(raw)
	}
	scheme, rest := raw[:i+3], raw[i+3:]
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, ok := strings.Cut(rest[:at], ":"); ok && !strings.ContainsAny(user, "/?#") {
			return scheme + user + ":xxxxx@" + cut(rest[at+1:])
		}
	}
	return scheme + cut(rest)
}

func urlContext(name string) string    { return "custos/connection/" + name + "/url" }
func secretContext(name string) string { return "custos/connection/" + name + "/secret" }

// Catalog is every dataset and connection, as loaded for one run. It is
// shared by the runs that load it while nothing changed, so it is read-only.
type Catalog struct {
	Datasets    []*dataset.Dataset
	Connections map[string]Connection // by dataset key

	stamp string // what it was built from; see Service.Catalog
	mu    sync.Mutex
	plans map[string]planned // by identity kinds
}

type planned struct {
	plan *dataset.Plan
	err  error
}

// Catalog loads the imported datasets and the connections. What it builds
// is kept for the next call and used again while the stored datasets and
// connections are the same: two small queries instead of reading every
// dataset file, opening every sealed URL and planning again.
func (s *Service) Catalog(ctx context.Context) (*Catalog, error) {
	rows, err := s.Store.DatasetIndex(ctx)
	if err != nil {
		return nil, err
	}
	conns, err := s.Store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	stamp := catalogStamp(rows, conns)
	s.cache.mu.Lock()
	prev := s.cache.catalog
	s.cache.mu.Unlock()
	if prev != nil && prev.stamp == stamp {
		return prev, nil
	}
	c := &Catalog{Connections: map[string]Connection{}, stamp: stamp}
	for _, r := range rows {
		sets, ok := s.parsed(r.Digest)
		if !ok {
			full, err := s.Store.Dataset(ctx, r.Key)
			if err != nil {
				return nil, err
			}
			if full.Digest != r.Digest {
				c.stamp = "" // imported again meanwhile: not to be kept
			}
			if sets, err = s.parse(full.Digest, full.FileName, full.Source); err != nil {
				return nil, fmt.Errorf("dsr: stored dataset %s no longer loads: %w", r.Key, err)
			}
		}
		for _, d := range sets {
			if d.Key == r.Key {
				c.Datasets = append(c.Datasets, d)
			}
		}
	}
	for _, cr := range conns {
		conn, err := s.open(cr)
		if err != nil {
			return nil, err
		}
		c.Connections[cr.DatasetKey] = conn
	}
	if c.stamp != "" {
		s.cache.mu.Lock()
		s.cache.catalog = c
		s.cache.mu.Unlock()
	}
	return c, nil
}

// catalogStamp names what a catalog is built from: each dataset's content
// and each connection as stored (a changed URL or secret is sealed anew).
func catalogStamp(rows []store.DatasetRow, conns []store.ConnectionRow) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "d %q %q\n", r.Key, r.Digest)
	}
	for _, c := range conns {
		fmt.Fprintf(h, "c %q %q %x %x %t\n", c.Name, c.DatasetKey, c.URLSealed, c.SecretSealed, c.ReadOnly)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// plan returns the plan for a person known by these identity kinds, made
// once per catalog.
func (c *Catalog) plan(kinds []string) (*dataset.Plan, error) {
	k := strings.Join(kinds, "\x00")
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.plans[k]; ok {
		return p.plan, p.err
	}
	p, err := dataset.NewPlan(c.Datasets, kinds)
	if c.plans == nil {
		c.plans = map[string]planned{}
	}
	c.plans[k] = planned{p, err}
	return p, err
}

func (s *Service) open(cr store.ConnectionRow) (Connection, error) {
	u, err := s.Master.Open(cr.URLSealed, urlContext(cr.Name))
	if err != nil {
		return Connection{}, fmt.Errorf("dsr: connection %s: %w", cr.Name, err)
	}
	c := Connection{Name: cr.Name, Dataset: cr.DatasetKey, URL: string(u), ReadOnly: cr.ReadOnly}
	if len(cr.SecretSealed) > 0 {
		if c.Secret, err = s.Master.Open(cr.SecretSealed, secretContext(cr.Name)); err != nil {
			return Connection{}, fmt.Errorf("dsr: connection %s: %w", cr.Name, err)
		}
	}
	return c, nil
}

// Import reads a dataset file (Fides YAML unchanged, or Custos' format),
// checks it together with every dataset already imported, and stores it. It
// returns the keys of the datasets the file held.
func (s *Service) Import(ctx context.Context, actor, fileName string, src []byte) ([]string, error) {
	sets, err := dataset.Load(fileName, src)
	if err != nil {
		return nil, invalidDataset(err)
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	incoming := map[string]bool{}
	for _, d := range sets {
		incoming[d.Key] = true
	}
	all := append([]*dataset.Dataset(nil), sets...)
	for _, d := range cat.Datasets {
		if !incoming[d.Key] {
			all = append(all, d)
		}
	}
	if err := dataset.Validate(all); err != nil {
		return nil, invalidDataset(err)
	}
	sum := sha256.Sum256(src)
	digest := hex.EncodeToString(sum[:])
	now := s.Clock.Now()
	keys := make([]string, 0, len(sets))
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range sets {
			if err := tx.PutDataset(ctx, store.DatasetRow{Key: d.Key, FileName: fileName, Source: src, Digest: digest,
				ImportedAt: now, ImportedBy: actor}); err != nil {
				return err
			}
			keys = append(keys, d.Key)
			if _, err := s.Audit.Append(ctx, tx, audit.Record{Actor: actor, Action: "dataset.import", Object: "dataset:" + d.Key,
				Detail: map[string]any{"collections": len(d.Collections), "digest": digest}}); err != nil {
				return err
			}
		}
		return nil
	})
	return keys, err
}

// invalidDataset is a file that reads but describes no valid dataset: 422,
// as the API documents, with every problem as FILE:LINE:COL.
func invalidDataset(err error) error {
	var refused *yamlpos.Refusal
	if errors.As(err, &refused) {
		return refused.Coded()
	}
	var ps dataset.Problems
	if errors.As(err, &ps) {
		return custos.Wrap(err, custos.KindUnprocessable, "invalid_dataset", ps.Error())
	}
	return custos.Wrap(err, custos.KindUnprocessable, "invalid_dataset", err.Error())
}

// AddConnection stores a connection to a dataset's system. For webhook
// connections it makes the secret that signs calls and returns it: it is
// shown once, to configure the remote side.
func (s *Service) AddConnection(ctx context.Context, actor string, c Connection) ([]byte, error) {
	if c.Name == "" || strings.ContainsAny(c.Name, " \t\n/") {
		return nil, custos.Errorf(custos.KindInvalid, "invalid_connection", "A connection needs a name without spaces or slashes.")
	}
	scheme := Scheme(c.URL)
	if scheme == "" {
		return nil, custos.Errorf(custos.KindInvalid, "invalid_connection",
			"Connection URL %s is not one Custos can use: postgres://, mysql://, sqlite:, redis:// or https://.", Redact(c.URL))
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	found := false
	for _, d := range cat.Datasets {
		found = found || d.Key == c.Dataset
	}
	if !found {
		return nil, custos.Errorf(custos.KindInvalid, "unknown_dataset", "No dataset %q is imported; run custos dataset import first.", c.Dataset)
	}
	if other, ok := cat.Connections[c.Dataset]; ok {
		return nil, custos.Errorf(custos.KindConflict, "dataset_connected", "Dataset %q is already reached by connection %q.", c.Dataset, other.Name)
	}
	if scheme == "webhook" && len(c.Secret) == 0 {
		// The secret is the text shown to the operator, as the receiving
		// side will be configured with it: the HMAC key is these 64
		// characters, not the 32 random bytes they spell.
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c.Secret = []byte(hex.EncodeToString(b))
	}
	row := store.ConnectionRow{Name: c.Name, DatasetKey: c.Dataset, ReadOnly: c.ReadOnly, CreatedAt: s.Clock.Now(), CreatedBy: actor}
	if row.URLSealed, err = s.Master.Seal([]byte(c.URL), urlContext(c.Name)); err != nil {
		return nil, err
	}
	if len(c.Secret) > 0 {
		if row.SecretSealed, err = s.Master.Seal(c.Secret, secretContext(c.Name)); err != nil {
			return nil, err
		}
	}
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, row); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, audit.Record{Actor: actor, Action: "connection.add", Object: "connection:" + c.Name,
			Detail: map[string]any{"dataset": c.Dataset, "kind": scheme, "read_only": c.ReadOnly}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.Secret, nil
}

// RemoveConnection deletes a connection.
func (s *Service) RemoveConnection(ctx context.Context, actor, name string) error {
	err := s.Store.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteConnection(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return custos.Errorf(custos.KindNotFound, "connection_not_found", "No connection is named %q.", name)
		}
		_, err = s.Audit.Append(ctx, tx, audit.Record{Actor: actor, Action: "connection.remove", Object: "connection:" + name})
		return err
	})
	if err == nil {
		s.forget(name)
	}
	return err
}

// Connections lists the connections, URLs redacted.
func (s *Service) Connections(ctx context.Context) ([]Connection, error) {
	rows, err := s.Store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Connection, 0, len(rows))
	for _, r := range rows {
		c, err := s.open(r)
		if err != nil {
			return nil, err
		}
		c.URL, c.Secret = c.Display(), nil
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Any reports whether any connection is configured: without one, requests
// are answered from Custos' own records alone.
func (s *Service) Any(ctx context.Context) (bool, error) {
	rows, err := s.Store.Connections(ctx)
	return len(rows) > 0, err
}

// TestConnection opens a connection and checks that every collection of
// its dataset can be read, and written unless it is read-only.
func (s *Service) TestConnection(ctx context.Context, actor, name string) error {
	cr, err := s.Store.Connection(ctx, name)
	if err != nil {
		return err
	}
	c, err := s.open(cr)
	if err != nil {
		return err
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return err
	}
	var d *dataset.Dataset
	for _, x := range cat.Datasets {
		if x.Key == c.Dataset {
			d = x
		}
	}
	if d == nil {
		return custos.Errorf(custos.KindNotFound, "unknown_dataset", "Connection %q names dataset %q, which is not imported.", name, c.Dataset)
	}
	conn, err := s.Open(ctx, c.URL, connector.Options{ReadOnly: c.ReadOnly, Secret: c.Secret})
	if err != nil {
		return custos.Wrap(err, custos.KindUnavailable, "connection_failed", fmt.Sprintf("Cannot open connection %q (%s): %s", name, c.Display(), scrub(err, c.URL)))
	}
	defer conn.Close()
	if err := conn.Test(ctx, d); err != nil {
		return custos.Wrap(err, custos.KindUnavailable, "connection_failed", fmt.Sprintf("Connection %q (%s) failed its test: %s", name, c.Display(), scrub(err, c.URL)))
	}
	return nil
}

// scrub is an error's text with the connection URL's password removed, in
// case a driver quoted it.
func scrub(err error, raw string) string {
	msg := err.Error()
	p := password(raw)
	if p == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, p, "xxxxx")
	if esc := url.QueryEscape(p); esc != p {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	if esc := url.PathEscape(p); esc != p {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return msg
}

// password is the password of a connection URL, also of one that does not
// parse (see redactUnparsed); "" for none.
func password(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	user, p, _ := strings.Cut(rest[:at], ":")
	if strings.ContainsAny(user, "/?#") {
		return "" // the '@' is in a path or query, not after a password
	}
	return p
}

// Scheme names the kind of connector a URL needs: postgres, mysql, sqlite,
// redis or webhook; "" for none.
func Scheme(raw string) string {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return "postgres"
	case strings.HasPrefix(raw, "mysql://"), strings.HasPrefix(raw, "mariadb://"):
		return "mysql"
	case strings.HasPrefix(raw, "sqlite:"):
		return "sqlite"
	case strings.HasPrefix(raw, "redis://"), strings.HasPrefix(raw, "rediss://"):
		return "redis"
	case strings.HasPrefix(raw, "https://"), strings.HasPrefix(raw, "http://"):
		return "webhook"
	}
	return ""
}
