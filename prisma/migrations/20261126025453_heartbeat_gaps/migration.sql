-- AlterTable
ALTER TABLE "cluster_node" ADD COLUMN     "recent_gaps_ms" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
