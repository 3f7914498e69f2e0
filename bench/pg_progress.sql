-- pgbench script: one progress report as a PostgreSQL transaction, the peer
-- of duband's ReportProgress. Each client reports on its own tasks
-- (:client_id), like the benchmark's duband clients; the task row moves to
-- its next version and the event row is inserted, synchronous commit.
-- Tables: bench/pg_schema.sql.
\set slot random(0, 4)
\set t :client_id * 5 + :slot + 1
BEGIN;
UPDATE task SET version = version + 1, state = 'in_progress', last_report = 'bench progress',
       updated_at = now()
  WHERE id = :t RETURNING version \gset
INSERT INTO task_event (task_id, version, at, actor, command, work_done, progress)
  VALUES (:t, :version, now(), 'bench', 'report_progress', 'bench progress', '按计划推进，本期完成阶段目标');
END;
