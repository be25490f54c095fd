package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func connectorCases() []suiteCase {
	return []suiteCase{
		{"Datasets", testDatasets},
		{"Connections", testConnections},
		{"ConnectionNameTaken", testConnectionNameTaken},
		{"Tasks", testTasks},
		{"TasksKeepProgress", testTasksKeepProgress},
		{"PutTasks", testPutTasks},
	}
}

func testDatasets(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if ds, err := s.Datasets(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("Datasets on an empty store = %v, %v", ds, err)
	}
	// Binary-safe source: a file is kept byte for byte as imported.
	src := []byte("dataset:\n  - fides_key: shop\x00\xff")
	shop := store.DatasetRow{Key: "shop", FileName: "shop.yml", Source: src, Digest: "d1", ImportedAt: t0, ImportedBy: "cli"}
	crm := store.DatasetRow{Key: "crm", FileName: "crm.yml", Source: []byte("crm"), Digest: "d2", ImportedAt: t0.Add(time.Hour), ImportedBy: "token:3"}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.PutDataset(ctx, shop); err != nil {
			return err
		}
		return tx.PutDataset(ctx, crm)
	})
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 2 {
		t.Fatalf("Datasets = %+v, %v", ds, err)
	}
	// Ordered by key.
	if ds[0].Key != "crm" || ds[1].Key != "shop" {
		t.Fatalf("order: %s, %s", ds[0].Key, ds[1].Key)
	}
	got := ds[1]
	if got.FileName != "shop.yml" || !bytes.Equal(got.Source, src) || got.Digest != "d1" || !got.ImportedAt.Equal(t0) || got.ImportedBy != "cli" {
		t.Fatalf("shop = %+v", got)
	}
	// The index is the same list without the sources; one dataset comes
	// with its source.
	idx, err := s.DatasetIndex(ctx)
	if err != nil || len(idx) != 2 || idx[0].Key != "crm" || idx[1].Source != nil || idx[1].Digest != "d1" ||
		idx[1].FileName != "shop.yml" || !idx[1].ImportedAt.Equal(t0) || idx[1].ImportedBy != "cli" {
		t.Fatalf("DatasetIndex = %+v, %v", idx, err)
	}
	if one, err := s.Dataset(ctx, "shop"); err != nil || !bytes.Equal(one.Source, src) || one.Digest != "d1" || !one.ImportedAt.Equal(t0) {
		t.Fatalf("Dataset(shop) = %+v, %v", one, err)
	}
	if _, err := s.Dataset(ctx, "nope"); err == nil || custos.AsError(err).Kind != custos.KindNotFound || custos.ErrorCode(err) != "unknown_dataset" {
		t.Fatalf("Dataset(nope) = %v, want not found", err)
	}
	// A new import of the same key replaces the old one, whole.
	again := store.DatasetRow{Key: "shop", FileName: "shop-v2.yml", Source: []byte("v2"), Digest: "d3", ImportedAt: t0.Add(2 * time.Hour), ImportedBy: "api"}
	mustTx(t, s, func(tx *store.Tx) error { return tx.PutDataset(ctx, again) })
	ds, _ = s.Datasets(ctx)
	if len(ds) != 2 || ds[1].FileName != "shop-v2.yml" || string(ds[1].Source) != "v2" || ds[1].Digest != "d3" ||
		!ds[1].ImportedAt.Equal(t0.Add(2*time.Hour)) || ds[1].ImportedBy != "api" {
		t.Fatalf("after re-import: %+v", ds)
	}
	var gone, twice bool
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if gone, err = tx.DeleteDataset(ctx, "shop"); err != nil {
			return err
		}
		twice, err = tx.DeleteDataset(ctx, "shop")
		return err
	})
	if !gone || twice {
		t.Fatalf("DeleteDataset = %v then %v; want true then false", gone, twice)
	}
	if ds, _ := s.Datasets(ctx); len(ds) != 1 || ds[0].Key != "crm" {
		t.Fatalf("after delete: %+v", ds)
	}
	// A rolled-back import leaves nothing.
	_ = s.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutDataset(ctx, shop); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if ds, _ := s.Datasets(ctx); len(ds) != 1 {
		t.Fatalf("rolled-back import visible: %+v", ds)
	}
}

