package requests_test

import (
	"bytes"
	"context"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestArt19NoticesAfterCorrectionAndRestriction: GDPR Art. 19 ("The
// controller shall communicate any rectification or erasure of personal
// data or restriction of processing carried out in accordance with
// Article 16, Article 17(1) and Article 18 to each recipient to whom the
// personal data have been disclosed ... The controller shall inform the
// data subject about those recipients if the data subject requests it"):
// a correction and a restriction are mailed to the recipient like an
// erasure, and the person's answer names the recipient.
func TestArt19NoticesAfterCorrectionAndRestriction(t *testing.T) {
	t.Parallel()
	const to = "notices@marketers.example"
	yml := policy.Bundled()
	key := []byte("  - key: third_party_marketers\n")
	if !bytes.Contains(yml, key) {
		t.Fatal("the bundled policy no longer has third_party_marketers")
	}
	yml = bytes.Replace(yml, key, append(bytes.Clone(key), []byte("    notify_email: "+to+"\n")...), 1)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnvWith(t, s, yml)
		ctx := context.Background()
		disclosed := records.Input{Kind: "disclosure", Category: "user.contact.address", Recipient: "third_party_marketers", Purpose: "third_party_sharing"}
		for _, tt := range []struct {
			name, email, subject, body string
			in                         requests.Intake
		}{
			{"correction", "fix@example.com", "Request to correct personal data", "2 Right Road",
				requests.Intake{Type: "correction", Jurisdiction: "DE", Corrections: map[string]string{"user.contact.address": "2 Right Road"}}},
			{"restriction", "freeze@example.com", "Request to restrict the processing of personal data", "no longer otherwise use",
				requests.Intake{Type: "restriction", Jurisdiction: "DE"}},
			{"deletion", "gone@example.com", "Request to erase personal data", "Please erase",
				requests.Intake{Type: "deletion", Jurisdiction: "DE"}},
		} {
			e.seed(tt.email, collected("user.contact.address", "1 Wrong Road"), disclosed)
			tt.in.Email = tt.email
			before := len(e.mails(to))
			v := e.submitAndVerify(tt.in)
			if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			ms := e.mails(to)
			if len(ms) != before+1 {
				t.Fatalf("%s: %d notices to the recipient, want 1", tt.name, len(ms)-before)
			}
			m := ms[len(ms)-1]
			if subj := m.Header.Get("Subject"); !strings.Contains(subj, tt.subject) || !strings.Contains(subj, v.ID) {
				t.Errorf("%s: notice subject %q", tt.name, subj)
			}
			var body bytes.Buffer
			// The parts are quoted-printable: decoded, no soft line
			// break splits a value.
			if _, err := body.ReadFrom(quotedprintable.NewReader(m.Body)); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body.String(), tt.body) || !strings.Contains(body.String(), tt.email) {
				t.Errorf("%s: notice body lacks %q or the identifier:\n%s", tt.name, tt.body, body.String())
			}
			p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(p.Actions, " "), "We told Third-party marketers") {
				t.Errorf("%s: the answer does not name the recipient told: %+v", tt.name, p.Actions)
			}
		}
	})
}
