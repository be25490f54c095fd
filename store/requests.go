package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// Request is a privacy request as stored.
type Request struct {
	ID, Type, Status, Jurisdiction string
	EmailBlind, EmailSealed        []byte
	SubjectID                      string
	Channel, AgentName, AgentProof string
	DetailsSealed                  []byte
	AppealOf, DuplicateOf          string
	ReceivedAt                     time.Time
	VerifiedAt                     *time.Time
	AcknowledgeBy                  *time.Time
	DueAt                          time.Time
	ExtendedUntil                  *time.Time
	CompletedAt                    *time.Time
	CodeHash                       []byte
	CodeExpiresAt                  *time.Time
	CodeAttempts                   int
	TokenHash                      []byte
	DecisionCode, DecisionText     string
	DecidedBy                      string
	ResultSealed                   []byte
	ResultExpiresAt                *time.Time
	// PrivateSealed holds AgentName, AgentProof and DecisionText sealed,
	// under the key of the subject PrivateKey names ("" for the master
	// key). The store never writes those three in the clear: on read they
	// hold only what rows written before they were sealed kept (see
	// RequestsWithPlaintext).
	PrivateSealed []byte
	PrivateKey    string
	// OpenedFor says why a request no person made was opened ("minor").
	OpenedFor string
	// LawDigest fingerprints the rules the deadlines were computed from
	// (jurisdiction.Rules.Digest); LawFlag tells the privacy officer that
	// a change of those rules moved the deadline earlier.
	LawDigest, LawFlag string
	// Language is the tag of the language the person used ("en", "es",
	// "fr", "de"): their mails are written in it. Rows from before it was
	// recorded read "en", the only language mails had then.
	Language string
}

const requestColumns = `id, type, status, jurisdiction, email_blind, email_sealed, subject_id, channel, agent_name, agent_proof,
	details_sealed, appeal_of, duplicate_of, received_at, verified_at, acknowledge_by, due_at, extended_until, completed_at,
	code_hash, code_expires_at, code_attempts, token_hash, decision_code, decision_text, decided_by, result_sealed, result_expires_at,
	private_sealed, private_key, opened_for, law_digest, law_flag, language`

// language is what a request's language column holds: the column
// defaults to English for a request that names none.
func language(l string) string {
	if l == "" {
		return "en"
	}
	return l
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func requestArgs(r Request) []any {
	// agent_name, agent_proof and decision_text are written empty: their
	// text goes sealed in private_sealed.
	return []any{r.ID, r.Type, r.Status, r.Jurisdiction, r.EmailBlind, r.EmailSealed, nullString(r.SubjectID), r.Channel, "",
		"", r.DetailsSealed, nullString(r.AppealOf), nullString(r.DuplicateOf), micros(r.ReceivedAt), nullMicros(r.VerifiedAt),
		nullMicros(r.AcknowledgeBy), micros(r.DueAt), nullMicros(r.ExtendedUntil), nullMicros(r.CompletedAt), r.CodeHash,
		nullMicros(r.CodeExpiresAt), r.CodeAttempts, r.TokenHash, r.DecisionCode, "", r.DecidedBy, r.ResultSealed,
		nullMicros(r.ResultExpiresAt), r.PrivateSealed, nullString(r.PrivateKey), r.OpenedFor, r.LawDigest, r.LawFlag, language(r.Language)}
}

// InsertRequest stores a new request.
func (tx *Tx) InsertRequest(ctx context.Context, r Request) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO privacy_requests (`+requestColumns+`) VALUES (`+placeholders(1, 34)+`)`, requestArgs(r)...)
	return err
}

// UpdateRequest writes every field of a request back.
func (tx *Tx) UpdateRequest(ctx context.Context, r Request) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE privacy_requests SET type = $2, status = $3, jurisdiction = $4, email_blind = $5,
		email_sealed = $6, subject_id = $7, channel = $8, agent_name = $9, agent_proof = $10, details_sealed = $11, appeal_of = $12,
		duplicate_of = $13, received_at = $14, verified_at = $15, acknowledge_by = $16, due_at = $17, extended_until = $18,
		completed_at = $19, code_hash = $20, code_expires_at = $21, code_attempts = $22, token_hash = $23, decision_code = $24,
		decision_text = $25, decided_by = $26, result_sealed = $27, result_expires_at = $28, private_sealed = $29,
		private_key = $30, opened_for = $31, law_digest = $32, law_flag = $33, language = $34 WHERE id = $1`, requestArgs(r)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.ErrNotFound
	}
	return nil
}

