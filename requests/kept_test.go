package requests_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// The answer to a deletion lists what the policy's erasure rules kept,
// why (the company's reason, the ground in words, the provisions) and until
// when, in JSON and in the HTML answer; the rest is gone.
func TestDeletionAnswerListsWhatWasKept(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		order := collected("user.behavior.purchase_history", "order 4411: training seat")
		card := collected("user.financial.credit_card", "4111111111111111")
		card.Purpose = "essential.service.payment_processing"
		e.seed("kept@example.com", collected("user.name", "Kip"), order, card)
		sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "kept@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "kept@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		until := e.clock.Now().AddDate(7, 0, 0).Format("2006-01-02")
		i := slices.IndexFunc(p.Kept, func(k requests.Kept) bool { return strings.HasPrefix(k.What, "Purchase history") })
		if i < 0 {
			t.Fatalf("the purchase history is not among what was kept: %+v", p.Kept)
		}
		k := p.Kept[i]
		if k.Until != until || !strings.Contains(k.Why, "Tax and accounting law") || k.Ground != "A law requires us to keep it." ||
			!slices.Contains(k.Citations, "GDPR Art. 17(3)(b)") || !slices.Contains(k.Citations, "Cal. Civ. Code §1798.105(d)(8)") {
			t.Fatalf("kept = %+v", k)
		}
		for _, k := range p.Kept {
			if strings.Contains(k.What, "Payment card") || strings.Contains(k.What, "Name") {
				t.Fatalf("an erased category is listed as kept: %+v", k)
			}
		}
		js, _ := json.Marshal(p)
		if !bytes.Contains(js, []byte(`"until":"`+until+`"`)) || !bytes.Contains(js, []byte(`"citations":["GDPR Art. 17(3)(b)"`)) {
			t.Fatalf("JSON answer: %s", js)
		}
		// The page the person reads says it too: what, why, the ground in
		// words, the provisions and until when.
		html := answerPage(t, e.wired.Policies, p)
		// The day is written out as the page's language writes one.
		untilWords := i18n.Date("en", e.clock.Now().AddDate(7, 0, 0))
		for _, want := range []string{", kept until " + untilWords, "GDPR Art. 17(3)(b); Cal. Civ. Code §1798.105(d)(8)", "Tax and accounting law", " — A law requires us to keep it."} {
			if !strings.Contains(html, template.HTMLEscapeString(want)) {
				t.Fatalf("HTML answer lacks %q:\n%s", want, html)
			}
		}
		// What was kept stays readable to the company; nothing else does.
		got, err := e.records.RetainedRecords(ctx, "officer", "tax audit", sid)
		if err != nil || len(got) != 1 || *got[0].Value != "order 4411: training seat" {
			t.Fatalf("retained = %+v, %v", got, err)
		}
	})
}
