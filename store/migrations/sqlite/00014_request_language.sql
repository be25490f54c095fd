-- +goose Up
-- The language the person used when they made the request (a tag: en, es,
-- fr or de), so that every mail about it is written in that language.
-- Requests made before it was recorded were answered in English.
ALTER TABLE privacy_requests ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- +goose Down
ALTER TABLE privacy_requests DROP COLUMN language;
