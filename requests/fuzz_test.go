package requests

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/custos-privacy/custos"
)

// FuzzIntake: any body decodes and checks to a normalised address, a
// coded 400 naming the field, or a 422 invalid_email, never a panic.
func FuzzIntake(f *testing.F) {
	for _, s := range []string{
		`{"type":"access","email":"a@example.com","jurisdiction":"US-CA"}`,
		`{"type":"correction","email":"A@B.CO","jurisdiction":"DE","corrections":{"user.name":"x"}}`,
		`{"type":"appeal","email":"a@example.com","jurisdiction":"US-VA","appeal_of":"req_1"}`,
		`{"type":"deletion","email":"@","jurisdiction":"ZZ"}`, `{}`, `[]`, `{"corrections":{"":""}}`,
	} {
		f.Add([]byte(s))
	}
	s := &Service{}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in Intake
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		email, err := s.check(in)
		if err == nil {
			if email == "" || len(in.Type) == 0 {
				t.Fatalf("accepted %+v as %q", in, email)
			}
			return
		}
		e := custos.AsError(err)
		if e.Code == CodeInvalidEmail && e.Kind == custos.KindUnprocessable && e.Field == "email" {
			return // an address with control characters or not UTF-8: 422
		}
		if e.Kind != custos.KindInvalid || e.Code == "" || e.Field == "" {
			t.Fatalf("not a coded field error: %#v", e)
		}
	})
}
