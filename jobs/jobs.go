// Package jobs runs Custos' durable work on River: a privacy request that
// reaches the company's connected systems is one River job, retried with
// backoff when a system is down, rescued after a crash, and finished once.
// SQLite and PostgreSQL both carry the queue, in the same database as the
// rest of Custos' state.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
)

// Fulfiller does a request's work and completes it. It returns
// requests.ErrPending when the request waits for an asynchronous system;
// the job sleeps until a callback wakes it (Enqueue), or Options.Wait has
// passed.
type Fulfiller interface {
	Fulfil(ctx context.Context, actor, id string) error
	// GiveUp records that a request's run kept failing and needs an operator.
	GiveUp(ctx context.Context, id string, err error) error
}

// RequestArgs is the job that runs one privacy request.
type RequestArgs struct {
	RequestID string `json:"request_id"`
}

// Kind is River's name for the job.
func (RequestArgs) Kind() string { return "custos.request" }

// InsertOpts keeps one live job per request: enqueuing again while one is
// waiting or running does nothing, and after it finished starts anew.
func (RequestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type requestWorker struct {
	river.WorkerDefaults[RequestArgs]
	f     Fulfiller
	slice time.Duration
	wait  time.Duration
	log   *slog.Logger
}

func (w *requestWorker) Work(ctx context.Context, job *river.Job[RequestArgs]) error {
	start := time.Now()
	err := w.f.Fulfil(connected.WithSlice(ctx, start.Add(w.slice)), "system", job.Args.RequestID)
	w.log.Debug("request run", "request", job.Args.RequestID, "attempt", job.Attempt, "took", time.Since(start), "error", err)
	if errors.Is(err, requests.ErrPending) {
		// The job sleeps rather than ends: a callback that arrives while
		// this execution is still running cannot enqueue another (one
		// live job per request), so ending here could lose it and leave
		// the request waiting for ever. A callback wakes the sleeping job
		// at once (Wake); else it looks again after wait. A snooze costs
		// no attempt.
		return river.JobSnooze(w.wait)
	}
	if errors.Is(err, connected.ErrYield) {
		// A long run goes on in a fresh slice; a snooze costs no attempt.
		return river.JobSnooze(0)
	}
	if err != nil {
		w.log.Warn("request run failed", "request", job.Args.RequestID, "attempt", job.Attempt, "error", err)
		if job.Attempt >= job.MaxAttempts {
			if gerr := w.f.GiveUp(ctx, job.Args.RequestID, err); gerr != nil {
				return errors.Join(err, gerr)
			}
		}
	}
	return err
}

// DailyArgs is the periodic job that sweeps expired records and sends the
// reminder digest. River's leader schedules it, so with several servers on
// one database it still runs once a day.
type DailyArgs struct{}

// Kind is River's name for the job.
func (DailyArgs) Kind() string { return "custos.daily" }

type dailyWorker struct {
	river.WorkerDefaults[DailyArgs]
	fn func(context.Context) error
}

func (w *dailyWorker) Work(ctx context.Context, _ *river.Job[DailyArgs]) error { return w.fn(ctx) }

// Options tune the queue. Zero values take River's defaults, except where
// noted.
type Options struct {
	Workers int // concurrent request runs; default 4
	// Slice is how long one job execution works before it checkpoints and
	// continues in a new execution. Default one minute.
	Slice time.Duration
	// RescueAfter is how long a job may go without finishing an execution
	// before it is presumed lost to a crash and run again; at least twice
	// Slice. Default ten minutes.
	RescueAfter time.Duration
	// Poll is how often to look for new jobs where no notification wakes
	// the worker (SQLite). Default one second.
	Poll time.Duration
	// Wait is how often a request waiting for an asynchronous system is
	// run again in case its callback came while its job was finishing.
	// Default one minute.
	Wait time.Duration
	// Daily, when set, runs once a day as a periodic job, the first a day
	// after the leader starts.
	Daily  func(context.Context) error
	Logger *slog.Logger
}

// Queue is the River client.
type Queue struct {
	client *river.Client[*sql.Tx]
}

func driver(s *store.Store) riverdriver.Driver[*sql.Tx] {
	if s.Dialect() == store.Postgres {
		return riverdatabasesql.NewWithPgxListener(s.DB(), s.Pool())
	}
	return riversqlite.New(s.DB())
}

// Migrate brings River's tables up to date in the store's database.
func Migrate(ctx context.Context, s *store.Store) error {
	m, err := rivermigrate.New(driver(s), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate the queue: %w", err)
	}
	return nil
}

// New builds the queue; f does the work. With f nil the queue only inserts
// (command-line tools enqueue, the server works).
func New(s *store.Store, f Fulfiller, o Options) (*Queue, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Slice <= 0 {
		o.Slice = time.Minute
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = 10 * time.Minute
	}
	// An execution past its slice is cut off at twice the slice (a call
	// that hangs), and only one past that is taken for lost.
	timeout := 2 * o.Slice
	if o.RescueAfter <= timeout {
		o.RescueAfter = timeout + o.Slice
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Wait <= 0 {
		o.Wait = time.Minute
	}
	cfg := &river.Config{
		Logger:               o.Logger,
		JobTimeout:           timeout,
		RescueStuckJobsAfter: o.RescueAfter,
		FetchPollInterval:    o.Poll,
	}
	if f != nil {
		workers := river.NewWorkers()
		river.AddWorker(workers, &requestWorker{f: f, slice: o.Slice, wait: o.Wait, log: o.Logger})
		if o.Daily != nil {
			river.AddWorker(workers, &dailyWorker{fn: o.Daily})
			cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return DailyArgs{}, nil }, &river.PeriodicJobOpts{ID: "custos.daily"})}
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
	}
	c, err := river.NewClient(driver(s), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{client: c}, nil
}

// Start works jobs until ctx ends or Stop is called.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish (they are checkpointed, so a
// deadline that cuts them short loses nothing).
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// Shutdown stops working jobs: it lets running ones finish until ctx ends,
// then cancels them (they resume from their checkpoints on the next start).
func (q *Queue) Shutdown(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cctx)
	}
	return err
}

