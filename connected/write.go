package connected

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// write erases or corrects, collection by collection in the plan's erasure
// order (rows that others reference go last), each in batches with the
// cursor saved after every batch.
func (r *run) write(ctx context.Context, out *Outcome) (pending bool, err error) {
	r.flushed = time.Now()
	defer func() {
		if ferr := r.flush(ctx); err == nil {
			err = ferr
		}
	}()
	phase := PhaseErasure
	if r.job.Kind == KindCorrection {
		phase = PhaseCorrection
	}
	if phase == PhaseErasure && r.s.Policy != nil {
		// The erasure rules in force say which fields stay (and until
		// when); read once, so every collection of the run follows the
		// same rules.
		if r.manifest, err = r.s.Policy(ctx); err != nil {
			return false, fmt.Errorf("dsr: the policy in force: %w", err)
		}
		r.at = r.s.Clock.Now()
	}
	var order []dataset.Address
	for _, a := range r.plan.ErasureOrder() {
		if len(r.found[a]) == 0 || !r.takes(a) {
			continue
		}
		if r.job.Leave != nil {
			if why := r.job.Leave(a.String()); why != "" {
				out.Kept = append(out.Kept, Kept{What: a.String(), Why: why}) // the caller's words: it says them
				continue
			}
		}
		order = append(order, a)
	}
	for i, a := range order {
		r.ensure(store.Task{Phase: phase, Collection: a.String(), Seq: int64(i), Status: store.TaskPending})
	}
	for _, a := range order {
		t := r.tasks[taskKey(phase, a)]
		r.askAgain(t)
		switch t.Status {
		case store.TaskDone, store.TaskSkipped:
		case store.TaskWaiting:
			return true, nil
		default:
			pending, err := r.writeCollection(ctx, phase, a, t)
			if err != nil || pending {
				return pending, err
			}
		}
		if phase == PhaseErasure {
			if c := r.collection(a); c != nil {
				if ret, ok := retentionOf(r.manifest, a, c, r.at); ok && (t.Status == store.TaskDone || t.Status == store.TaskSkipped) {
					ret.Rows = len(r.found[a])
					out.Retained = append(out.Retained, ret)
					if err := r.recordRetained(ctx, a, c, ret); err != nil {
						return false, err
					}
				}
			}
		}
		if t.Status == store.TaskDone && t.Done > 0 {
			if phase == PhaseErasure {
				out.Erased[a.String()] = t.Done
			} else {
				out.Corrected[a.String()] = t.Done
				if c := r.collection(a); c != nil {
					for _, f := range r.targetFields(phase, c) {
						if k, ok := r.correctionKey(f); ok && !slices.Contains(out.CorrectedCategories, k) {
							out.CorrectedCategories = append(out.CorrectedCategories, k)
						}
					}
				}
			}
		}
	}
	return false, nil
}

func (r *run) skip(ctx context.Context, t *store.Task, note string, msg Message) error {
	t.Status, t.Note, t.NoteMessage = store.TaskSkipped, note, msg.encode()
	return r.later(ctx, t)
}

// writing is what a write task does with a collection, worked out from the
// rows found before anything is written; the erasure preview shows the
// same, so what an officer approves is what the run then does.
type writing struct {
	coll *dataset.Collection
	conn connector.Connector
	url  string // of the connection, to scrub from errors
	// skip says nothing is written; note then says why ("" when there is
	// nothing to write).
	skip bool
	note string
	// msg is note as a catalogue message, for the person's answer.
	msg Message
	// readOnly says the connection cannot write.
	readOnly bool
	del      bool
	// fields are written with strat; pk keys the rows, or selector and
	// selKeys (parallel to rows) where the dataset declares no key.
	fields   []*dataset.Field
	pk       []string
	selector connector.Selector
	selKeys  []connector.Row
	sel      selection
	strat    func(*dataset.Collection, *dataset.Field) dataset.Masking
	rows     []connector.Row
	// shared is how many of the person's rows other people's records refer
	// to; maskShared says they are masked too (appended to rows from
	// boundary on), else they are kept.
	shared     int
	maskShared bool
	boundary   int
}

