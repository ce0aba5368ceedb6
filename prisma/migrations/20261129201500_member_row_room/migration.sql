-- Room on each page of cluster_node for the next version of its rows. Every heartbeat rewrites
-- its member's row (about 1.5 kB: documents, the recent gaps); when the new version fits on the
-- same page the update is HOT: no index entry is written and the old version is pruned in place.
-- Full pages (the default fillfactor of 100) made about a third of heartbeats write index
-- entries too (npm run bench -- --only heartbeat prints the share). Rows written from now on
-- leave half of each page free; a table of even a thousand members stays a few MB.
ALTER TABLE "cluster_node" SET (fillfactor = 50);
