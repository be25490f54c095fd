package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/custos-privacy/custos/store"
)

func taskCases() []suiteCase {
	return []suiteCase{
		{"Tasks", testTasks},
		{"TasksKeepProgress", testTasksKeepProgress},
		{"PutTasks", testPutTasks},
		{"DeleteTasks", testDeleteTasks},
	}
}

// newTask is a task with no progress yet.
func newTask(req, phase, coll string, seq int64, status string, at time.Time) store.Task {
	return store.Task{RequestID: req, Phase: phase, Collection: coll, Seq: seq, Status: status, UpdatedAt: at}
}

func testTasks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, tk := range []store.Task{
		newTask("r1", "erasure", "shop:orders", 0, store.TaskPending, t0.Add(3*time.Second)),
		newTask("r1", "access", "shop:orders", 1, store.TaskPending, t0.Add(2*time.Second)),
		newTask("r1", "access", "shop:customer", 0, store.TaskPending, t0.Add(time.Second)),
		{RequestID: "r1", Phase: "access", Collection: "shop:employee", Seq: 2, Status: store.TaskSkipped, Note: "needs identity employee_id", UpdatedAt: t0},
		newTask("r2", "access", "shop:customer", 0, store.TaskPending, t0.Add(4*time.Second)),
	} {
		if err := s.EnsureTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	ts := checkTaskOrder(t, s)
	ts = checkSaveTask(t, s, ts)
	checkTasksByStatus(t, s, ts)
	checkDropCheckpointsExcept(t, s)
	checkDropCheckpoints(t, s)
}

// checkDropCheckpointsExcept: the rows of the tasks kept stay, with the
// progress of every task; the others' go.
func checkDropCheckpointsExcept(t *testing.T, s *store.Store) {
	ctx := context.Background()
	before, err := s.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range before {
		x.Checkpoint = []byte("rows of " + x.Phase + " " + x.Collection)
		if err := s.SaveTask(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	keep := func(phase, collection string) bool { return phase == "access" && collection == "shop:orders" }
	if err := s.DropCheckpointsExcept(ctx, "r1", keep); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Tasks(ctx, "r1")
	if len(after) != len(before) {
		t.Fatalf("tasks %d, want %d", len(after), len(before))
	}
	for i, x := range after {
		want := ""
		if keep(x.Phase, x.Collection) {
			want = "rows of access shop:orders"
		}
		if string(x.Checkpoint) != want {
			t.Fatalf("task %s/%s checkpoint %q, want %q", x.Phase, x.Collection, x.Checkpoint, want)
		}
		if x.Status != before[i].Status || x.Done != before[i].Done || x.Error != before[i].Error {
			t.Fatalf("DropCheckpointsExcept changed progress: %+v, was %+v", x, before[i])
		}
	}
	if r2, _ := s.Tasks(ctx, "r2"); string(r2[0].Checkpoint) != "r2 rows" {
		t.Fatalf("another request's checkpoint went: %+v", r2)
	}
}

// checkTaskOrder: a request's tasks come by phase, then seq, and a new
// task has no progress. It returns r1's tasks.
func checkTaskOrder(t *testing.T, s *store.Store) []store.Task {
	ts, err := s.Tasks(context.Background(), "r1")
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
	return ts
}

// checkSaveTask: progress is saved field by field, on the one task saved.
// It returns r1's tasks after the save.
func checkSaveTask(t *testing.T, s *store.Store, ts []store.Task) []store.Task {
	ctx := context.Background()
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
	return ts
}

// checkTasksByStatus: by status, oldest change first, across requests.
func checkTasksByStatus(t *testing.T, s *store.Store, ts []store.Task) {
	ctx := context.Background()
	orders := ts[1]
	orders.Status, orders.Checkpoint, orders.UpdatedAt = store.TaskWaiting, []byte("rows"), t0.Add(30*time.Minute)
	if err := s.SaveTask(ctx, orders); err != nil {
		t.Fatal(err)
	}
	r2 := newTask("r2", "access", "shop:customer", 0, store.TaskWaiting, t0.Add(10*time.Minute))
	r2.Checkpoint = []byte("r2 rows")
	if err := s.SaveTask(ctx, r2); err != nil {
		t.Fatal(err)
	}

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
}

// checkDropCheckpoints: completing r1 forgets its rows and nothing else.
func checkDropCheckpoints(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if err := s.DropCheckpoints(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	ts, _ := s.Tasks(ctx, "r1")
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
		if got.Collection != c.name || got.Seq != int64(i) || !sameProgress(got, c.saved) || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("%s: after EnsureTask again = %+v; want the saved progress %+v", c.name, got, c.saved)
		}
	}
}

// sameProgress reports whether got holds want's status and progress: its
// counts, checkpoint, error and note.
func sameProgress(got, want store.Task) bool {
	return got.Status == want.Status && got.Found == want.Found && got.Done == want.Done && got.Attempts == want.Attempts &&
		got.Error == want.Error && got.Note == want.Note && bytes.Equal(got.Checkpoint, want.Checkpoint)
}

// testPutTasks: a run's checkpoints are written together, new tasks and
// progress on existing ones alike, in chunks the engine accepts.
func testPutTasks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	old := store.Task{RequestID: "p", Phase: "access", Collection: "shop:customer", Seq: 0, Status: store.TaskPending, UpdatedAt: t0}
	if err := s.EnsureTask(ctx, old); err != nil {
		t.Fatal(err)
	}
	// More tasks than one statement carries.
	ts := manyDoneTasks("p", 1000)
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
		if g.Collection != w.Collection || g.Seq != w.Seq || g.Attempts != 1 || g.Error != "e" || !sameProgress(g, w) || !g.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("task %d = %+v, want %+v", i, g, w)
		}
	}
	if err := s.PutTasks(ctx, nil); err != nil {
		t.Fatalf("PutTasks(nil) = %v", err)
	}
}

// manyDoneTasks is n erasure tasks of request req, each done once with
// progress, a checkpoint, an error and a note of its own.
func manyDoneTasks(req string, n int) []store.Task {
	var ts []store.Task
	for i := range n {
		ts = append(ts, store.Task{RequestID: req, Phase: "erasure", Collection: fmt.Sprintf("shop:t%04d", i), Seq: int64(i),
			Status: store.TaskDone, Attempts: 1, Found: int64(i), Done: int64(i), Checkpoint: []byte{byte(i), 0xff},
			Error: "e", Note: fmt.Sprint("n", i), UpdatedAt: t0.Add(time.Duration(i) * time.Second)})
	}
	return ts
}

func testDeleteTasks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, tk := range []store.Task{
		newTask("r1", "access", "shop:customer", 0, store.TaskPending, t0),
		newTask("r1", "erasure", "shop:orders", 1, store.TaskDone, t0),
		newTask("r2", "access", "shop:customer", 0, store.TaskPending, t0),
	} {
		if err := s.EnsureTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteTasks(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if ts, err := s.Tasks(ctx, "r1"); err != nil || len(ts) != 0 {
		t.Fatalf("r1's tasks after DeleteTasks = %+v, %v", ts, err)
	}
	// Another run's tasks stay, and a run without tasks is no error.
	if ts, err := s.Tasks(ctx, "r2"); err != nil || len(ts) != 1 || ts[0].Collection != "shop:customer" {
		t.Fatalf("r2's tasks = %+v, %v", ts, err)
	}
	mustTx(t, s, func(tx *store.Tx) error { return tx.DeleteTasks(ctx, "none") })
}
