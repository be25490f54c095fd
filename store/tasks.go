package store

import "context"

// DeleteTasks removes a run's tasks; a retention sweep's look-ups of held
// people leave nothing behind.
func (q *queries) DeleteTasks(ctx context.Context, requestID string) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM dsr_tasks WHERE request_id = $1`, requestID)
	return err
}
