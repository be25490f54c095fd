package dsr

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

// callbackSkew is how old a signed callback may be.
const callbackSkew = 5 * time.Minute

// Callback takes the answer an asynchronous system posts for a task it
// accepted with 202. The body must be signed with the secret of the
// connection that reaches the task's collection; anything else is refused
// without touching the task. The request's job is then run again (Resume).
func (s *Service) Callback(ctx context.Context, taskID string, r *http.Request) (requestID string, err error) {
	parts := strings.SplitN(taskID, "~", 3)
	if len(parts) != 3 {
		return "", custos.Errorf(custos.KindNotFound, "unknown_task", "No such task.")
	}
	requestID, phase, coll := parts[0], parts[1], parts[2]
	addr, ok := dataset.ParseAddress(coll)
	if !ok {
		return "", custos.Errorf(custos.KindNotFound, "unknown_task", "No such task.")
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return "", err
	}
	conn, ok := cat.Connections[addr.Dataset]
	if !ok || len(conn.Secret) == 0 {
		return "", custos.Errorf(custos.KindNotFound, "unknown_task", "No such task.")
	}
	res, err := webhook.ReadResult(r, conn.Secret, callbackSkew, s.Clock.Now())
	if err != nil {
		return "", custos.Wrap(err, custos.KindUnauthorized, "bad_signature", "The callback is not signed with the connection's secret, or is too old.")
	}
	if res.Task != "" && res.Task != taskID {
		return "", custos.Errorf(custos.KindInvalid, "task_mismatch", "The callback's task does not match its address.")
	}
	ts, err := s.Store.Tasks(ctx, requestID)
	if err != nil {
		return "", err
	}
	var t *store.Task
	for i := range ts {
		if ts[i].Phase == phase && ts[i].Collection == coll {
			t = &ts[i]
		}
	}
	if t == nil {
		return "", custos.Errorf(custos.KindNotFound, "unknown_task", "No such task.")
	}
	if t.Status != store.TaskWaiting {
		return requestID, nil // a repeated callback: the first one counted
	}
	rn := &run{s: s}
	switch {
	case res.Error != "":
		t.Status, t.Attempts, t.Error = store.TaskPending, t.Attempts+1, truncate(res.Error, 300)
		err = rn.save(ctx, t)
	case phase == PhaseAccess:
		err = rn.finishAccess(ctx, t, res.Rows)
	default:
		t.Status, t.Done, t.Error = store.TaskDone, t.Found, ""
		err = rn.save(ctx, t)
	}
	if err != nil {
		return "", err
	}
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.Audit.Append(ctx, tx, audit.Record{Actor: "connection:" + conn.Name, Action: "connector.callback",
			Object: "request:" + requestID, Detail: map[string]any{"phase": phase, "collection": coll, "rows": len(res.Rows),
				"affected": res.Affected, "failed": res.Error != ""}})
		return err
	})
	return requestID, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
