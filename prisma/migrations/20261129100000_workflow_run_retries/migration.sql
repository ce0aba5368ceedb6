-- AlterTable
ALTER TABLE "workflow_run" ADD COLUMN     "retries" INTEGER NOT NULL DEFAULT 0;
