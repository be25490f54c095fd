package connected

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

// SweepRetained erases what erasures left in connected systems because a
// rule retained it, once that retention has ended by asOf: the retained
// fields of the person's rows (masked as the collection masks them), or
// the rows themselves where the collection is erased by deletion. Rows of
// people under a legal hold (held, as Sweep takes them) stay, and their
// entry with them, for a later sweep. With dryRun it counts and writes
// nothing. A row is read again before it is masked: a mask made from the
// value it held at the erasure would hide nothing the company still has.
func (s *Service) SweepRetained(ctx context.Context, actor string, asOf time.Time, held []map[string][]string, dryRun bool) ([]SweepLine, error) {
	due, err := s.Store.ConnectedRetainedDue(ctx, asOf)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	keep, err := s.heldRows(ctx, cat, held)
	if err != nil {
		return nil, err
	}
	var out []SweepLine
	for _, e := range due {
		line, err := s.sweepRetainedEntry(ctx, cat, e, keep, dryRun)
		if err != nil {
			return out, fmt.Errorf("dsr: retention end in %s: %w", e.Collection, err)
		}
		out = append(out, line)
	}
	var rows int64
	for _, l := range out {
		rows += l.Rows
	}
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.Audit.Append(ctx, tx, audit.Record{Actor: actor, Action: "retention.sweep_connected_retained", Object: "connections",
			Detail: map[string]any{"dry_run": dryRun, "entries": len(out), "rows": rows}})
		return err
	})
	return out, err
}

func (s *Service) sweepRetainedEntry(ctx context.Context, cat *Catalog, e store.ConnectedRetained, keep map[dataset.Address]map[string]bool,
	dryRun bool) (SweepLine, error) {
	line := SweepLine{Collection: e.Collection, Fields: e.Fields, Cutoff: e.Until, Rule: "kept by an erasure rule until " + e.Until.Format("2006-01-02"),
		Deleted: e.DeleteRows}
	a, ok := dataset.ParseAddress(e.Collection)
	var coll *dataset.Collection
	var d *dataset.Dataset
	for _, x := range cat.Datasets {
		if x.Key == a.Dataset {
			d = x
			coll = x.Collection(a.Collection)
		}
	}
	c, connected := Connection{}, false
	if d != nil {
		c, connected = cat.Connections[d.Key]
	}
	if !ok || coll == nil || !connected {
		// The entry stays: the collection may come back with its dataset.
		line.Note = "Not swept: the collection or its connection is no longer configured."
		return line, nil
	}
	if c.ReadOnly && !dryRun {
		line.Note = "Not swept: the connection is read-only."
		return line, nil
	}
	b, err := s.Master.Open(e.KeysSealed, retainedContext(e.RequestID, e.Collection, e.Until))
	if err != nil {
		return line, err
	}
	ks, err := decodeRows(b)
	if err != nil {
		return line, err
	}
	pk := coll.PrimaryKey()
	var todo, stay []connector.Row
	for _, k := range ks {
		if keep[a][rowKey(k, pk)] {
			stay = append(stay, k)
			line.Kept++
			continue
		}
		todo = append(todo, k)
	}
	conn, err := s.connector(ctx, c)
	if err != nil {
		return line, err
	}
	mk := s.masker()
	for start := 0; start < len(todo); start += sweepPage {
		page := todo[start:min(start+sweepPage, len(todo))]
		if e.DeleteRows {
			if dryRun {
				line.Rows += int64(len(page))
				continue
			}
			n, err := conn.Delete(ctx, coll, page)
			if err != nil {
				return line, err
			}
			line.Rows += n
			continue
		}
		where := map[string][]any{}
		for _, k := range page {
			for _, f := range pk {
				where[f] = append(where[f], k[f])
			}
		}
		// The look-up matches each key column on its own; only rows whose
		// whole key is one of the page's are masked (want).
		rows, err := conn.Retrieve(ctx, coll, where)
		if err != nil {
			return line, err
		}
		want := map[string]bool{}
		for _, k := range page {
			want[rowKey(k, pk)] = true
		}
		var changes []connector.Change
		for _, row := range rows {
			if !want[rowKey(row, pk)] {
				continue
			}
			set := connector.Row{}
			for _, name := range e.Fields {
				f := coll.Field(name)
				if f == nil || f.ReadOnly || f.Linking() {
					continue
				}
				v, err := mk.mask(strategy(coll, f), f, row[name])
				if err != nil {
					return line, err
				}
				if keyOf(v) != keyOf(row[name]) && !(strategy(coll, f).Strategy == dataset.MaskRandomString && row[name] == nil) {
					set[name] = v
				}
			}
			if len(set) > 0 {
				changes = append(changes, connector.Change{Key: keys([]connector.Row{row}, pk)[0], Set: set})
			}
		}
		if dryRun || len(changes) == 0 {
			line.Rows += int64(len(changes))
			continue
		}
		n, err := conn.Update(ctx, coll, changes)
		if err != nil {
			return line, err
		}
		line.Rows += n
	}
	if dryRun {
		return line, nil
	}
	var rest []byte
	if len(stay) > 0 {
		bs, err := encodeRows(stay)
		if err != nil {
			return line, err
		}
		if rest, err = s.Master.Seal(bs, retainedContext(e.RequestID, e.Collection, e.Until)); err != nil {
			return line, err
		}
		line.Note = strings.TrimSpace(line.Note + " Rows of people under a legal hold stay until it is released.")
	}
	return line, s.Store.FinishConnectedRetained(ctx, e.ID, rest)
}
