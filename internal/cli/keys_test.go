package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
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
	a.Close()

	code, out, errs := run(t, vars, "keys", "rotate")
	if code != 0 || !strings.Contains(out, "2 keys") || !strings.Contains(out, "1 subject keys re-wrapped") {
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
}
