package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestUndeliverableMailShown: a message that failed for good is listed on
// the console's reports page with its reason, for operators to act on.
func TestUndeliverableMailShown(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	auditor := f.console(t).signIn(custos.RoleAuditor)
	if status, page := auditor.get("/admin/reports"); status != 200 || !strings.Contains(page, "No message has failed for good.") {
		t.Fatalf("reports before: %d %.300s", status, mainOf(page))
	}
	var id string
	if err := f.store.InTx(ctx, func(tx *store.Tx) (err error) {
		id, err = f.outbox.Enqueue(ctx, tx, mail.Message{To: "not an address", From: "Custos <custos@example.com>", Subject: "x", Text: "x"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.outbox.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	status, page := auditor.get("/admin/reports")
	if status != 200 || !strings.Contains(page, `data-custos-message="`+id+`"`) || !strings.Contains(page, "invalid To address") {
		t.Fatalf("reports after: %d %.2000s", status, mainOf(page))
	}
}
