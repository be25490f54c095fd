package records_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// The bundled policy reserves user.content (Customer Content) and
// user.authorization (access logs) to its "customers" controller.
func TestControllerEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ana := custos.SubjectRef{Email: "ana@example.com"}
		cc := func(category, controller, purpose string) records.Input {
			return records.Input{Kind: "collection", Subject: ana, Category: category, Purpose: purpose,
				Controller: controller, Value: str("ticket #4411: printer on fire")}
		}
		refusals := []struct {
			name  string
			in    records.Input
			code  string
			field string
		}{
			{"reserved without controller", cc("user.content", "", "essential.service"), records.CodeControllerRequired, "event.controller"},
			{"log data without controller", collect(ana, "user.authorization", "login ok"), records.CodeControllerRequired, "event.controller"},
			{"undeclared controller", cc("user.content", "acme", "essential.service"), records.CodeUndeclaredController, "event.controller"},
			{"category outside the agreement", cc("user.contact.email", "customers", "essential.service"), records.CodeNotCovered, "event.category"},
			{"use outside the agreement", cc("user.content", "customers", "marketing.advertising"), records.CodeNotCovered, "event.purpose"},
		}
		for _, r := range refusals {
			_, err := e.svc.Record(ctx, "test", r.in)
			var ce *custos.Error
			if !errors.As(err, &ce) || ce.Code != r.code || ce.Field != r.field || ce.Kind != custos.KindUnprocessable {
				t.Errorf("%s: err = %v, want %s at %s (422)", r.name, err, r.code, r.field)
			}
		}
		if _, err := e.svc.Record(ctx, "test", collect(ana, "user.contact.email", "ana@example.com")); err != nil {
			t.Fatal(err)
		}
		// Customer Content needs no source from the company's notice: the
		// controller's agreement, not the notice, is what it is checked
		// against.
		if _, err := e.svc.Record(ctx, "test", cc("user.content", "customers", "essential.service")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Record(ctx, "test", cc("user.authorization", "customers", "essential.service.security")); err != nil {
			t.Fatal(err)
		}
		sid, err := e.svc.FindSubject(ctx, ana)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.SubjectEvents(ctx, sid)
		if err != nil || len(rows) != 3 {
			t.Fatalf("events = %d, %v", len(rows), err)
		}
		for _, r := range rows[1:] {
			if r.Controller != "customers" || r.Sealed == nil || bytes.Contains(r.Sealed, []byte("printer")) {
				t.Errorf("Customer Content event %+v: want controller customers and a sealed value", r.Event)
			}
		}
		if rows[0].Controller != "" {
			t.Errorf("own event has controller %q", rows[0].Controller)
		}

		p, _, err := e.reg.Active(ctx)
		if err != nil {
			t.Fatal(err)
		}
		from, to := e.clock.Now().AddDate(-1, 0, 0), e.clock.Now().Add(time.Hour)
		facts, err := s.EventFacts(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]any{
			"California statement": records.CCPAReport(p.Manifest, facts, from, to),
			"Article 30(1) record": records.RoPA(p.Manifest, facts, from, to),
		} {
			js, _ := json.Marshal(v)
			if !bytes.Contains(js, []byte(`"user.contact.email"`)) {
				t.Errorf("%s leaves out the company's own data: %s", name, js)
			}
			for _, c := range []string{`"user.content"`, `"user.authorization"`} {
				if bytes.Contains(js, []byte(c)) {
					t.Errorf("%s lists Customer Content %s: %s", name, c, js)
				}
			}
		}
		acts := records.ProcessorRecord(p.Manifest, facts, from, to)
		if len(acts) != 1 {
			t.Fatalf("processor record = %+v", acts)
		}
		a := acts[0]
		if a.Controller.Key != "customers" || !a.Declared || a.Events != 2 || len(a.CategoriesRecorded) != 2 ||
			a.CategoriesRecorded[0].Key != "user.authorization" || a.CategoriesRecorded[1].Key != "user.content" ||
			a.Processor.Name != "IMAJine Legal Solutions, Inc." || a.Agreement == nil || a.Agreement.Reference == "" ||
			len(a.SecurityMeasures) == 0 || len(a.Processing) == 0 || a.Transfers[0] != records.TransfersNone {
			t.Fatalf("processor record entry = %+v", a)
		}
		var buf bytes.Buffer
		if err := records.ProcessorCSV(&buf, acts); err != nil {
			t.Fatal(err)
		}
		table, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(table) != 2 || strings.Join(table[0], ",") != strings.Join(records.ProcessorHeader, ",") {
			t.Fatalf("CSV = %q, %v", table, err)
		}
		if row := table[1]; row[0] != "customers" || row[11] != "user.authorization: 1; user.content: 1" || row[15] != "2" {
			t.Fatalf("CSV row = %q", row)
		}
	})
}

func TestProcessorRecordUndeclaredController(t *testing.T) {
	t.Parallel()
	facts := []store.Fact{
		{Kind: "collection", Category: "user.name", Purpose: "essential.service", Events: 4, Subjects: 2},
		{Controller: "gone", Kind: "collection", Category: "user.content", Purpose: "essential.service", Events: 3, Subjects: 1},
	}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	acts := records.ProcessorRecord(nil, facts, from, to)
	if len(acts) != 1 || acts[0].Controller.Key != "gone" || acts[0].Declared || acts[0].Events != 3 {
		t.Fatalf("acts = %+v", acts)
	}
	if own := records.OwnFacts(facts); len(own) != 1 || own[0].Controller != "" {
		t.Fatalf("OwnFacts = %+v", own)
	}
}
