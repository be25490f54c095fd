package audit

import (
	"context"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// Trail reads the log: its entries, their number and whether the chain
// holds. The Log writes inside the transactions of the changes it records;
// reading needs the store and the keys that verify, so it is its own
// small service for the API and the console.
type Trail struct {
	store *store.Store
	keys  Keys
}

// NewTrail returns a reader of the log in s, verified with keys.
func NewTrail(s *store.Store, keys Keys) *Trail {
	return &Trail{store: s, keys: keys}
}

// Entries returns up to limit entries after entry number after, in order.
func (t *Trail) Entries(ctx context.Context, after int64, limit int) ([]custos.AuditEntry, error) {
	return t.store.AuditEntries(ctx, after, limit)
}

// Count is the number of entries in the log.
func (t *Trail) Count(ctx context.Context) (int64, error) {
	return t.store.CountAuditEntries(ctx)
}

// Verify checks the whole chain (see Verify).
func (t *Trail) Verify(ctx context.Context) (Report, error) {
	return Verify(ctx, t.store, t.keys)
}
