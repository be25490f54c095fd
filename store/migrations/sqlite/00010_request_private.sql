-- +goose Up
-- Free text about a person (a denial's reason, an authorised agent's name
-- and proof of permission) is kept sealed: under the person's own data key
-- once the request is linked to them, so erasing them shreds it, else under
-- the master key. private_key names the subject whose key seals it (NULL:
-- the master key). The plaintext columns stay for rows written before; the
-- server seals and clears them at start-up.
ALTER TABLE privacy_requests ADD COLUMN private_sealed BLOB;
ALTER TABLE privacy_requests ADD COLUMN private_key TEXT;
-- Why a request was opened when no person asked (minor: a date of birth
-- under the policy's age threshold).
ALTER TABLE privacy_requests ADD COLUMN opened_for TEXT NOT NULL DEFAULT '';
CREATE INDEX privacy_requests_private_key ON privacy_requests (private_key);

-- A message the mail server refused for good (an address that cannot
-- exist) is not tried again; operators see it with the reason.
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;

-- +goose Down
ALTER TABLE outbox DROP COLUMN failed_at;
DROP INDEX privacy_requests_private_key;
ALTER TABLE privacy_requests DROP COLUMN opened_for;
ALTER TABLE privacy_requests DROP COLUMN private_key;
ALTER TABLE privacy_requests DROP COLUMN private_sealed;
