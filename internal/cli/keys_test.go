package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/vault"
)

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, vars := dataDir(t)
	env := &Env{Getenv: func(k string) string { return vars[k] }, Clock: custos.SystemClock{}}
	openRecords := func() (*app, *records.Service) {
		a, _, err := openApp(ctx, env, vars["CUSTOS_DB"], vars["CUSTOS_KEY_FILE"], true)
		if err != nil {
			t.Fatal(err)
		}
		loader, _ := policy.NewLoader()
		reg := policy.NewRegistry(a.store, loader, a.audit, a.clock)
		if _, err := reg.Bootstrap(ctx, "test", policy.BundledName, policy.Bundled(), false); err != nil {
			t.Fatal(err)
		}
		blind, err := vault.InstanceBlindIndex(ctx, a.store, a.master, a.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return a, records.New(a.store, a.master, blind, a.audit, reg, a.clock)
	}
	a, svc := openRecords()
	v := "Quinn"
	ref := custos.SubjectRef{Email: "quinn@example.com"}
	if _, err := svc.Record(ctx, "test", records.Input{Kind: "collection", Subject: ref, Category: "user.name",
		Source: "online_channels", Purpose: "essential.service", Value: &v}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	code, out, errs := run(t, vars, "keys", "rotate")
	if code != 0 || !strings.Contains(out, "2 keys") || !strings.Contains(out, "1 subject keys re-wrapped") {
		t.Fatalf("rotate: %d %q %s", code, out, errs)
	}

	a, svc = openRecords()
	defer a.Close()
	sid, err := svc.FindSubject(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := svc.SubjectRecords(ctx, "test", "test", sid)
	if err != nil || *recs.Events[0].Value != "Quinn" {
		t.Fatalf("after rotation: %+v, %v", recs, err)
	}
	if code, out, _ := run(t, vars, "audit", "verify"); code != 0 || !strings.Contains(out, "ok ") {
		t.Fatalf("audit after rotation: %d %s", code, out)
	}
}