func testConnections(t *testing.T, s *store.Store) {
	ctx := context.Background()
	db := store.ConnectionRow{Name: "shop-db", DatasetKey: "shop", URLSealed: []byte("u1"), SecretSealed: nil, ReadOnly: true, CreatedAt: t0, CreatedBy: "cli"}
	hook := store.ConnectionRow{Name: "crm-hook", DatasetKey: "crm", URLSealed: []byte("u2"), SecretSealed: []byte("s2"), CreatedAt: t0.Add(time.Minute), CreatedBy: "token:1"}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, db); err != nil {
			return err
		}
		return tx.InsertConnection(ctx, hook)
	})
	cs, err := s.Connections(ctx)
	if err != nil || len(cs) != 2 || cs[0].Name != "crm-hook" || cs[1].Name != "shop-db" {
		t.Fatalf("Connections = %+v, %v", cs, err)
	}
	got, err := s.Connection(ctx, "shop-db")
	if err != nil || got.DatasetKey != "shop" || string(got.URLSealed) != "u1" || len(got.SecretSealed) != 0 || !got.ReadOnly ||
		!got.CreatedAt.Equal(t0) || got.CreatedBy != "cli" {
		t.Fatalf("Connection(shop-db) = %+v, %v", got, err)
	}
	if got, _ := s.Connection(ctx, "crm-hook"); got.ReadOnly || string(got.SecretSealed) != "s2" || !got.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Connection(crm-hook) = %+v", got)
	}
	if _, err := s.Connection(ctx, "nope"); err == nil || custos.AsError(err).Kind != custos.KindNotFound || custos.ErrorCode(err) != "connection_not_found" {
		t.Fatalf("Connection(nope) = %v", err)
	}

	// Master key rotation reseals both halves.
	mustTx(t, s, func(tx *store.Tx) error { return tx.ResealConnection(ctx, "crm-hook", []byte("u2'"), []byte("s2'")) })
	if got, _ := s.Connection(ctx, "crm-hook"); string(got.URLSealed) != "u2'" || string(got.SecretSealed) != "s2'" {
		t.Fatalf("after reseal: %+v", got)
	}
	if got, _ := s.Connection(ctx, "shop-db"); string(got.URLSealed) != "u1" {
		t.Fatalf("reseal touched another connection: %+v", got)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealConnection(ctx, "nope", []byte("u"), nil) })
	if err == nil || custos.AsError(err).Kind != custos.KindNotFound {
		t.Fatalf("reseal of an unknown connection = %v", err)
	}

	var gone, twice bool
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if gone, err = tx.DeleteConnection(ctx, "shop-db"); err != nil {
			return err
		}
		twice, err = tx.DeleteConnection(ctx, "shop-db")
		return err
	})
	if !gone || twice {
		t.Fatalf("DeleteConnection = %v then %v; want true then false", gone, twice)
	}
	if cs, _ := s.Connections(ctx); len(cs) != 1 || cs[0].Name != "crm-hook" {
		t.Fatalf("after delete: %+v", cs)
	}
	// The name is free again.
	mustTx(t, s, func(tx *store.Tx) error { return tx.InsertConnection(ctx, db) })
}