// Enqueue schedules a request's run. When the request's job already
// sleeps (waiting for a callback, or backing off after a failure) it is
// woken to run now; one that is running is left to finish.
func (q *Queue) Enqueue(ctx context.Context, requestID string) error {
	res, err := q.client.Insert(ctx, RequestArgs{RequestID: requestID}, nil)
	if err != nil {
		return err
	}
	if res.UniqueSkippedAsDuplicate && res.Job != nil &&
		(res.Job.State == rivertype.JobStateScheduled || res.Job.State == rivertype.JobStateRetryable) {
		_, err = q.client.JobRetry(ctx, res.Job.ID)
	}
	return err
}

// wakeWait bounds how long Wake waits for a running execution to finish.
const wakeWait = 5 * time.Second

// Wake runs a request's job now, for a callback that answered what the
// request waits for. The execution that began the wait may still be
// finishing (River records its end a moment after it returns), when no
// other job can be enqueued and the one there would sleep for
// Options.Wait: Wake waits for it to end, a few seconds at most, and wakes
// it then.
func (q *Queue) Wake(ctx context.Context, requestID string) error {
	deadline := time.Now().Add(wakeWait)
	for {
		res, err := q.client.Insert(ctx, RequestArgs{RequestID: requestID}, nil)
		if err != nil {
			return err
		}
		if !res.UniqueSkippedAsDuplicate || res.Job == nil {
			return nil // a new job: it runs now
		}
		switch res.Job.State {
		case rivertype.JobStateScheduled, rivertype.JobStateRetryable:
			_, err = q.client.JobRetry(ctx, res.Job.ID)
			return err
		case rivertype.JobStateRunning:
			if time.Now().After(deadline) {
				return nil // still working: it will find the answer, or look again after Wait
			}
			t := time.NewTimer(25 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		default:
			return nil // available or pending: it runs soon
		}
	}
}

// EnqueueTx schedules a request's run in tx, so it commits with the change
// that calls for it.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, requestID string) error {
	_, err := q.client.InsertTx(ctx, tx, RequestArgs{RequestID: requestID}, nil)
	return err
}

// Subscribe reports finished jobs; tests wait on it.
func (q *Queue) Subscribe() (<-chan *river.Event, func()) {
	return q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
}
