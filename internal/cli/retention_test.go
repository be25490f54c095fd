package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/records"
)

func TestRetentionAndHoldCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, vars := dataDir(t)
	a, services := openServices(t, vars)
	recs := services.Records
	old := time.Now().AddDate(0, -3, 0)
	for _, email := range []string{"gone@example.com", "kept@example.com"} {
		v := "51.5,-0.1"
		if _, err := recs.Record(ctx, "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: email},
			Category: "user.location.precise", Source: "online_channels", Purpose: "essential.service", Value: &v, OccurredAt: &old}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	if code, out, errs := run(t, vars, "hold", "add", "--email", "kept@example.com", "--reason", "Case 26-1"); code != 0 || !strings.Contains(out, "hold 1 placed") {
		t.Fatalf("hold add: %d %q %s", code, out, errs)
	}
	code, out, errs := run(t, vars, "retention", "sweep", "--dry-run")
	if code != 0 || !strings.Contains(out, "user.location.precise") || !strings.Contains(out, "dry run: nothing was erased") {
		t.Fatalf("dry run: %d %q %s", code, out, errs)
	}
	code, out, errs = run(t, vars, "retention", "sweep")
	if code != 0 || !strings.Contains(out, "erased 1 records; 1 people") {
		t.Fatalf("sweep: %d %q %s", code, out, errs)
	}
	if code, out, _ := run(t, vars, "hold", "list"); code != 0 || !strings.HasPrefix(out, "ID") || !strings.Contains(lineOf(out, "Case 26-1"), "standing") {
		t.Fatalf("hold list: %d %q", code, out)
	}
	var hs []struct {
		ID     int64  `json:"id"`
		Reason string `json:"reason"`
	}
	if code, out, _ := run(t, vars, "hold", "list", "--json"); code != 0 || json.Unmarshal([]byte(out), &hs) != nil || len(hs) != 1 || hs[0].Reason != "Case 26-1" {
		t.Fatalf("hold list --json: %d %q", code, out)
	}
	if code, out, _ := run(t, vars, "hold", "release", "--email", "kept@example.com"); code != 0 || !strings.Contains(out, "1 hold(s) released") {
		t.Fatalf("hold release: %d %q", code, out)
	}
	if code, out, _ := run(t, vars, "retention", "sweep", "--now", "2030-01-01T00:00:00Z"); code != 0 || !strings.Contains(out, "erased 1 records") {
		t.Fatalf("sweep after release: %d %q", code, out)
	}
	if code, _, errs := run(t, vars, "retention", "sweep", "--now", "tomorrow"); code != 2 || !strings.Contains(errs, "RFC 3339") {
		t.Fatalf("bad --now: %d %s", code, errs)
	}
	if code, out, _ := run(t, vars, "audit", "verify"); code != 0 || !strings.Contains(out, "ok ") {
		t.Fatalf("audit: %d %s", code, out)
	}
}