func testConnectionNameTaken(t *testing.T, s *store.Store) {
	ctx := context.Background()
	first := store.ConnectionRow{Name: "shop", DatasetKey: "shop", URLSealed: []byte("first"), CreatedAt: t0, CreatedBy: "cli"}
	mustTx(t, s, func(tx *store.Tx) error { return tx.InsertConnection(ctx, first) })
	cases := []struct {
		name string
		row  store.ConnectionRow
	}{
		{"same dataset", store.ConnectionRow{Name: "shop", DatasetKey: "shop", URLSealed: []byte("second"), CreatedAt: t0, CreatedBy: "cli"}},
		{"other dataset", store.ConnectionRow{Name: "shop", DatasetKey: "crm", URLSealed: []byte("third"), ReadOnly: true, CreatedAt: t0, CreatedBy: "api"}},
	}
	for _, c := range cases {
		err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertConnection(ctx, c.row) })
		if err == nil || custos.ErrorCode(err) != "connection_exists" || custos.AsError(err).Kind != custos.KindConflict {
			t.Fatalf("%s: insert of a taken name = %v", c.name, err)
		}
	}
	// The first one is untouched.
	got, err := s.Connection(ctx, "shop")
	if err != nil || string(got.URLSealed) != "first" || got.ReadOnly || got.DatasetKey != "shop" {
		t.Fatalf("after conflicts: %+v, %v", got, err)
	}
	// The conflict is reported without spoiling the transaction: what else
	// it did still commits when the caller chooses to go on.
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, cases[0].row); custos.ErrorCode(err) != "connection_exists" {
			t.Errorf("conflict in tx = %v", err)
		}
		return tx.InsertConnection(ctx, store.ConnectionRow{Name: "other", DatasetKey: "crm", URLSealed: []byte("u"), CreatedAt: t0, CreatedBy: "cli"})
	})
	if cs, _ := s.Connections(ctx); len(cs) != 2 {
		t.Fatalf("connections = %+v", cs)
	}
}

