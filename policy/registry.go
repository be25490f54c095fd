package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/internal/yamlpos"
	"github.com/custos-privacy/custos/store"
)

// Registry publishes manifests as versions and tells which one is in force.
// Parsed versions are cached: versions never change once stored.
type Registry struct {
	store  *store.Store
	loader *Loader
	log    *audit.Log
	clock  custos.Clock

	mu     sync.Mutex
	parsed map[int64]*Policy
}

// NewRegistry returns a Registry.
func NewRegistry(s *store.Store, loader *Loader, log *audit.Log, clock custos.Clock) *Registry {
	return &Registry{store: s, loader: loader, log: log, clock: clock, parsed: map[int64]*Policy{}}
}

// Loader is the manifest loader the registry validates with.
func (r *Registry) Loader() *Loader { return r.loader }

// Published is the outcome of Publish.
type Published struct {
	Version   custos.PolicyVersion
	Changes   []Change
	Unchanged bool // the manifest is the latest version already; nothing was stored
}

// Publish validates src and stores it as a new version in force from
// effective. A material change must be announced as many days ahead as the
// manifest's changes.notice_days says, unless force is set.
func (r *Registry) Publish(ctx context.Context, actor, file string, src []byte, effective time.Time, force bool) (Published, error) {
	p, err := r.loader.Parse(file, src)
	if err != nil {
		return Published{}, invalidManifest(err)
	}
	now := r.clock.Now()
	var out Published
	err = r.store.InTx(ctx, func(tx *store.Tx) error {
		latest, err := tx.LatestPolicyVersion(ctx)
		switch {
		case errors.Is(err, custos.ErrNotFound):
		case err != nil:
			return err
		case latest.Digest == p.Digest:
			out = Published{Version: latest, Unchanged: true}
			return nil
		default:
			prev, err := r.loader.Parse("version "+fmt.Sprint(latest.Version), latest.Manifest)
			if err != nil {
				return fmt.Errorf("policy: stored version %d no longer parses: %w", latest.Version, err)
			}
			out.Changes = Diff(prev.Manifest, p.Manifest)
		}
		material := AnyMaterial(out.Changes)
		if days := p.Changes.NoticeDays; material && !force && days > 0 && effective.Before(now.AddDate(0, 0, days)) {
			return custos.Errorf(custos.KindUnprocessable, "notice_required",
				"This version changes what the policy promises; it must be announced %d days before it takes effect: publish it with an effective date on or after %s.",
				days, now.AddDate(0, 0, days).Format("2006-01-02"))
		}
		lines := make([]string, len(out.Changes))
		for i, c := range out.Changes {
			lines[i] = c.String()
		}
		v := custos.PolicyVersion{
			Manifest: p.Source, Digest: p.Digest, LastUpdated: p.LastUpdated,
			EffectiveAt: effective.UTC().Truncate(time.Microsecond), PublishedAt: now.UTC().Truncate(time.Microsecond),
			PublishedBy: actor, Material: material, Summary: strings.Join(lines, "\n"),
		}
		if v.Version, err = tx.InsertPolicyVersion(ctx, v); err != nil {
			return err
		}
		out.Version = v
		_, err = r.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "policy.publish", Object: fmt.Sprintf("policy:%d", v.Version),
			Detail: map[string]any{"digest": v.Digest, "material": material, "effective_at": v.EffectiveAt.Format(time.RFC3339), "changes": len(lines)}})
		return err
	})
	return out, err
}

// Bootstrap makes sure the store has a policy. With explicit set (the
// operator named a manifest), src is published, effective now, unless it is
// the latest version already. Otherwise src (the bundled default) is
// published only into an empty store, so versions published later through
// the API are never reverted by a restart.
func (r *Registry) Bootstrap(ctx context.Context, actor, file string, src []byte, explicit bool) (Published, error) {
	if !explicit {
		latest, err := r.store.LatestPolicyVersion(ctx)
		if err == nil {
			return Published{Version: latest, Unchanged: true}, nil
		}
		if !errors.Is(err, custos.ErrNotFound) {
			return Published{}, err
		}
	}
	return r.Publish(ctx, actor, file, src, r.clock.Now(), false)
}

// Active returns the version in force now, parsed.
func (r *Registry) Active(ctx context.Context) (*Policy, custos.PolicyVersion, error) {
	v, err := r.store.ActivePolicyVersion(ctx, r.clock.Now())
	if errors.Is(err, custos.ErrNotFound) {
		return nil, v, custos.Errorf(custos.KindUnavailable, "no_policy", "No policy is in force yet.")
	}
	if err != nil {
		return nil, v, err
	}
	p, err := r.Parsed(v)
	return p, v, err
}

// Upcoming returns versions published to take effect later, soonest first.
func (r *Registry) Upcoming(ctx context.Context) ([]custos.PolicyVersion, error) {
	return r.store.UpcomingPolicyVersions(ctx, r.clock.Now())
}

// Parsed returns the manifest of a stored version.
func (r *Registry) Parsed(v custos.PolicyVersion) (*Policy, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.parsed[v.Version]; ok {
		return p, nil
	}
	p, err := r.loader.Parse(fmt.Sprintf("policy version %d", v.Version), v.Manifest)
	if err != nil {
		return nil, fmt.Errorf("policy: stored version %d does not parse: %w", v.Version, err)
	}
	r.parsed[v.Version] = p
	return p, nil
}

func invalidManifest(err error) error {
	var refused *yamlpos.Refusal
	if errors.As(err, &refused) {
		return refused.Coded()
	}
	var ps Problems
	if errors.As(err, &ps) {
		return &custos.Error{Kind: custos.KindInvalid, Code: "invalid_manifest",
			Message: fmt.Sprintf("The manifest has %d problem(s): %s", len(ps), ps.Error()), Err: err}
	}
	return err
}
