-- A run that waits for an operator when it fails: its failing checkpoint leaves it WAITING (not
-- finished, owned by nobody) at the failed element, until an operator edits its variables and
-- resumes it there (lib/workflow/resume-run.ts) or cancels it.
ALTER TABLE "workflow_run" ADD COLUMN "wait_on_failure" BOOLEAN NOT NULL DEFAULT false;
