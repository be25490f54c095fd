package requests

import (
	"testing"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/internal/i18n/i18ntest"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
)

// TestSayUsesKnownKeys reads this package's code for calls of say: each
// key must be in the catalogue (a counted one with its .one and .other
// forms) and be given exactly the placeholders its messages have, so that
// no answer is sealed with a message the page cannot write. A key built
// from a stem ("answer.action.told."+action) must exist for every end it
// can have (builtKeys).
func TestSayUsesKnownKeys(t *testing.T) {
	t.Parallel()
	calls := i18ntest.CheckCalls(t, ".", "say", func(stem string) ([]string, bool) {
		ends, ok := builtKeys[stem]
		return ends, ok
	})
	if calls < 30 {
		t.Errorf("found %d calls of say: the scan is wrong", calls)
	}
}

// builtKeys are the ends a key built from each stem can have.
var builtKeys = map[string][]string{
	"answer.action.told.":       {mail.NoticeErase, mail.NoticeRectify, mail.NoticeRestrict},
	"answer.action.notice_due.": {mail.NoticeErase, mail.NoticeRectify, mail.NoticeRestrict},
	"answer.ground.":            policy.GroundKeys(),
}

// Every legal ground a rule may name has its words in the catalogue, and
// the English there is the law table's, word for word: the JSON's ground
// and the English page say the same.
func TestGroundsTranslated(t *testing.T) {
	t.Parallel()
	for _, key := range policy.GroundKeys() {
		g, _ := policy.GroundOf(key)
		en, ok := i18n.Lookup(i18n.English, "answer.ground."+key)
		if !ok || en != g.Words {
			t.Errorf("answer.ground.%s = %q (%v), the law table says %q", key, en, ok, g.Words)
		}
	}
}

// A message is written with its fills as each kind is: numbers grouped,
// days in running text, terms translated, counts choosing the form; one
// the catalogue lacks falls back to the English beside it.
func TestMessageText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, lang string
		m          *Message
		want       string
		ok         bool
	}{
		{"count one", "de", say("answer.action.erased_own", "count", 1), "1 Datensatz über Sie wurde gelöscht und der Schlüssel, der ihn schützte, vernichtet.", true},
		{"count many, grouped", "de", say("answer.action.erased_own", "count", int64(12345)), "12.345 Datensätze über Sie wurden gelöscht und der Schlüssel, der sie schützte, vernichtet.", true},
		{"French zero is singular", "fr", say("answer.action.erased_system", "count", 0, "system", "shop:customer"), "0 enregistrement vous concernant dans shop:customer a été effacé.", true},
		{"a day in running text", "es", say("answer.period.range", "from", mustDay(t, "2025-01-01"), "to", mustDay(t, "2026-03-06")), "del 1 de enero de 2025 al 6 de marzo de 2026", true},
		{"a name as written", "fr", say("answer.period.calendar_year", "year", itoa(2025)), "année civile 2025", true},
		{"unknown key", "es", &Message{Key: "answer.summary.from_a_later_version"}, "", false},
		{"no message", "es", nil, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := c.m.Text(c.lang)
			if got != c.want || ok != c.ok {
				t.Fatalf("Text(%s) = %q, %v; want %q, %v", c.lang, got, ok, c.want, c.ok)
			}
			if !ok && Say(c.lang, "The English.", c.m) != "The English." {
				t.Fatal("Say does not fall back to the English")
			}
		})
	}
}

// An action added to a package sealed before messages (an instruction's
// rows added to an old answer) keeps the two lists in step: the old
// actions read in English, the new one in the page's language.
func TestActOnAnOldPackage(t *testing.T) {
	t.Parallel()
	p := Package{Actions: []string{"3 records about you were deleted and the key that protected them destroyed."}}
	p.act("Corrected Name.", say("answer.action.corrected_category", "category", "Name"))
	if len(p.ActionMessages) != 2 || p.ActionMessages[0].Key != "" {
		t.Fatalf("messages %+v", p.ActionMessages)
	}
	if got := p.ActionText("de", 0); got != p.Actions[0] {
		t.Fatalf("old action = %q", got)
	}
	if got := p.ActionText("de", 1); got != "Berichtigt: Name." {
		t.Fatalf("new action = %q", got)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A connected system's note of several sentences is said sentence by
// sentence in the page's language, and in English as the note was joined;
// one with a sentence the catalogue does not know falls back whole.
func TestSystemMessageParts(t *testing.T) {
	t.Parallel()
	m := systemMessage(connected.Message{Parts: []connected.Message{
		{Key: "answer.system.shared.kept", Numbers: map[string]int64{"count": 2}},
		{Key: "answer.system.retained", Args: map[string]string{"fields": "time"}},
	}})
	cases := []struct {
		lang, want string
	}{
		{"en", "2 rows kept: other people's records refer to them. Kept by the policy's erasure rules: time."},
		{"de", "2 Zeilen aufbewahrt: Datensätze anderer Personen verweisen darauf. Nach den Löschregeln der Richtlinie aufbewahrt: time."},
		{"fr", "2 lignes conservées : des enregistrements d’autres personnes y renvoient. Conservé par les règles d’effacement de la politique : time."},
	}
	for _, c := range cases {
		if got, ok := m.Text(c.lang); !ok || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.lang, got, ok, c.want)
		}
	}
	if systemMessage(connected.Message{}) != nil {
		t.Error("no note made a message")
	}
	unknown := systemMessage(connected.Message{Parts: []connected.Message{{Key: "answer.system.retained", Args: map[string]string{"fields": "x"}}, {Key: "answer.system.later"}}})
	if got := Say("es", "the English note", unknown); got != "the English note" {
		t.Errorf("a note with an unknown sentence says %q", got)
	}
}
