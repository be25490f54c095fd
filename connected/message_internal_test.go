package connected

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n/i18ntest"
)

// TestNotesUseKnownKeys reads this package's code for calls of note: each
// key must be in the catalogue in every language (a counted one with its
// .one and .other forms) and be given exactly the placeholders its
// messages have, so that no answer is sealed with a note the page cannot
// write. A key built from a stem and a phase's verb must exist for both
// verbs.
func TestNotesUseKnownKeys(t *testing.T) {
	t.Parallel()
	calls := i18ntest.CheckCalls(t, ".", "note", func(stem string) ([]string, bool) {
		return []string{verbOf(PhaseErasure), verbOf(PhaseCorrection)}, true
	})
	if calls < 8 {
		t.Errorf("found %d calls of note: the scan is wrong", calls)
	}
}

// A note of two sentences is one message of both, as the English notes are
// joined; it survives the task's column as it was made, and a task from
// before messages has none.
func TestMessageJoinAndStore(t *testing.T) {
	t.Parallel()
	shared := note("answer.system.shared.kept", "count", 2)
	kept := note("answer.system.retained", "fields", "time")
	cases := []struct {
		name string
		m    Message
		want Message
	}{
		{"nothing and a note", (Message{}).and(kept), kept},
		{"a note and nothing", kept.and(Message{}), kept},
		{"two notes", shared.and(kept), Message{Parts: []Message{shared, kept}}},
		{"three notes stay flat", shared.and(kept).and(shared), Message{Parts: []Message{shared, kept, shared}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !reflect.DeepEqual(c.m, c.want) {
				t.Fatalf("got %+v, want %+v", c.m, c.want)
			}
			if got := decodeMessage(c.m.encode()); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("stored and read back %+v, want %+v", got, c.want)
			}
		})
	}
	if (Message{}).encode() != "" || !decodeMessage("").zero() || !decodeMessage("{not json").zero() {
		t.Fatal("an empty or unreadable message is not none")
	}
	var asJSON map[string]any
	if err := json.Unmarshal([]byte(shared.encode()), &asJSON); err != nil || asJSON["key"] != "answer.system.shared.kept" {
		t.Fatalf("stored as %s (%v)", shared.encode(), err)
	}
}
