package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// InsertConsoleSession stores a console session: the hash of its id, the
// token it acts as, and when it ends.
func (q *queries) InsertConsoleSession(ctx context.Context, idHash []byte, tokenID int64, created, expires time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO console_sessions (id_hash, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		idHash, tokenID, micros(created), micros(expires))
	return err
}

// ConsoleSession returns the token id of a session that exists and has not
// ended by now; custos.ErrNotFound otherwise.
func (q *queries) ConsoleSession(ctx context.Context, idHash []byte, now time.Time) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT token_id FROM console_sessions WHERE id_hash = $1 AND expires_at > $2`,
		idHash, micros(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, custos.ErrNotFound
	}
	return id, err
}

// DeleteConsoleSession ends a session; ending one that is gone is no error.
func (q *queries) DeleteConsoleSession(ctx context.Context, idHash []byte) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = $1`, idHash)
	return err
}

// PruneConsoleSessions deletes the sessions that ended by now and says how
// many.
func (q *queries) PruneConsoleSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= $1`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ClaimBannerDevice records that a device token is issued for a device,
// if none was before; it reports whether this call was the one that did.
// Two servers racing for the same device cannot both win.
func (q *queries) ClaimBannerDevice(ctx context.Context, deviceID string, at time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO banner_devices (device_id, issued_at) VALUES ($1, $2) ON CONFLICT (device_id) DO NOTHING`,
		deviceID, micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// BannerDeviceClaimed reports whether a device token was issued for a
// device.
func (q *queries) BannerDeviceClaimed(ctx context.Context, deviceID string) (bool, error) {
	var one int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM banner_devices WHERE device_id = $1`, deviceID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ReleaseBannerDevice forgets a claim whose token never reached the
// browser (the choice it came with failed).
func (q *queries) ReleaseBannerDevice(ctx context.Context, deviceID string) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM banner_devices WHERE device_id = $1`, deviceID)
	return err
}