// decide works out what writing a collection does; it writes nothing.
func (r *run) decide(ctx context.Context, phase string, a dataset.Address) (*writing, error) {
	w := &writing{coll: r.collection(a), strat: strategy, boundary: -1}
	conn, c, err := r.conn(ctx, a.Dataset)
	if c != nil {
		w.url = c.URL
	}
	if err != nil {
		return w, err
	}
	w.conn = conn
	if conn == nil || w.coll == nil {
		w.skip, w.note, w.msg = true, "No connection reaches this collection.", note("answer.system.no_connection")
		return w, nil
	}
	if c.ReadOnly {
		w.skip, w.readOnly = true, true
		w.note = fmt.Sprintf("Not %s: the connection is read-only (%d rows found).", verbOf(phase), len(r.found[a]))
		w.msg = note("answer.system.read_only."+verbOf(phase), "count", len(r.found[a]))
		return w, nil
	}
	return w, r.decideWrite(ctx, w, phase, a)
}

// verbOf is what a phase does to a row, for the notes.
func verbOf(phase string) string {
	if phase == PhaseCorrection {
		return "corrected"
	}
	return "erased"
}

// decideWrite decides, for a collection a connection can write, which fields and
// rows are written and how; w.skip says nothing is.
func (r *run) decideWrite(ctx context.Context, w *writing, phase string, a dataset.Address) error {
	retainNote, retainMsg := r.targets(w, phase, a)
	if retainNote != "" && len(w.fields) == 0 {
		w.skip, w.note, w.msg = true, retainNote, retainMsg
		return nil
	}
	if !w.del && len(w.fields) == 0 {
		w.skip = true
		return nil
	}
	w.pk = w.coll.PrimaryKey()
	// A collection whose dataset declares no primary key is written by the
	// values that found the person's rows (selection), through a connector
	// that can (connector.Selector).
	w.rows = r.found[a]
	var err error
	if len(w.pk) == 0 {
		if r.selectRows(w, phase, a); w.skip {
			return nil
		}
	} else if w.rows, w.shared, err = r.unshared(ctx, a, w.coll, r.found[a]); err != nil {
		// Rows other people's records refer to are theirs too: neither
		// erased nor overwritten with this person's correction.
		return err
	}
	if err := r.shareRows(ctx, w, phase, a); err != nil {
		return err
	}
	if retainNote != "" {
		w.note = strings.TrimSpace(w.note + " " + retainNote)
		w.msg = w.msg.and(retainMsg)
	}
	if w.selector == nil && r.manifest != nil {
		w.strat = func(c *dataset.Collection, f *dataset.Field) dataset.Masking {
			if m, ok := ruleMasking(r.manifest, c, f, r.at); ok {
				return m
			}
			return strategy(c, f)
		}
	}
	return nil
}

// targets sets the fields a phase writes and whether rows are deleted,
// and says which fields the policy's erasure rules keep ("" for none), in
// English and as a message.
func (r *run) targets(w *writing, phase string, a dataset.Address) (string, Message) {
	coll := w.coll
	w.del = phase == PhaseErasure && coll.Masking != nil && coll.Masking.Strategy == dataset.MaskDelete
	w.fields = r.targetFields(phase, coll)
	if phase != PhaseErasure {
		return "", Message{}
	}
	ret, ok := retentionOf(r.manifest, a, coll, r.at)
	if !ok {
		return "", Message{}
	}
	// A row with retained fields is not deleted: its other personal
	// fields are masked instead.
	w.del = false
	return fmt.Sprintf("Kept by the policy's erasure rules: %s.", retainedNames(ret)),
		note("answer.system.retained", "fields", retainedNames(ret))
}

