-- +goose Up
-- Runs find their tasks by request; listing tasks by status serves
-- operators and may scan, while every checkpoint a run wrote paid for this
-- index.
DROP INDEX dsr_tasks_status;

-- +goose Down
CREATE INDEX dsr_tasks_status ON dsr_tasks (status);