// Request returns one request.
func (q *queries) Request(ctx context.Context, id string) (Request, error) {
	rs, err := q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE id = $1`, id)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, custos.ErrNotFound
	}
	return rs[0], nil
}

// RequestForUpdate is Request inside a transaction; on PostgreSQL the row
// is locked until the transaction ends, so two verifications of one
// request cannot both count the same attempt.
func (tx *Tx) RequestForUpdate(ctx context.Context, id string) (Request, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	rs, err := tx.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE id = $1`+lock, id)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, custos.ErrNotFound
	}
	return rs[0], nil
}

// Requests lists requests with a status ("" for all), soonest due first.
func (q *queries) Requests(ctx context.Context, status string, limit int) ([]Request, error) {
	if status == "" {
		return q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests ORDER BY COALESCE(extended_until, due_at), received_at LIMIT $1`, limit)
	}
	return q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE status = $1
		ORDER BY COALESCE(extended_until, due_at), received_at LIMIT $2`, status, limit)
}

// RequestsByEmail lists the requests made from an address since a time,
// oldest first: for limits and duplicates.
func (q *queries) RequestsByEmail(ctx context.Context, blind []byte, since time.Time) ([]Request, error) {
	return q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE email_blind = $1 AND received_at >= $2
		ORDER BY received_at`, blind, micros(since))
}

// RequestsReceived lists requests received in [from, to), for metrics.
func (q *queries) RequestsReceived(ctx context.Context, from, to time.Time) ([]Request, error) {
	return q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE received_at >= $1 AND received_at < $2
		ORDER BY received_at`, micros(from), micros(to))
}

// RequestsWithPlaintext lists requests that still hold an agent's name or
// proof or a decision's text in the clear (written before they were
// sealed), for the requests service to seal.
func (q *queries) RequestsWithPlaintext(ctx context.Context, limit int) ([]Request, error) {
	return q.requests(ctx, `SELECT `+requestColumns+` FROM privacy_requests
		WHERE agent_name <> '' OR agent_proof <> '' OR decision_text <> '' ORDER BY id LIMIT $1`, limit)
}

// SealedRequestText is a request's private text sealed under a subject's key.
type SealedRequestText struct {
	ID     string
	Sealed []byte
}

// RequestTextSealedBy lists the requests whose private text is sealed
// under the subject's key: a merge re-seals them under the other's.
func (tx *Tx) RequestTextSealedBy(ctx context.Context, subjectID string) ([]SealedRequestText, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, private_sealed FROM privacy_requests WHERE private_key = $1 ORDER BY id`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SealedRequestText
	for rows.Next() {
		var r SealedRequestText
		if err := rows.Scan(&r.ID, &r.Sealed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResealRequestText moves a request's private text under another
// subject's key (a merge).
func (tx *Tx) ResealRequestText(ctx context.Context, id, into string, sealed []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE privacy_requests SET private_sealed = $1, private_key = $2 WHERE id = $3`, sealed, into, id)
	return err
}