// selectRows picks the rows of a collection without a primary key by the
// values that found them; w.skip says they cannot be told apart.
func (r *run) selectRows(w *writing, phase string, a dataset.Address) {
	var ok bool
	if w.selector, ok = w.conn.(connector.Selector); !ok {
		w.skip, w.note = true, fmt.Sprintf("Not %s: the dataset declares no primary key for this collection, so its rows cannot be told apart.", verbOf(phase))
		w.msg = note("answer.system.no_key." + verbOf(phase))
		return
	}
	w.sel = r.selector(a)
	w.strat = w.sel.strategy
	if len(w.sel.fields) == 0 {
		w.skip = true
		w.note, w.msg = w.sel.notUniqueNote(verbOf(phase), len(w.rows))
		return
	}
	var unreached int
	w.rows, w.selKeys, unreached = w.sel.selected(w.coll, w.fields, w.rows, phase == PhaseErasure && !w.del)
	if unreached > 0 {
		w.note, w.msg = w.sel.notUniqueNote(verbOf(phase), unreached)
	}
}

// shareRows decides what becomes of the person's rows other people's
// records refer to, and says so in the note.
func (r *run) shareRows(ctx context.Context, w *writing, phase string, a dataset.Address) error {
	if w.shared > 0 && phase == PhaseErasure && len(w.fields) > 0 {
		var err error
		if w.maskShared, err = r.masksShared(ctx, a); err != nil {
			return err
		}
	}
	// boundary: rows from here on are others' too, and masked by the
	// manifest's erasure.shared_rows: mask (never deleted, which would
	// break the others' references).
	switch {
	case w.maskShared:
		w.boundary = len(w.rows)
		w.rows = append(w.rows, sharedRows(r.found[a], w.rows, w.pk)...)
		w.note = fmt.Sprintf("%d rows other people's records refer to were masked too (erasure.shared_rows: mask).", w.shared)
		w.msg = note("answer.system.shared.masked", "count", w.shared)
	case w.shared > 0 && phase == PhaseErasure:
		w.note = fmt.Sprintf("%d rows kept: other people's records refer to them.", w.shared)
		w.msg = note("answer.system.shared.kept", "count", w.shared)
	case w.shared > 0:
		w.note = fmt.Sprintf("%d rows not corrected: other people's records refer to them.", w.shared)
		w.msg = note("answer.system.shared.not_corrected", "count", w.shared)
	}
	return nil
}

func (r *run) writeCollection(ctx context.Context, phase string, a dataset.Address, t *store.Task) (bool, error) {
	w, err := r.decide(ctx, phase, a)
	if err != nil {
		return false, r.fail(ctx, t, w.url, err)
	}
	if w.skip {
		return false, r.skip(ctx, t, w.note, w.msg)
	}
	if w.note != "" {
		t.Note, t.NoteMessage = w.note, w.msg.encode()
	}
	coll, conn, del, fields, pk := w.coll, w.conn, w.del, w.fields, w.pk
	selector, selKeys, sel, strat := w.selector, w.selKeys, w.sel, w.strat
	rows, boundary := w.rows, w.boundary
	c := &Connection{URL: w.url}
	t.Found = int64(len(rows))
	// Where a repeated batch would write nothing, the cursor need not be
	// saved after every batch: deterministic changes (or deletes) through a
	// connector that skips rows already holding them.
	relaxed := false
	if ic, ok := conn.(connector.Idempotent); ok && ic.IdempotentWrites() {
		relaxed = del || phase == PhaseCorrection || deterministic(coll, fields, strat)
	}
	for t.Done < t.Found {
		if sliceUsed(ctx) {
			return false, ErrYield
		}
		end := min(t.Done+int64(r.s.Batch), t.Found)
		batchDel := del
		switch {
		case boundary < 0:
		case t.Done < int64(boundary):
			end = min(end, int64(boundary))
		default:
			batchDel = false // shared rows are masked, never deleted
		}
		batch := rows[t.Done:end]
		bctx := r.callBatch(ctx, t, t.Done, end)
		keys := make([]connector.Row, len(batch))
		if selector != nil {
			batch, keys = distinct(batch, selKeys[t.Done:end])
		} else {
			for i, row := range batch {
				k := make(connector.Row, len(pk))
				for _, f := range pk {
					k[f] = row[f]
				}
				keys[i] = k
			}
		}
		if err := r.beforeCall(ctx, conn); err != nil {
			return false, err
		}
		switch {
		case batchDel && selector != nil:
			_, err = selector.DeleteWhere(bctx, coll, keys)
		case batchDel:
			_, err = conn.Delete(bctx, coll, keys)
		default:
			var changes []connector.Change
			if changes, err = r.changes(phase, coll, fields, batch, keys, strat); err == nil {
				if selector != nil && phase == PhaseErasure {
					_, err = selector.UpdateWhere(bctx, coll, sel.unkeyedMasks(coll, changes))
				} else if selector != nil {
					_, err = selector.UpdateWhere(bctx, coll, changes)
				} else {
					_, err = conn.Update(bctx, coll, changes)
				}
			}
		}
		if errors.Is(err, connector.ErrPending) {
			// The remote system answers this batch by callback, which
			// moves the cursor past it (Callback); the run goes on from
			// there.
			t.Status = store.TaskWaiting
			return true, r.save(ctx, t)
		}
		if err != nil {
			return false, r.fail(ctx, t, c.URL, err)
		}
		t.Done = end
		if t.Done >= t.Found {
			t.Status, t.Error = store.TaskDone, ""
		}
		save := r.save
		if relaxed {
			save = r.later
		}
		if err := save(ctx, t); err != nil {
			return false, err
		}
	}
	if t.Status == store.TaskDone {
		return false, nil
	}
	t.Status, t.Error = store.TaskDone, ""
	return false, r.later(ctx, t)
}

