package policy

import "testing"

func TestChangeWords(t *testing.T) {
	t.Parallel()
	old := &Manifest{Recipients: []Recipient{{Key: "ads", Name: "Advertising partners"}}}
	new := &Manifest{Recipients: []Recipient{{Key: "ads", Name: "Advertising partners"}, {Key: "data_brokers", Name: "Data brokers"}},
		Purposes: []Purpose{{Key: "marketing.advertising", Name: "Advertising"}}}
	for _, c := range []struct {
		change Change
		want   string
	}{
		{Change{Material: true, Section: "recipients", Key: "data_brokers", What: "new recipient"}, "Who we share it with — Data brokers: new recipient"},
		{Change{Material: true, Section: "recipients", Key: "ads", What: "sale_or_share false → true"}, "Who we share it with — Advertising partners: sold or shared: no becomes yes"},
		{Change{Material: true, Section: "purposes", Key: "marketing.advertising", What: "new purpose"}, "How we use it — Advertising: new purpose"},
		{Change{Material: false, Section: "recipients", Key: "gone_away", What: "recipient removed"}, "Who we share it with — gone away: recipient removed"},
		{Change{Material: true, Section: "rights", What: "fewer requests"}, "Your rights: fewer requests"},
	} {
		if got := c.change.Words(old, new); got != c.want {
			t.Errorf("%v: Words = %q, want %q", c.change, got, c.want)
		}
	}
}