func testTasks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mk := func(req, phase, coll string, seq int64, status string, at time.Time) store.Task {
		return store.Task{RequestID: req, Phase: phase, Collection: coll, Seq: seq, Status: status, UpdatedAt: at}
	}
	for _, tk := range []store.Task{
		mk("r1", "erasure", "shop:orders", 0, store.TaskPending, t0.Add(3*time.Second)),
		mk("r1", "access", "shop:orders", 1, store.TaskPending, t0.Add(2*time.Second)),
		mk("r1", "access", "shop:customer", 0, store.TaskPending, t0.Add(time.Second)),
		{RequestID: "r1", Phase: "access", Collection: "shop:employee", Seq: 2, Status: store.TaskSkipped, Note: "needs identity employee_id", UpdatedAt: t0},
		mk("r2", "access", "shop:customer", 0, store.TaskPending, t0.Add(4*time.Second)),
	} {
		if err := s.EnsureTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := s.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, x := range ts {
		order = append(order, x.Phase+"/"+x.Collection)
	}
	want := []string{"access/shop:customer", "access/shop:orders", "access/shop:employee", "erasure/shop:orders"}
	if len(order) != len(want) {
		t.Fatalf("Tasks(r1) = %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("Tasks(r1) in order %v, want %v", order, want)
		}
	}
	if ts[2].Status != store.TaskSkipped || ts[2].Note != "needs identity employee_id" || ts[2].Attempts != 0 || ts[2].Found != 0 ||
		ts[2].Done != 0 || ts[2].Checkpoint != nil || ts[2].Error != "" || !ts[2].UpdatedAt.Equal(t0) {
		t.Fatalf("new skipped task = %+v", ts[2])
	}

	// Progress is saved field by field.
	cust := ts[0]
	cust.Status, cust.Attempts, cust.Found, cust.Done = store.TaskDone, 2, 7, 5
	cust.Checkpoint, cust.Error, cust.Note, cust.UpdatedAt = []byte{0, 1, 2, 0xff}, "boom", "kept 2", t0.Add(time.Hour)
	if err := s.SaveTask(ctx, cust); err != nil {
		t.Fatal(err)
	}
	ts, _ = s.Tasks(ctx, "r1")
	got := ts[0]
	if got.Status != store.TaskDone || got.Attempts != 2 || got.Found != 7 || got.Done != 5 || !bytes.Equal(got.Checkpoint, []byte{0, 1, 2, 0xff}) ||
		got.Error != "boom" || got.Note != "kept 2" || !got.UpdatedAt.Equal(t0.Add(time.Hour)) || got.Seq != 0 {
		t.Fatalf("after SaveTask: %+v", got)
	}
	// Saving one task touches no other, not even the same collection in
	// another phase or request.
	if ts[1].Status != store.TaskPending || ts[3].Status != store.TaskPending || ts[3].Found != 0 {
		t.Fatalf("other tasks changed: %+v", ts)
	}
	if r2, _ := s.Tasks(ctx, "r2"); len(r2) != 1 || r2[0].Status != store.TaskPending || r2[0].Checkpoint != nil {
		t.Fatalf("r2 = %+v", r2)
	}
	orders := ts[1]
	orders.Status, orders.Checkpoint, orders.UpdatedAt = store.TaskWaiting, []byte("rows"), t0.Add(30*time.Minute)
	if err := s.SaveTask(ctx, orders); err != nil {
		t.Fatal(err)
	}
	r2 := mk("r2", "access", "shop:customer", 0, store.TaskWaiting, t0.Add(10*time.Minute))
	r2.Checkpoint = []byte("r2 rows")
	if err := s.SaveTask(ctx, r2); err != nil {
		t.Fatal(err)
	}

	// By status, oldest change first, across requests.
	waiting, err := s.TasksByStatus(ctx, store.TaskWaiting)
	if err != nil || len(waiting) != 2 || waiting[0].RequestID != "r2" || waiting[1].Collection != "shop:orders" {
		t.Fatalf("TasksByStatus(waiting) = %+v, %v", waiting, err)
	}
	if pending, _ := s.TasksByStatus(ctx, store.TaskPending); len(pending) != 1 || pending[0].Phase != "erasure" {
		t.Fatalf("TasksByStatus(pending) = %+v", pending)
	}
	if failed, err := s.TasksByStatus(ctx, store.TaskFailed); err != nil || len(failed) != 0 {
		t.Fatalf("TasksByStatus(failed) = %+v, %v", failed, err)
	}

	// Completing r1 forgets its rows and nothing else.
	if err := s.DropCheckpoints(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	ts, _ = s.Tasks(ctx, "r1")
	for _, x := range ts {
		if x.Checkpoint != nil {
			t.Fatalf("checkpoint kept: %+v", x)
		}
	}
	if ts[0].Status != store.TaskDone || ts[0].Done != 5 || ts[0].Error != "boom" {
		t.Fatalf("DropCheckpoints changed progress: %+v", ts[0])
	}
	if r2, _ := s.Tasks(ctx, "r2"); string(r2[0].Checkpoint) != "r2 rows" {
		t.Fatalf("another request's checkpoint went: %+v", r2)
	}
	if none, err := s.Tasks(ctx, "r3"); err != nil || len(none) != 0 {
		t.Fatalf("Tasks(r3) = %+v, %v", none, err)
	}
}

// testTasksKeepProgress: ensuring a task that exists keeps what it did, so a
// rerun resumes instead of starting over.
func testTasksKeepProgress(t *testing.T, s *store.Store) {
	ctx := context.Background()
	cases := []struct {
		name  string
		saved store.Task // progress before the rerun
	}{
		{"done", store.Task{Status: store.TaskDone, Found: 3, Checkpoint: []byte("c")}},
		{"part erased", store.Task{Status: store.TaskPending, Attempts: 1, Found: 10, Done: 4, Error: "timeout"}},
		{"waiting", store.Task{Status: store.TaskWaiting, Found: 2}},
		{"skipped", store.Task{Status: store.TaskSkipped, Note: "read-only"}},
	}
	for i, c := range cases {
		base := store.Task{RequestID: "r", Phase: "erasure", Collection: c.name, Seq: int64(i), Status: store.TaskPending, UpdatedAt: t0}
		if err := s.EnsureTask(ctx, base); err != nil {
			t.Fatal(err)
		}
		saved := c.saved
		saved.RequestID, saved.Phase, saved.Collection, saved.UpdatedAt = base.RequestID, base.Phase, base.Collection, t0.Add(time.Minute)
		if err := s.SaveTask(ctx, saved); err != nil {
			t.Fatal(err)
		}
		// The rerun ensures the task again, fresh, with another seq.
		again := base
		again.Seq, again.UpdatedAt, again.Note = 99, t0.Add(time.Hour), "fresh"
		if err := s.EnsureTask(ctx, again); err != nil {
			t.Fatalf("%s: EnsureTask of an existing task: %v", c.name, err)
		}
	}
	ts, err := s.Tasks(ctx, "r")
	if err != nil || len(ts) != len(cases) {
		t.Fatalf("Tasks = %+v, %v", ts, err)
	}
	for i, c := range cases {
		got := ts[i]
		if got.Collection != c.name || got.Seq != int64(i) || got.Status != c.saved.Status || got.Found != c.saved.Found ||
			got.Done != c.saved.Done || got.Attempts != c.saved.Attempts || got.Error != c.saved.Error || got.Note != c.saved.Note ||
			!bytes.Equal(got.Checkpoint, c.saved.Checkpoint) || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("%s: after EnsureTask again = %+v; want the saved progress %+v", c.name, got, c.saved)
		}
	}
}

