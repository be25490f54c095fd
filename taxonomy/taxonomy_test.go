package taxonomy

import "testing"

func TestLoad(t *testing.T) {
	t.Parallel()
	tx, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		v    *Vocabulary
		key  string
		want bool
	}{
		{tx.Categories, "user.contact.email", true},
		{tx.Categories, "user.device.cookie_id", true},
		{tx.Categories, "user.contact.emial", false},
		{tx.Uses, "marketing.communications.email", true},
		{tx.Uses, "third_party_sharing", true},
		{tx.Uses, "essential.service.operations.support", true},
		{tx.Uses, "marketing.telepathy", false},
		{tx.Subjects, "customer", true},
		{tx.Subjects, "martian", false},
	}
	for _, c := range cases {
		if got := c.v.Has(c.key); got != c.want {
			t.Errorf("%s Has(%q) = %v", c.v.Name, c.key, got)
		}
	}
	if n := len(tx.Categories.Keys()); n != 85 {
		t.Errorf("%d categories, want the 85 of fideslang", n)
	}
	if term, _ := tx.Categories.Term("user.contact.email"); term.Parent != "user.contact" || term.Name == "" {
		t.Errorf("term = %+v", term)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tx := MustLoad()
	got := tx.Categories.Suggest("user.contact.emial")
	if len(got) == 0 || got[0] != "user.contact.email" {
		t.Fatalf("Suggest = %v", got)
	}
}
