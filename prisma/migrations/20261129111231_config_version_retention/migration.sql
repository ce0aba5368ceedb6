-- Pushed versions stay immutable, but retention (lib/retention/prune-cluster-data.ts) may delete
-- old ones: only inside a transaction that says so (orch.retention = on), never the newest (the
-- cluster's reference configuration).
CREATE OR REPLACE FUNCTION config_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('orch.retention', true) = 'on'
     AND OLD.version < (SELECT max(version) FROM config_version) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'config_version rows are immutable';
END $$;
