-- AlterTable
ALTER TABLE "cluster_node" ADD COLUMN     "local_changes" BOOLEAN NOT NULL DEFAULT false;
