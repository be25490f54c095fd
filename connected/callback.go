package connected

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

// callbackSkew is how old a signed callback may be.
const callbackSkew = 5 * time.Minute

// MaxAnswerBytes bounds an asynchronous system's answer: the HTTP layer
// reads no more of a callback's body.
const MaxAnswerBytes = 64 << 20

// SignedAnswer is an asynchronous system's answer as it arrived, read and
// bounded by the HTTP layer: the body, and its headers (where the
// signature is) as a lookup, so runs know nothing of HTTP.
type SignedAnswer struct {
	Body   []byte
	Header func(name string) string
}

// Answer is a verified, decoded answer to a call (webhook's Result).
type Answer struct {
	Task      string
	RequestID string
	Rows      []connector.Row
	Affected  int64
	// Error, when set, says the call failed.
	Error string
}

// Answers opens asynchronous answers: the protocol of the connector that
// made the call (connector/webhook), given in Config so that runs depend
// on no connector concretely.
type Answers interface {
	// Open checks that a was signed with secret no more than maxSkew away
	// from now, and decodes it.
	Open(a SignedAnswer, secret []byte, maxSkew time.Duration, now time.Time) (Answer, error)
	// Declared types answered rows as the collection declares its fields
	// (JSON blurs integers and floats).
	Declared(c *dataset.Collection, rows []connector.Row) []connector.Row
}

// Callback takes the answer an asynchronous system posts for a task it
// accepted with 202. The body must be signed with the secret of the
// connection that reaches the task's collection, and name the task and its
// request as the call did; anything else is refused without touching the
// task. The request's job is then run again (Resume).
//
// A callback for a task that is already answered, or for a batch the
// cursor has moved past, is taken and ignored. One that arrives before the
// run has recorded that it waits (the remote answered faster than Custos
// wrote down its 202) is refused as a conflict, which the protocol has the
// remote try again.
func (s *Service) Callback(ctx context.Context, taskID string, a SignedAnswer) (requestID string, err error) {
	requestID, phase, addr, start, end, ok := parseTaskID(taskID)
	if !ok {
		return "", errUnknownTask()
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return "", err
	}
	conn, ok := cat.Connections[addr.Dataset]
	if !ok || len(conn.Secret) == 0 {
		return "", errUnknownTask()
	}
	res, err := s.openCallback(a, conn.Secret, taskID, requestID)
	if err != nil {
		return "", err
	}
	c, t, err := s.callbackTask(ctx, cat, requestID, phase, addr)
	if err != nil {
		return "", err
	}
	switch {
	case t.Status == store.TaskDone || t.Status == store.TaskSkipped:
		return requestID, nil // a repeated callback: the first one counted
	case phase != PhaseAccess && start != t.Done:
		return requestID, nil // a batch the cursor is past (or not yet at): a late repeat
	case t.Status != store.TaskWaiting:
		return "", custos.Errorf(custos.KindConflict, "task_not_waiting",
			"The task is not waiting for an answer yet; send the callback again shortly.")
	}
	if err := s.applyAnswer(ctx, t, c, phase, end, res); err != nil {
		return "", err
	}
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.Audit.Append(ctx, tx, audit.Record{Actor: "connection:" + conn.Name, Action: "connector.callback",
			Object: "request:" + requestID, Detail: map[string]any{"phase": phase, "collection": addr.String(), "rows": len(res.Rows),
				"affected": res.Affected, "failed": res.Error != ""}})
		return err
	})
	return requestID, err
}

// errUnknownTask is the one answer to every address that names no task a
// connection may answer, so that a caller learns nothing from which check
// refused it.
func errUnknownTask() error {
	return custos.Errorf(custos.KindNotFound, "unknown_task", "No such task.")
}

// openCallback checks an answer's signature under the connection's secret
// and that its body names the task and request of its address.
func (s *Service) openCallback(a SignedAnswer, secret []byte, taskID, requestID string) (Answer, error) {
	if s.Answers == nil {
		return Answer{}, custos.Errorf(custos.KindUnavailable, "callbacks_off", "This server takes no asynchronous answers.")
	}
	res, err := s.Answers.Open(a, secret, callbackSkew, s.Clock.Now())
	if err != nil {
		return Answer{}, custos.Wrap(err, custos.KindUnauthorized, "bad_signature", "The callback is not signed with the connection's secret, or is too old.")
	}
	// The signature covers the body, not the address: only a body that
	// names this task and its request ties the answer to this address, so
	// a signed answer to one call cannot be replayed at another task's.
	if res.Task == "" || res.RequestID == "" {
		return Answer{}, custos.Errorf(custos.KindInvalid, "callback_unnamed",
			"The callback must name its task and request_id, copied from the call.")
	}
	if res.Task != taskID || res.RequestID != requestID {
		return Answer{}, custos.Errorf(custos.KindInvalid, "task_mismatch", "The callback's task or request_id does not match its address.")
	}
	return res, nil
}

// callbackTask finds the collection and the task an answer is for.
func (s *Service) callbackTask(ctx context.Context, cat *Catalog, requestID, phase string, addr dataset.Address) (*dataset.Collection, *store.Task, error) {
	var c *dataset.Collection
	for _, d := range cat.Datasets {
		if d.Key == addr.Dataset {
			c = d.Collection(addr.Collection)
		}
	}
	if c == nil {
		return nil, nil, errUnknownTask()
	}
	ts, err := s.Store.Tasks(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	coll := addr.String()
	for i := range ts {
		if ts[i].Phase == phase && ts[i].Collection == coll {
			return c, &ts[i], nil
		}
	}
	return nil, nil, errUnknownTask()
}

// applyAnswer records a waiting task's answer: a failure to retry, the
// rows an access found, or a written batch (the cursor moves past it, and
// the run sends the next batch, if any).
func (s *Service) applyAnswer(ctx context.Context, t *store.Task, c *dataset.Collection, phase string, end int64, res Answer) error {
	rn := &run{s: s}
	switch {
	case res.Error != "":
		t.Status, t.Attempts, t.Error = store.TaskPending, t.Attempts+1, truncate(res.Error, 300)
		return rn.save(ctx, t)
	case phase == PhaseAccess:
		return rn.finishAccess(ctx, t, s.Answers.Declared(c, res.Rows))
	default:
		t.Done, t.Error = min(end, t.Found), ""
		t.Status = store.TaskPending
		if t.Done >= t.Found {
			t.Status = store.TaskDone
		}
		return rn.save(ctx, t)
	}
}

// truncate shortens s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
