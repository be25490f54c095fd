package requests_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// categoryValue is the latest value of a category recorded for a person.
func (e *env) categoryValue(t *testing.T, email, category string) string {
	t.Helper()
	ctx := context.Background()
	sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.records.SubjectRecords(ctx, "test", "test", sid)
	if err != nil {
		t.Fatal(err)
	}
	v := ""
	for _, ev := range recs.Events {
		if ev.Category == category && ev.Value != nil {
			v = *ev.Value
		}
	}
	return v
}

// rawRequests is every column of every stored request, as text.
func rawRequests(t *testing.T, s *store.Store) string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT * FROM privacy_requests`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				b.Write(bs)
			} else {
				fmt.Fprint(&b, v)
			}
			b.WriteByte('|')
		}
	}
	return b.String()
}

// TestFreeTextSealed: an agent's name and proof and a denial's reason are
// stored sealed, under the person's key once the request is theirs, so
// erasing the person shreds them; rows written before are sealed at start.
// The free text of TestFreeTextSealed.
const (
	sealedAgent  = "Legal Aid Society of Springfield"
	sealedProof  = "Power of attorney signed by Ana Lopez on 1 February"
	sealedReason = "We could not confirm that Ana Lopez gave this permission."
)

func TestFreeTextSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		sealedUntilErased(t, e, s)
		sealedThroughMerge(t, e, s)
		sealedAtStartUp(t, e, s)
	})
}

// sealedUntilErased: an agent's name and proof, a denial's reason and a
// correction's values are sealed under the person's key, and shredded with
// it.
func sealedUntilErased(t *testing.T, e *env, s *store.Store) {
	ctx := context.Background()
	const agent, proof, reason = sealedAgent, sealedProof, sealedReason
	e.seed("ana@example.com", collected("user.name", "Ana"))
	v, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Email: "ana@example.com", Jurisdiction: "DE",
		Channel: "agent", AgentName: agent, AgentProof: proof})
	if err != nil || v.Agent != agent {
		t.Fatalf("on behalf = %+v, %v", v, err)
	}
	d, err := e.svc.Deny(ctx, "token:4", v.ID, "unverifiable", reason)
	if err != nil || d.Decision == nil || d.Decision.Text != reason || d.Agent != agent {
		t.Fatalf("deny = %+v, %v", d, err)
	}
	// A correction's values are the person's too.
	fix, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "correction", Email: "ana@example.com", Jurisdiction: "DE",
		Channel: "phone", Corrections: map[string]string{"user.name": "Ana Corrected-Surname"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(ctx, "token:4", fix.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.categoryValue(t, "ana@example.com", "user.name"); got != "Ana Corrected-Surname" {
		t.Fatalf("the correction from sealed details = %q", got)
	}
	checkNotInTheClear(t, e, s)
	sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Request(ctx, v.ID); r.PrivateKey != sid {
		t.Fatalf("sealed under %q, not the person's key %q", r.PrivateKey, sid)
	}
	// Erasing the person shreds the text with their key.
	if _, err := e.records.EraseSubject(ctx, "test", sid, "test"); err != nil {
		t.Fatal(err)
	}
	after, err := e.svc.Get(ctx, v.ID)
	if err != nil || after.Agent != "" || after.Decision == nil || after.Decision.Text != "" || after.Decision.Code != "unverifiable" {
		t.Fatalf("after erasure = %+v, %v", after, err)
	}
}

// checkNotInTheClear: no free text is stored in the clear, and the
// denial's mail still gives the person the reason.
func checkNotInTheClear(t *testing.T, e *env, s *store.Store) {
	t.Helper()
	const agent, proof, reason = sealedAgent, sealedProof, sealedReason
	raw := rawRequests(t, s)
	for _, secret := range []string{agent, proof, reason, "Ana Lopez", "Springfield", "Corrected-Surname"} {
		if strings.Contains(raw, secret) {
			t.Errorf("%q is stored in the clear", secret)
		}
	}
	// The denial's mail still gives the person the reason.
	found := false
	for _, m := range e.mails("ana@example.com") {
		b, _ := io.ReadAll(m.Body)
		if strings.Contains(string(b), "Ana Lopez gave this permission") {
			found = true
		}
	}
	if !found {
		t.Error("the denial mail lost its reason")
	}
}

// sealedThroughMerge: a merge of the person into another re-seals the text
// under the other's key.
func sealedThroughMerge(t *testing.T, e *env, s *store.Store) {
	ctx := context.Background()
	const agent, proof = sealedAgent, sealedProof
	// A merge of the person into another re-seals the text under the
	// other's key: Cy (by e-mail and phone) turns out to be Zed.
	record := func(ref custos.SubjectRef) {
		t.Helper()
		in := collected("user.name", "Cy")
		in.Subject = ref
		if _, err := e.records.Record(ctx, "test", in); err != nil {
			t.Fatal(err)
		}
	}
	record(custos.SubjectRef{Email: "cy@example.com", Phone: "+15005550006"})
	record(custos.SubjectRef{Email: "zed@example.com"})
	cy, _ := e.records.FindSubject(ctx, custos.SubjectRef{Email: "cy@example.com"})
	m, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Email: "cy@example.com", Jurisdiction: "DE",
		Channel: "agent", AgentName: agent, AgentProof: proof})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Request(ctx, m.ID); r.PrivateKey != cy {
		t.Fatalf("sealed under %q, not %q", r.PrivateKey, cy)
	}
	record(custos.SubjectRef{Email: "zed@example.com", Phone: "+15005550006"})
	zed, _ := e.records.FindSubject(ctx, custos.SubjectRef{Email: "cy@example.com"})
	if zed == cy {
		t.Fatal("no merge")
	}
	if got, err := e.svc.Get(ctx, m.ID); err != nil || got.Agent != agent {
		t.Fatalf("after a merge = %+v, %v", got, err)
	}
	if r, _ := s.Request(ctx, m.ID); r.PrivateKey != zed {
		t.Fatalf("after a merge sealed under %q, not %q", r.PrivateKey, zed)
	}
}

// sealedAtStartUp: a row written in the clear before sealing is sealed
// when the service starts.
func sealedAtStartUp(t *testing.T, e *env, s *store.Store) {
	ctx := context.Background()
	// A row written before sealing, in the clear, is sealed when the
	// service starts, and still reads.
	w, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Email: "bo@example.com", Jurisdiction: "DE", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE privacy_requests SET agent_name = $1, agent_proof = $2 WHERE id = $3`,
		"Old Agent Bureau", "Old proof of Bo Smith", w.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rawRequests(t, s), "Old proof of Bo Smith") {
		t.Fatal("the legacy row was not written")
	}
	restarted, err := requests.New(ctx, requests.Config{Store: s, Master: e.wired.Master, Records: e.records, Consent: e.consent,
		Policies: e.wired.Policies, Outbox: e.outbox, Log: e.wired.Audit, Clock: e.clock, BaseURL: "https://custos.example"})
	if err != nil {
		t.Fatal(err)
	}
	if raw := rawRequests(t, s); strings.Contains(raw, "Old Agent Bureau") || strings.Contains(raw, "Bo Smith") {
		t.Fatal("a legacy row kept its text in the clear after start-up")
	}
	if got, err := restarted.Get(ctx, w.ID); err != nil || got.Agent != "Old Agent Bureau" {
		t.Fatalf("legacy row after sealing = %+v, %v", got, err)
	}
}
