package requests_test

import (
	"bytes"
	"context"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// decoded is a delivered message's body, quoted-printable undone.
func decoded(t *testing.T, ms []*mail.Message) (subject, body string) {
	t.Helper()
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1", len(ms))
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(quotedprintable.NewReader(ms[0].Body)); err != nil {
		t.Fatal(err)
	}
	return ms[0].Header.Get("Subject"), b.String()
}

// TestRecipientNoticeInItsLanguage: a recipient's erasure notice is in the
// language the policy gives for it (notify_language), and in English
// without one, whatever language the person wrote in: here Spanish, which
// neither recipient gets.
func TestRecipientNoticeInItsLanguage(t *testing.T) {
	t.Parallel()
	const fr, en = "notices@marketers.example", "privacy@affiliates.example"
	yml := policy.Bundled()
	for key, add := range map[string]string{
		"  - key: third_party_marketers\n":                                 "    notify_email: " + fr + "\n    notify_language: fr\n",
		"  - key: affiliates\n    name: \"Affiliates and subsidiaries\"\n": "    notify_email: " + en + "\n", // the recipient, not the source
	} {
		if !bytes.Contains(yml, []byte(key)) {
			t.Fatalf("the bundled policy no longer has %q", key)
		}
		yml = bytes.Replace(yml, []byte(key), []byte(key+add), 1)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnvWith(t, s, yml)
		ctx := context.Background()
		e.seed("gone@example.com", collected("user.contact.address", "1 Road"),
			records.Input{Kind: "disclosure", Category: "user.contact.address", Recipient: "third_party_marketers", Purpose: "third_party_sharing"},
			records.Input{Kind: "disclosure", Category: "user.contact.address", Recipient: "affiliates", Purpose: "third_party_sharing"})
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "gone@example.com", Jurisdiction: "DE", Language: "es"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		subject, body := decoded(t, e.mails(fr))
		for _, want := range []string{"Demande d'effacement de données personnelles", "E-mail : gone@example.com", "Veuillez effacer"} {
			if !strings.Contains(subject+"\n"+body, want) {
				t.Errorf("the French notice lacks %q:\n%s\n%s", want, subject, body)
			}
		}
		subject, body = decoded(t, e.mails(en))
		for _, want := range []string{"Request to erase personal data", "E-mail: gone@example.com", "Please erase"} {
			if !strings.Contains(subject+"\n"+body, want) {
				t.Errorf("the English notice lacks %q:\n%s\n%s", want, subject, body)
			}
		}
		if strings.Contains(body, "Solicitud") || strings.Contains(body, "supresión") {
			t.Errorf("the notice took the person's language:\n%s", body)
		}
	})
}

// TestControllerNoticeInItsLanguage: a controller's notice is in the
// language its contact declares, the request it tells of in that
// language's words, whatever language the person wrote in.
func TestControllerNoticeInItsLanguage(t *testing.T) {
	t.Parallel()
	german := strings.Replace(acmeController, "        email: dpo@acme.example\n", "        email: dpo@acme.example\n        language: de\n", 1)
	if german == acmeController {
		t.Fatal("acmeController changed: no contact to add a language to")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _ := processorEnvWith(t, s, german)
		ctx := context.Background()
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "ana@example.com", Jurisdiction: "GB", Language: "es"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		e.completed(v.ID)
		subject, body := decoded(t, e.mails("dpo@acme.example"))
		for _, want := range []string{"Eine Datenschutzanfrage zu Daten, die wir für Sie verarbeiten", "die Löschung ihrer personenbezogenen Daten",
			"E-Mail: ana@example.com", "DPA-2026-7", v.ID} {
			if !strings.Contains(subject+"\n"+body, want) {
				t.Errorf("the German notice lacks %q:\n%s\n%s", want, subject, body)
			}
		}
	})
}