func (q *queries) requests(ctx context.Context, query string, args ...any) ([]Request, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var (
			r                                                              Request
			subject, appealOf, dupOf, privateKey                           sql.NullString
			received, due                                                  int64
			verified, ack, extended, completed, codeExpires, resultExpires sql.NullInt64
		)
		if err := rows.Scan(&r.ID, &r.Type, &r.Status, &r.Jurisdiction, &r.EmailBlind, &r.EmailSealed, &subject, &r.Channel,
			&r.AgentName, &r.AgentProof, &r.DetailsSealed, &appealOf, &dupOf, &received, &verified, &ack, &due, &extended,
			&completed, &r.CodeHash, &codeExpires, &r.CodeAttempts, &r.TokenHash, &r.DecisionCode, &r.DecisionText, &r.DecidedBy,
			&r.ResultSealed, &resultExpires, &r.PrivateSealed, &privateKey, &r.OpenedFor, &r.LawDigest, &r.LawFlag, &r.Language); err != nil {
			return nil, err
		}
		r.SubjectID, r.AppealOf, r.DuplicateOf, r.PrivateKey = subject.String, appealOf.String, dupOf.String, privateKey.String
		r.ReceivedAt, r.DueAt = fromMicros(received), fromMicros(due)
		r.VerifiedAt, r.AcknowledgeBy, r.ExtendedUntil = fromNullMicros(verified), fromNullMicros(ack), fromNullMicros(extended)
		r.CompletedAt, r.CodeExpiresAt, r.ResultExpiresAt = fromNullMicros(completed), fromNullMicros(codeExpires), fromNullMicros(resultExpires)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExpireResults deletes result packages whose time is up and returns how
// many.
func (tx *Tx) ExpireResults(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE privacy_requests SET result_sealed = NULL
		WHERE result_sealed IS NOT NULL AND result_expires_at < $1`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RequestEvent is one step in a request's history.
type RequestEvent struct {
	ID        int64
	RequestID string
	At        time.Time
	Actor     string
	Action    string
	Status    string
	Note      string
}

// AddRequestEvent appends to a request's history.
func (tx *Tx) AddRequestEvent(ctx context.Context, e RequestEvent) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO request_events (request_id, at, actor, action, status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.RequestID, micros(e.At), e.Actor, e.Action, e.Status, e.Note)
	return err
}

// RequestEvents lists a request's history in order.
func (q *queries) RequestEvents(ctx context.Context, requestID string) ([]RequestEvent, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, request_id, at, actor, action, status, note FROM request_events WHERE request_id = $1 ORDER BY id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RequestEvent
	for rows.Next() {
		var (
			e  RequestEvent
			at int64
		)
		if err := rows.Scan(&e.ID, &e.RequestID, &at, &e.Actor, &e.Action, &e.Status, &e.Note); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RequestEventsReceived lists the events with one of actions of the
// requests received in [from, to), in the order they were written: the
// yearly metrics read which requests were routed to a controller.
func (q *queries) RequestEventsReceived(ctx context.Context, from, to time.Time, actions []string) ([]RequestEvent, error) {
	if len(actions) == 0 {
		return nil, nil
	}
	args := []any{micros(from), micros(to)}
	for _, a := range actions {
		args = append(args, a)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT e.id, e.request_id, e.at, e.actor, e.action, e.status, e.note
		FROM request_events e JOIN privacy_requests r ON r.id = e.request_id
		WHERE r.received_at >= $1 AND r.received_at < $2 AND e.action IN (`+placeholders(3, len(actions))+`)
		ORDER BY e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RequestEvent
	for rows.Next() {
		var (
			e  RequestEvent
			at int64
		)
		if err := rows.Scan(&e.ID, &e.RequestID, &at, &e.Actor, &e.Action, &e.Status, &e.Note); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Mail is a message waiting in the outbox, sealed.
type Mail struct {
	ID            string
	Sealed        []byte
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	LastError     string
	SentAt        *time.Time
	// FailedAt is set when delivery failed for good (an address the mail
	// server refused): the message is not tried again.
	FailedAt *time.Time
}

// EnqueueMail puts a sealed message in the outbox.
func (tx *Tx) EnqueueMail(ctx context.Context, id string, sealed []byte, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO outbox (id, sealed, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)`, id, sealed, micros(at))
	return err
}

