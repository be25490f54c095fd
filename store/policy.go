package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// InsertPolicyVersion publishes a manifest as the next version number and
// returns that number. Versions are never updated or deleted: the history of
// what was promised when is evidence.
func (tx *Tx) InsertPolicyVersion(ctx context.Context, v custos.PolicyVersion) (int64, error) {
	var next int64
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions`).Scan(&next); err != nil {
		return 0, err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO policy_versions
		(version, manifest, digest, last_updated, effective_at, published_at, published_by, material, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		next, v.Manifest, v.Digest, v.LastUpdated, micros(v.EffectiveAt), micros(v.PublishedAt),
		v.PublishedBy, v.Material, v.Summary)
	if err != nil {
		return 0, err
	}
	return next, nil
}

// PolicyVersion returns one version.
func (q *queries) PolicyVersion(ctx context.Context, version int64) (custos.PolicyVersion, error) {
	return scanPolicyVersion(q.q.QueryRowContext(ctx, policySelect+` WHERE version = $1`, version))
}

// ActivePolicyVersion returns the version in force at now: the latest
// effective one, the highest version breaking ties.
func (q *queries) ActivePolicyVersion(ctx context.Context, now time.Time) (custos.PolicyVersion, error) {
	return scanPolicyVersion(q.q.QueryRowContext(ctx,
		policySelect+` WHERE effective_at <= $1 ORDER BY effective_at DESC, version DESC LIMIT 1`, micros(now)))
}

// UpcomingPolicyVersions returns versions published with an effective date
// after now, soonest first.
func (q *queries) UpcomingPolicyVersions(ctx context.Context, now time.Time) ([]custos.PolicyVersion, error) {
	return q.policyVersions(ctx, policySelect+` WHERE effective_at > $1 ORDER BY effective_at, version`, micros(now))
}

// PolicyVersions lists every version, oldest first.
func (q *queries) PolicyVersions(ctx context.Context) ([]custos.PolicyVersion, error) {
	return q.policyVersions(ctx, policySelect+` ORDER BY version`)
}

// LatestPolicyVersion returns the most recently published version, whether or
// not it is in force yet.
func (q *queries) LatestPolicyVersion(ctx context.Context) (custos.PolicyVersion, error) {
	return scanPolicyVersion(q.q.QueryRowContext(ctx, policySelect+` ORDER BY version DESC LIMIT 1`))
}

func (q *queries) policyVersions(ctx context.Context, query string, args ...any) ([]custos.PolicyVersion, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []custos.PolicyVersion
	for rows.Next() {
		v, err := scanPolicyVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const policySelect = `SELECT version, manifest, digest, last_updated, effective_at, published_at,
	published_by, material, summary FROM policy_versions`

func scanPolicyVersion(r rowScanner) (custos.PolicyVersion, error) {
	var (
		v                    custos.PolicyVersion
		effective, published int64
	)
	err := r.Scan(&v.Version, &v.Manifest, &v.Digest, &v.LastUpdated, &effective, &published,
		&v.PublishedBy, &v.Material, &v.Summary)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return custos.PolicyVersion{}, custos.ErrNotFound
		}
		return custos.PolicyVersion{}, err
	}
	v.EffectiveAt = fromMicros(effective)
	v.PublishedAt = fromMicros(published)
	return v, nil
}
