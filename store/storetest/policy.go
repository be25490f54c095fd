package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func policyCases() []suiteCase {
	return []suiteCase{
		{"PolicyVersions", testPolicyVersions},
		{"PolicyVersionsEmpty", testPolicyVersionsEmpty},
	}
}

func testPolicyVersions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	publish := func(digest string, effective time.Time, material bool) int64 {
		t.Helper()
		var v int64
		err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			v, err = tx.InsertPolicyVersion(ctx, custos.PolicyVersion{
				Manifest: []byte("manifest " + digest), Digest: digest, LastUpdated: effective.Format("2006-01-02"),
				EffectiveAt: effective, PublishedAt: t0, PublishedBy: "cli", Material: material, Summary: "s " + digest,
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v1 := publish("a", t0, false)
	v2 := publish("b", t0.Add(24*time.Hour), true)
	v3 := publish("c", t0.Add(48*time.Hour), true)
	if v1 != 1 || v2 != 2 || v3 != 3 {
		t.Fatalf("versions %d %d %d", v1, v2, v3)
	}
	active, err := s.ActivePolicyVersion(ctx, t0.Add(time.Hour))
	if err != nil || active.Version != 1 || string(active.Manifest) != "manifest a" || active.Material {
		t.Fatalf("active at t0+1h = %+v, %v", active, err)
	}
	active, err = s.ActivePolicyVersion(ctx, t0.Add(24*time.Hour))
	if err != nil || active.Version != 2 || !active.Material || active.Summary != "s b" || !active.EffectiveAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("active at t0+24h = %+v, %v", active, err)
	}
	up, err := s.UpcomingPolicyVersions(ctx, t0.Add(time.Hour))
	if err != nil || len(up) != 2 || up[0].Version != 2 || up[1].Version != 3 {
		t.Fatalf("upcoming = %+v, %v", up, err)
	}
	if _, err := s.ActivePolicyVersion(ctx, t0.Add(-time.Hour)); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("active before first = %v", err)
	}
	latest, err := s.LatestPolicyVersion(ctx)
	if err != nil || latest.Version != 3 || latest.Digest != "c" {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	one, err := s.PolicyVersion(ctx, 2)
	if err != nil || one.Digest != "b" || one.PublishedBy != "cli" || !one.PublishedAt.Equal(t0) {
		t.Fatalf("PolicyVersion(2) = %+v, %v", one, err)
	}
	all, err := s.PolicyVersions(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("PolicyVersions = %d, %v", len(all), err)
	}
	// A later version with an earlier effective date takes over from then.
	v4 := publish("d", t0.Add(12*time.Hour), false)
	active, _ = s.ActivePolicyVersion(ctx, t0.Add(13*time.Hour))
	if active.Version != v4 {
		t.Fatalf("active after backdated publish = %d, want %d", active.Version, v4)
	}
}

func testPolicyVersionsEmpty(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.LatestPolicyVersion(ctx); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("latest = %v", err)
	}
	if _, err := s.PolicyVersion(ctx, 1); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("PolicyVersion = %v", err)
	}
	if up, err := s.UpcomingPolicyVersions(ctx, t0); err != nil || len(up) != 0 {
		t.Fatalf("upcoming = %v, %v", up, err)
	}
}
