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
	a, coll, c, ok := retainedTarget(cat, e)
	if !ok {
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
	sw := retainedSweep{conn: conn, coll: coll, pk: pk, fields: e.Fields, mk: s.masker(), dryRun: dryRun}
	for start := 0; start < len(todo); start += sweepPage {
		page := todo[start:min(start+sweepPage, len(todo))]
		if e.DeleteRows {
			err = sw.delete(ctx, &line, page)
		} else {
			err = sw.mask(ctx, &line, page)
		}
		if err != nil {
			return line, err
		}
	}
	if dryRun {
		return line, nil
	}
	return line, s.finishRetained(ctx, e, stay, &line)
}

// retainedTarget finds the collection a retained entry names and the
// connection that reaches it; ok is false when either is gone.
func retainedTarget(cat *Catalog, e store.ConnectedRetained) (dataset.Address, *dataset.Collection, Connection, bool) {
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
	return a, coll, c, ok && coll != nil && connected
}

// retainedSweep erases the retained part of one collection's rows, a page
// at a time.
type retainedSweep struct {
	conn   connector.Connector
	coll   *dataset.Collection
	pk     []string
	fields []string // the retained fields, masked where rows are not deleted
	mk     *masker
	dryRun bool
}

// delete deletes a page of rows (counts them, dry).
func (sw retainedSweep) delete(ctx context.Context, line *SweepLine, page []connector.Row) error {
	if sw.dryRun {
		line.Rows += int64(len(page))
		return nil
	}
	n, err := sw.conn.Delete(ctx, sw.coll, page)
	if err != nil {
		return err
	}
	line.Rows += n
	return nil
}

// mask masks the retained fields of a page of rows, read again first (a
// mask of the value held at the erasure would hide nothing the company
// still has); dry, it counts the rows that would change.
func (sw retainedSweep) mask(ctx context.Context, line *SweepLine, page []connector.Row) error {
	where := map[string][]any{}
	for _, k := range page {
		for _, f := range sw.pk {
			where[f] = append(where[f], k[f])
		}
	}
	// The look-up matches each key column on its own; only rows whose
	// whole key is one of the page's are masked (want).
	rows, err := sw.conn.Retrieve(ctx, sw.coll, where)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, k := range page {
		want[rowKey(k, sw.pk)] = true
	}
	var changes []connector.Change
	for _, row := range rows {
		if !want[rowKey(row, sw.pk)] {
			continue
		}
		set, err := sw.masked(row)
		if err != nil {
			return err
		}
		if len(set) > 0 {
			changes = append(changes, connector.Change{Key: keys([]connector.Row{row}, sw.pk)[0], Set: set})
		}
	}
	if sw.dryRun || len(changes) == 0 {
		line.Rows += int64(len(changes))
		return nil
	}
	n, err := sw.conn.Update(ctx, sw.coll, changes)
	if err != nil {
		return err
	}
	line.Rows += n
	return nil
}

// masked is what a row's retained fields become: only the fields the mask
// changes (a random string for a null changes nothing worth writing).
func (sw retainedSweep) masked(row connector.Row) (connector.Row, error) {
	set := connector.Row{}
	for _, name := range sw.fields {
		f := sw.coll.Field(name)
		if f == nil || f.ReadOnly || f.Linking() {
			continue
		}
		v, err := sw.mk.mask(strategy(sw.coll, f), f, row[name])
		if err != nil {
			return nil, err
		}
		if keyOf(v) != keyOf(row[name]) && !(strategy(sw.coll, f).Strategy == dataset.MaskRandomString && row[name] == nil) {
			set[name] = v
		}
	}
	return set, nil
}

// finishRetained ends the entry, or keeps in it, sealed again, the keys of
// the rows that stay under a legal hold.
func (s *Service) finishRetained(ctx context.Context, e store.ConnectedRetained, stay []connector.Row, line *SweepLine) error {
	var rest []byte
	if len(stay) > 0 {
		bs, err := encodeRows(stay)
		if err != nil {
			return err
		}
		if rest, err = s.Master.Seal(bs, retainedContext(e.RequestID, e.Collection, e.Until)); err != nil {
			return err
		}
		line.Note = strings.TrimSpace(line.Note + " Rows of people under a legal hold stay until it is released.")
	}
	return s.Store.FinishConnectedRetained(ctx, e.ID, rest)
}
