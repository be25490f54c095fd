package web

import "testing"

// The audit page names what an entry is about and why a request was
// denied in words; the raw keys stay beside them on the page.
func TestAuditWords(t *testing.T) {
	t.Parallel()
	names := map[string]string{"token:2": "Ana (privacy_officer)"}
	for _, tc := range []struct{ object, want string }{
		{"request:01HX", "Request 01HX"},
		{"subject:5f0c", "Person 5f0c"},
		{"token:2", "Ana (privacy_officer)"},
		{"token:9", "Token 9"},
		{"policy:3", "Policy version 3"},
		{"sweep:12", "Retention sweep 12"},
		{"connections", "Connections"},
		{"gadget:x_1", "Gadget x_1"},
	} {
		if got := objectWord(names, tc.object); got != tc.want {
			t.Errorf("objectWord(%q) = %q, want %q", tc.object, got, tc.want)
		}
	}
	for _, tc := range []struct{ action, detail, want string }{
		{"request.denied", `{"note":"exempt","status":"denied"}`, "exempt"},
		{"request.denied", `not json`, ""},
		{"request.approved", `{"note":"exempt"}`, ""},
		{"request.denied", "", ""},
	} {
		if got := decisionOf(tc.action, tc.detail); got != tc.want {
			t.Errorf("decisionOf(%q, %q) = %q, want %q", tc.action, tc.detail, got, tc.want)
		}
	}
	for code, want := range map[string]string{"exempt": "An exemption in the law applies", "answered": "Answered",
		"unverifiable": "Identity could not be verified", "new_reason": "New reason"} {
		if got := decisionWord(code); got != want {
			t.Errorf("decisionWord(%q) = %q, want %q", code, got, want)
		}
	}
	if got := actionWord("subject.erase_for"); got != "Subject erase for" {
		t.Errorf("actionWord = %q", got)
	}
}
