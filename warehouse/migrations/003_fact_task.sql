-- 003_fact_task: a task's text is stored once, not once per responsible unit.
-- A task with four 责任单位 used to repeat its text (350 bytes on average) in four
-- fact_task_assignment rows: task text was 161 MB of every 1,000 issues, more than the raw
-- bytes. fact_task holds each task once; fact_task_assignment points at it by
-- (document_id, task_ordinal). The task_assignments view joins them back, with the same columns.
-- Existing rows: one task per run of equal (task_no, task) within a document, in ordinal order;
-- every assignment row stays (same document_id, ordinal, unit, role, raw_id).

CREATE TABLE fact_task (
    document_id  VARCHAR NOT NULL,
    task_ordinal INTEGER NOT NULL,
    task_no      INTEGER,
    task         VARCHAR,
    raw_id       VARCHAR NOT NULL
);
COMMENT ON TABLE fact_task IS 'Tasks of a document (重点任务分工 and the like): one row per task, its number and text as printed.';
COMMENT ON COLUMN fact_task.task_ordinal IS 'Position of the task in its document, from 0; fact_task_assignment.task_ordinal points here.';

CREATE TEMP TABLE _task_runs AS
SELECT *,
       sum(CASE WHEN starts THEN 1 ELSE 0 END) OVER (PARTITION BY document_id ORDER BY ordinal) - 1 AS task_ordinal
FROM (
    SELECT *,
           row_number() OVER w = 1
           OR lag(task_no) OVER w IS DISTINCT FROM task_no
           OR lag(task) OVER w IS DISTINCT FROM task AS starts
    FROM fact_task_assignment
    WINDOW w AS (PARTITION BY document_id ORDER BY ordinal)
);

INSERT INTO fact_task
SELECT document_id, task_ordinal, task_no, task, raw_id FROM _task_runs WHERE starts;

CREATE TABLE fact_task_assignment_003 (
    document_id  VARCHAR NOT NULL,
    ordinal      INTEGER NOT NULL,
    task_ordinal INTEGER NOT NULL,
    unit         VARCHAR NOT NULL,
    role         VARCHAR,
    raw_id       VARCHAR NOT NULL
);
INSERT INTO fact_task_assignment_003
SELECT document_id, ordinal, task_ordinal, unit, role, raw_id FROM _task_runs;

DROP TABLE _task_runs;
DROP TABLE fact_task_assignment;
ALTER TABLE fact_task_assignment_003 RENAME TO fact_task_assignment;
COMMENT ON TABLE fact_task_assignment IS 'Responsible units (责任单位) of each task: one row per task and unit; the task is fact_task (document_id, task_ordinal).';
COMMENT ON COLUMN fact_task_assignment.task_ordinal IS 'The task this unit is responsible for: fact_task (document_id, task_ordinal).';
