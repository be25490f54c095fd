package audit_test

import (
	"context"
	"testing"

	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestTrail reads the log the way the API and the console do: pages of
// entries, the count, and the verdict on the chain, which turns when an
// entry is edited under it.
func TestTrail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		keys := fill(t, s, 40, true)
		tr := audit.NewTrail(s, keys)
		n, err := tr.Count(ctx)
		if err != nil || n != 41 {
			t.Fatalf("count = %d, %v", n, err)
		}
		page, err := tr.Entries(ctx, 35, 10)
		if err != nil || len(page) != 6 || page[0].Seq != 36 || page[5].Seq != 41 {
			t.Fatalf("entries after 35 = %d, %v", len(page), err)
		}
		r, err := tr.Verify(ctx)
		if err != nil || !r.OK() || r.Entries != 41 {
			t.Fatalf("verify = %+v, %v", r, err)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE audit_log SET actor = 'someone' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		if r, err := tr.Verify(ctx); err != nil || r.OK() || r.BadSeq != 3 {
			t.Fatalf("verify after an edit = %+v, %v", r, err)
		}
		// A trail with other keys cannot vouch for the chain.
		if r, err := audit.NewTrail(s, audit.Keys{}).Verify(ctx); err != nil || r.OK() {
			t.Fatalf("verify without keys = %+v, %v", r, err)
		}
	})
}
