package consent

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Listen keeps the decision index current with changes other servers make
// to the same PostgreSQL database: every write that changes a decision
// notifies custos_changes with the principal, and each server reloads it.
// It returns when ctx ends, reconnecting after errors.
func (s *Service) Listen(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	for ctx.Err() == nil {
		if err := s.listen(ctx, pool); err != nil && ctx.Err() == nil {
			log.Warn("decision index: listening for changes failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}
}

func (s *Service) listen(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN custos_changes"); err != nil {
		return err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		principal := n.Payload
		for _, prefix := range []string{"subject:", "principal:"} {
			principal = strings.TrimPrefix(principal, prefix)
		}
		if principal == "" {
			continue
		}
		if err := s.Reload(ctx, principal); err != nil {
			return err
		}
	}
}

// ParseGPC reads the Sec-GPC request header values: the signal is on only
// when there is exactly one value and it is exactly "1" (GPC specification,
// section 3.2).
func ParseGPC(values []string) bool {
	return len(values) == 1 && values[0] == "1"
}
