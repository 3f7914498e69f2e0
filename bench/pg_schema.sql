-- Tables for bench/pg_progress.sql: a task ledger row and its event log,
-- as an OA-style supervision system would store them.
DROP TABLE IF EXISTS task_event;
DROP TABLE IF EXISTS task;
CREATE TABLE task (
  id          integer PRIMARY KEY,
  code        text NOT NULL,
  title       text NOT NULL,
  lead_unit   text NOT NULL,
  state       text NOT NULL,
  version     bigint NOT NULL,
  due_date    date NOT NULL,
  last_report text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_lead_unit ON task (lead_unit);
CREATE INDEX task_state ON task (state);
CREATE TABLE task_event (
  task_id   integer NOT NULL REFERENCES task (id),
  version   bigint NOT NULL,
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  command   text NOT NULL,
  work_done text,
  progress  text,
  PRIMARY KEY (task_id, version)
);
INSERT INTO task (id, code, title, lead_unit, state, version, due_date)
  SELECT i, 'B.' || i, '基准任务 ' || i, 'unit-' || (i % 115), 'accepted', 1, date '2023-12-31'
  FROM generate_series(1, 1000) AS i;