// targetFields are the fields a phase writes: for erasure the personal
// fields, for correction those whose category is corrected; never a field
// that links rows (a broken reference would orphan rows) or a read-only one.
func (r *run) targetFields(phase string, c *dataset.Collection) []*dataset.Field {
	var out []*dataset.Field
	for _, f := range c.Fields {
		if f.Linking() || f.ReadOnly {
			continue
		}
		if phase == PhaseErasure && f.Personal() && retainedField(r.manifest, f, r.at) == nil {
			out = append(out, f)
		}
		if phase == PhaseCorrection {
			if _, ok := r.correction(f); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// correction finds the corrected value for a field: its own category, or
// the nearest broader one the person named.
func (r *run) correction(f *dataset.Field) (string, bool) {
	c, ok := r.correctionKey(f)
	return r.job.Corrections[c], ok
}

// correctionKey is the category the person named that corrects f.
func (r *run) correctionKey(f *dataset.Field) (string, bool) {
	for _, cat := range f.Categories {
		for c := cat; c != ""; {
			if _, ok := r.job.Corrections[c]; ok {
				return c, true
			}
			i := strings.LastIndexByte(c, '.')
			if i < 0 {
				break
			}
			c = c[:i]
		}
	}
	return "", false
}

func (r *run) changes(phase string, c *dataset.Collection, fields []*dataset.Field, rows, keys []connector.Row,
	strategy func(*dataset.Collection, *dataset.Field) dataset.Masking) ([]connector.Change, error) {
	out := make([]connector.Change, len(rows))
	mk := r.s.masker()
	for i, row := range rows {
		set := make(connector.Row, len(fields))
		for _, f := range fields {
			if phase == PhaseCorrection {
				set[f.Name], _ = r.correction(f)
				continue
			}
			v, err := mk.mask(strategy(c, f), f, row[f.Name])
			if err != nil {
				return nil, err
			}
			set[f.Name] = v
		}
		out[i] = connector.Change{Key: keys[i], Set: set}
	}
	return out, nil
}

// unshared drops the rows other people's records still refer to: an
// address two customers share is kept (and reported) rather than destroyed
// under the other one. A row is shared when a referencing collection has a
// row, not among this person's, that points at it.
func (r *run) unshared(ctx context.Context, a dataset.Address, c *dataset.Collection, rows []connector.Row) ([]connector.Row, int, error) {
	// One look-up per referencing collection, asked together.
	type lookup struct {
		ask
		in incomingRef
	}
	var (
		ls []*lookup
		as []*ask
	)
	incoming := r.incoming(a)
	for _, in := range incoming {
		from := r.collection(in.from)
		conn, _, err := r.conn(ctx, in.from.Dataset)
		if err != nil {
			return nil, 0, err
		}
		if conn == nil || from == nil {
			continue
		}
		var vals []any
		seen := map[string]bool{}
		for _, row := range rows {
			if v := row[in.toField]; v != nil && !seen[keyOf(v)] {
				seen[keyOf(v)] = true
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			l := &lookup{in: in, ask: ask{ctx: ctx, conn: conn,
				l: connector.Lookup{Collection: from, Where: map[string][]any{in.fromField: vals}}}}
			ls, as = append(ls, l), append(as, &l.ask)
		}
	}
	askAll(ctx, as)
	shared := map[string]bool{}
	others := map[string]int{}
	for _, l := range ls {
		if l.err != nil {
			return nil, 0, l.err
		}
		mine := map[string]bool{}
		idf := l.l.Collection.PrimaryKey()
		if len(idf) == 0 {
			// Without a key, a row is told by the fields an erasure never
			// writes: the person's rows there may be masked already
			// (ErasureOrder writes referencing rows first), and must still
			// be recognised as theirs.
			for _, f := range l.l.Collection.Fields {
				if f.Linking() || f.ReadOnly || !f.Personal() {
					idf = append(idf, f.Name)
				}
			}
		}
		for _, row := range r.found[l.in.from] {
			mine[rowKey(row, idf)] = true
		}
		for _, ref := range l.rows {
			if !mine[rowKey(ref, idf)] {
				shared[keyOf(ref[l.in.fromField])] = true
				others[l.in.from.String()]++
			}
		}
	}
	if len(shared) == 0 {
		return rows, 0, nil
	}
	if r.others != nil {
		r.others[a] = others
	}
	var keep []connector.Row
	n := 0
	for _, row := range rows {
		hit := false
		for _, in := range incoming {
			if shared[keyOf(row[in.toField])] {
				hit = true
			}
		}
		if hit {
			n++
			continue
		}
		keep = append(keep, row)
	}
	return keep, n, nil
}

type incomingRef struct {
	from      dataset.Address
	fromField string // the referencing field
	toField   string // the referenced field of a
}

// incoming lists references from other collections into a's fields, in
// either direction: whichever way the planner walked them, they say that
// rows of the other collection point at rows of a.
func (r *run) incoming(a dataset.Address) []incomingRef {
	var out []incomingRef
	target := r.collection(a)
	if target == nil {
		return nil
	}
	for _, d := range r.cat.Datasets {
		for _, c := range d.Collections {
			for _, f := range c.Fields {
				for _, ref := range f.References {
					if ref.Target() == a && target.Field(ref.Field) != nil && target.Field(ref.Field).PrimaryKey {
						out = append(out, incomingRef{from: dataset.Address{Dataset: d.Key, Collection: c.Name}, fromField: f.Name, toField: ref.Field})
					}
				}
			}
		}
	}
	return out
}

// deterministic reports whether every field's mask gives the same value
// each time for the same input (random strings do not).
func deterministic(c *dataset.Collection, fields []*dataset.Field, strategy func(*dataset.Collection, *dataset.Field) dataset.Masking) bool {
	for _, f := range fields {
		if strategy(c, f).Strategy == dataset.MaskRandomString {
			return false
		}
	}
	return true
}

// masksShared reports whether the manifest in force masks a collection's
// shared rows (erasure.shared_rows: mask) rather than keeping them.
func (r *run) masksShared(ctx context.Context, a dataset.Address) (bool, error) {
	if r.s.Policy == nil {
		return false, nil
	}
	m, err := r.s.Policy(ctx)
	if err != nil {
		return false, fmt.Errorf("dsr: the policy in force: %w", err)
	}
	return m.SharedRowsOf(a.String()) == policy.SharedMask, nil
}

// sharedRows is the rows of all that unshared left out, in their order.
func sharedRows(all, kept []connector.Row, pk []string) []connector.Row {
	in := make(map[string]bool, len(kept))
	for _, row := range kept {
		in[rowKey(row, pk)] = true
	}
	var out []connector.Row
	for _, row := range all {
		if !in[rowKey(row, pk)] {
			out = append(out, row)
		}
	}
	return out
}

func retainedNames(r Retention) string {
	names := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}
