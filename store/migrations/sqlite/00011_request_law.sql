-- +goose Up
-- The rules that set a request's deadlines change when the policy's laws:
-- overrides or Custos' law table do. law_digest fingerprints the rules a
-- request's deadlines were last computed from, so each open request is
-- recomputed once after a change; law_flag tells the privacy officer when
-- that moved a deadline earlier ('' when not).
ALTER TABLE privacy_requests ADD COLUMN law_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN law_flag TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE privacy_requests DROP COLUMN law_flag;
ALTER TABLE privacy_requests DROP COLUMN law_digest;