// testPutTasks: a run's checkpoints are written together, new tasks and
// progress on existing ones alike, in chunks the engine accepts.
func testPutTasks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	old := store.Task{RequestID: "p", Phase: "access", Collection: "shop:customer", Seq: 0, Status: store.TaskPending, UpdatedAt: t0}
	if err := s.EnsureTask(ctx, old); err != nil {
		t.Fatal(err)
	}
	var ts []store.Task
	// More tasks than one statement carries.
	for i := range 1000 {
		ts = append(ts, store.Task{RequestID: "p", Phase: "erasure", Collection: fmt.Sprintf("shop:t%04d", i), Seq: int64(i),
			Status: store.TaskDone, Attempts: 1, Found: int64(i), Done: int64(i), Checkpoint: []byte{byte(i), 0xff},
			Error: "e", Note: fmt.Sprint("n", i), UpdatedAt: t0.Add(time.Duration(i) * time.Second)})
	}
	moved := old
	moved.Seq, moved.Status, moved.Found, moved.Checkpoint, moved.UpdatedAt = 7, store.TaskDone, 3, []byte("rows"), t0.Add(time.Hour)
	ts = append(ts, moved)
	if err := s.PutTasks(ctx, ts); err != nil {
		t.Fatal(err)
	}
	got, err := s.Tasks(ctx, "p")
	if err != nil || len(got) != 1001 {
		t.Fatalf("Tasks = %d, %v", len(got), err)
	}
	// The existing task has its progress and keeps its place.
	if c := got[0]; c.Collection != "shop:customer" || c.Seq != 0 || c.Status != store.TaskDone || c.Found != 3 ||
		string(c.Checkpoint) != "rows" || !c.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("existing task after PutTasks = %+v", c)
	}
	for i, g := range got[1:] {
		w := ts[i]
		if g.Collection != w.Collection || g.Seq != w.Seq || g.Status != w.Status || g.Attempts != 1 || g.Found != w.Found ||
			g.Done != w.Done || !bytes.Equal(g.Checkpoint, w.Checkpoint) || g.Error != "e" || g.Note != w.Note || !g.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("task %d = %+v, want %+v", i, g, w)
		}
	}
	if err := s.PutTasks(ctx, nil); err != nil {
		t.Fatalf("PutTasks(nil) = %v", err)
	}
}