// DueMail lists unsent messages whose next attempt is due, oldest first.
func (q *queries) DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, sealed, created_at, next_attempt_at, attempts, last_error FROM outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var (
			m             Mail
			created, next int64
		)
		if err := rows.Scan(&m.ID, &m.Sealed, &created, &next, &m.Attempts, &m.LastError); err != nil {
			return nil, err
		}
		m.CreatedAt, m.NextAttemptAt = fromMicros(created), fromMicros(next)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkMailSent records a delivery; the sealed body is dropped, the row
// stays as a record that it was sent.
func (q *queries) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, sealed = $2 WHERE id = $3`, micros(at), []byte{}, id)
	return err
}

// MarkMailFailed records a failed attempt and when to try again.
func (q *queries) MarkMailFailed(ctx context.Context, id, reason string, next time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3`, reason, micros(next), id)
	return err
}

// MarkMailUndeliverable records a failure no retry can mend: the message is
// not tried again, and stays listed for operators (UndeliverableMail).
func (q *queries) MarkMailUndeliverable(ctx context.Context, id, reason string, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1, failed_at = $2 WHERE id = $3`, reason, micros(at), id)
	return err
}

// UndeliverableMail lists messages that failed for good, latest first,
// without their bodies.
func (q *queries) UndeliverableMail(ctx context.Context, limit int) ([]Mail, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, created_at, next_attempt_at, attempts, last_error, failed_at FROM outbox
		WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var (
			m                     Mail
			created, next, failed int64
		)
		if err := rows.Scan(&m.ID, &created, &next, &m.Attempts, &m.LastError, &failed); err != nil {
			return nil, err
		}
		f := fromMicros(failed)
		m.CreatedAt, m.NextAttemptAt, m.FailedAt = fromMicros(created), fromMicros(next), &f
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailStatus returns one outbox row.
func (q *queries) MailStatus(ctx context.Context, id string) (Mail, error) {
	var (
		m             Mail
		created, next int64
		sent, failed  sql.NullInt64
	)
	err := q.q.QueryRowContext(ctx, `SELECT id, sealed, created_at, next_attempt_at, attempts, last_error, sent_at, failed_at FROM outbox WHERE id = $1`, id).
		Scan(&m.ID, &m.Sealed, &created, &next, &m.Attempts, &m.LastError, &sent, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		return m, custos.ErrNotFound
	}
	m.CreatedAt, m.NextAttemptAt, m.SentAt, m.FailedAt = fromMicros(created), fromMicros(next), fromNullMicros(sent), fromNullMicros(failed)
	return m, err
}

// PurgeRequests deletes up to limit closed requests (completed, denied,
// canceled: no step follows them) answered — or, never answered,
// received — before cutoff, with their histories and run checkpoints, and
// returns their ids. A request that an appeal or a duplicate still kept
// points at is kept with it, so no kept record loses its original. The
// record-keeping rule (11 CCR §7101(a)) is the caller's.
func (tx *Tx) PurgeRequests(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	ids, err := tx.strings(ctx, `SELECT r.id FROM privacy_requests r
		WHERE r.status IN ('completed', 'denied', 'canceled') AND COALESCE(r.completed_at, r.received_at) < $1
		AND NOT EXISTS (SELECT 1 FROM privacy_requests a WHERE (a.appeal_of = r.id OR a.duplicate_of = r.id) AND a.id <> r.id
			AND NOT (a.status IN ('completed', 'denied', 'canceled') AND COALESCE(a.completed_at, a.received_at) < $1))
		ORDER BY r.id LIMIT $2`, micros(cutoff), limit)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		for _, q := range []string{`DELETE FROM request_events WHERE request_id = $1`, `DELETE FROM dsr_tasks WHERE request_id = $1`,
			`DELETE FROM privacy_requests WHERE id = $1`} {
			if _, err := tx.q.ExecContext(ctx, q, id); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}
