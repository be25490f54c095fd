package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/records"
)

func (s *server) recordEvent(w http.ResponseWriter, r *http.Request) {
	var in records.Input
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.Records.Record(r.Context(), auth.Actor(tokenFrom(r.Context())), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, map[string]any{"id": id})
}

func (s *server) recordBatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Events []records.Input `json:"events"`
	}
	if err := httpjson.DecodeWith(w, r, &body, httpjson.Limits{Bytes: maxBatchBody}); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Records.RecordBatch(r.Context(), auth.Actor(tokenFrom(r.Context())), body.Events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"accepted": n})
}

// maxBatchBody fits records.MaxBatch events of ordinary size.
const maxBatchBody = 32 << 20

type contractJSON struct {
	ID        int64      `json:"id"`
	Recipient string     `json:"recipient"`
	Vendor    string     `json:"vendor,omitempty"`
	SignedAt  time.Time  `json:"signed_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func (s *server) addContract(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Recipient string     `json:"recipient"`
		Vendor    string     `json:"vendor"`
		SignedAt  *time.Time `json:"signed_at"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := httpjson.Required("recipient", in.Recipient); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := custos.Contract{Recipient: in.Recipient, Vendor: in.Vendor, SignedAt: s.Clock.Now(), ExpiresAt: in.ExpiresAt}
	if in.SignedAt != nil {
		c.SignedAt = *in.SignedAt
	}
	c, err := s.Records.AddContract(r.Context(), auth.Actor(tokenFrom(r.Context())), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, contractJSON(c))
}

func (s *server) listContracts(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Records.Contracts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]contractJSON, len(cs))
	for i, c := range cs {
		out[i] = contractJSON(c)
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"contracts": out})
}

// subjectRecords shows an operator what Custos holds about a person; the
// read is audited under the operator's token. Privacy officers and admins
// see the values decrypted; agents, who answer people but do not decide on
// their data, see what is held (kinds, categories, sources, purposes,
// dates) with every value masked.
func (s *server) subjectRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref := custos.SubjectRef{Email: q.Get("email"), Phone: q.Get("phone"), ExternalID: q.Get("external_id")}
	tok := tokenFrom(r.Context())
	actor := auth.Actor(tok)
	id, err := s.Records.FindSubject(r.Context(), ref)
	if errors.Is(err, custos.ErrNotFound) {
		s.writeError(w, r, custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "No person with that identity is on record."))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !auth.Can(tok.Role, auth.ReadSubjectValues) {
		held, err := s.Records.SubjectHoldings(r.Context(), actor, "operator lookup", id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, held)
		return
	}
	recs, err := s.Records.SubjectRecords(r.Context(), actor, "operator lookup", id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, struct {
		records.Records
		Masked bool `json:"masked"`
	}{recs, false})
}
