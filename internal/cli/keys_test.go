package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/dsr"
	"github.com/custos-privacy/custos/records"
)

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, vars := dataDir(t)
	a, services := openServices(t, vars)
	svc := services.Records
	v := "Quinn"
	ref := custos.SubjectRef{Email: "quinn@example.com"}
	if _, err := svc.Record(ctx, "test", records.Input{Kind: "collection", Subject: ref, Category: "user.name",
		Source: "online_channels", Purpose: "essential.service", Value: &v}); err != nil {
		t.Fatal(err)
	}
	const ds = "dataset:\n  - fides_key: shop\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n            fides_meta: {identity: email}\n"
	if _, err := services.DSR.Import(ctx, "test", "shop.yml", []byte(ds)); err != nil {
		t.Fatal(err)
	}
	if _, err := services.DSR.AddConnection(ctx, "test", dsr.Connection{Name: "shop", Dataset: "shop", URL: "postgres://u:s3cret@db.example/shop"}); err != nil {
		t.Fatal(err)
	}
	before, err := a.store.Connection(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	code, out, errs := run(t, vars, "keys", "rotate")
	if code != 0 || !strings.Contains(out, "2 keys") || !strings.Contains(out, "1 subject keys re-wrapped") || !strings.Contains(out, "1 connections re-sealed") {
		t.Fatalf("rotate: %d %q %s", code, out, errs)
	}

	a, services = openServices(t, vars)
	defer a.Close()
	svc = services.Records
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
	after, err := a.store.Connection(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	// Tink puts the id of the sealing key in the first five bytes: a
	// connection re-sealed under the new primary starts differently.
	if string(after.URLSealed[:5]) == string(before.URLSealed[:5]) {
		t.Fatal("the connection URL is still sealed under the old key")
	}
	cs, err := services.DSR.Connections(ctx)
	if err != nil || len(cs) != 1 || cs[0].URL != "postgres://u:xxxxx@db.example/shop" {
		t.Fatalf("connections after rotation: %+v %v", cs, err)
	}
}
