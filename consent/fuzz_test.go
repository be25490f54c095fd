package consent

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/custos-privacy/custos"
)

// FuzzChoice: any consent body decodes and its scopes and IAB strings map
// to choices of the policy or to a coded error naming the field, never a
// panic.
func FuzzChoice(f *testing.F) {
	for _, s := range []string{
		`{"subject":{"email":"a@example.com"},"purpose":"marketing.communications.email","granted":true,"jurisdiction":"DE","method":"web_form"}`,
		`{"device_id":"abcdefgh12","jurisdiction":"US-CA","gpc":true}`,
		`{"subject":{"email":"a@example.com"},"jurisdiction":"US-VA","gpp":"DBABRgA~bSFgmiU"}`,
		`{"subject":{"email":"a@example.com"},"jurisdiction":"DE","tcf":"CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"}`,
		`{"scopes":[{"scope":"sale_sharing","granted":false}],"jurisdiction":"US"}`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	m := bundled(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Choice
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&c) != nil {
			return
		}
		choices, err := iabScopes(m, c.TCF, c.GPP)
		if err != nil {
			if e := custos.AsError(err); e.Kind != custos.KindInvalid || e.Code == "" || (e.Field != "tcf" && e.Field != "gpp") {
				t.Fatalf("IAB error not coded: %#v", e)
			}
			return
		}
		for _, ch := range append(choices, c.Scopes...) {
			if err := checkScope(m, ch.Scope); err != nil {
				if e := custos.AsError(err); e.Code == "" || e.Message == "" {
					t.Fatalf("scope error not coded: %#v", e)
				}
			}
		}
		for _, ch := range choices {
			if checkScope(m, ch.Scope) != nil {
				t.Fatalf("an IAB string mapped to %q, which the policy does not accept", ch.Scope)
			}
		}
	})
}
