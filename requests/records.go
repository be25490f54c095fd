package requests

import (
	"context"
	"fmt"
	"time"

	"github.com/custos-privacy/custos/store"
)

// purgeBatch bounds one purge transaction, so the daily sweep never holds
// a long lock on the requests table.
const purgeBatch = 500

// PurgeRecords deletes the records of closed requests — the request, its
// history, its answer and its run checkpoints — answered more than the
// policy's record-keeping period (rights.record_keeping_months, default
// 24) before now, and returns how many it deleted. 11 CCR §7101(a): a
// business keeps records of requests and how it responded "for at least
// 24 months"; §7101(e): it need not keep personal information only to
// answer requests, so nothing is kept longer than the policy says. Each
// batch is its own transaction: a crash leaves whole requests, never half
// of one. The daily sweep calls it.
func (s *Service) PurgeRecords(ctx context.Context, now time.Time) (int, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := now.UTC().AddDate(0, -p.Manifest.Rights.RecordKeeping(), 0)
	total := 0
	for {
		var ids []string
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			var err error
			ids, err = tx.PurgeRequests(ctx, cutoff, purgeBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purging request records before %s: %w", cutoff.Format("2006-01-02"), err)
		}
		total += len(ids)
		if len(ids) < purgeBatch {
			return total, nil
		}
	}
}
