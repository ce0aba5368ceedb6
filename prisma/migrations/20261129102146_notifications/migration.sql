-- CreateTable
CREATE TABLE "notification_target" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "smtp" JSONB,
    "smtp_password" TEXT,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "notification_target_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "target_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "node_id" UUID,
    "event_id" BIGINT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_by" UUID,
    "claimed_until" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "node_id" UUID,
    "ok" BOOLEAN NOT NULL,
    "result" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "notification_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alarm_state" (
    "key" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "node_id" UUID,
    "message" TEXT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alarm_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_target_name_key" ON "notification_target"("name");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_seq_key" ON "notification_delivery"("seq");

-- CreateIndex
CREATE INDEX "notification_delivery_status_next_attempt_at_idx" ON "notification_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_delivery_target_id_seq_idx" ON "notification_delivery"("target_id", "seq");

-- CreateIndex
CREATE INDEX "notification_attempt_delivery_id_id_idx" ON "notification_attempt"("delivery_id", "id");

-- CreateIndex
CREATE INDEX "notification_attempt_at_idx" ON "notification_attempt"("at");

-- AddForeignKey
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "notification_target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_attempt" ADD CONSTRAINT "notification_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "notification_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Enqueue: every cluster event (and every resumed workflow run) whose kind a target chose becomes
-- one outbox row per target, in the transaction that records the event. The writer needs no
-- knowledge of notifications, and an event is never recorded without its deliveries.
CREATE FUNCTION "notification_enqueue"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_kind TEXT;
  event_details JSONB;
  event_id BIGINT;
BEGIN
  IF TG_TABLE_NAME = 'workflow_run_event' THEN
    IF NEW.kind <> 'RESUMED' THEN
      RETURN NULL;
    END IF;
    event_kind := 'RUN_RESUMED';
    event_details := jsonb_build_object('runId', NEW.run_id, 'elementId', NEW.element_id, 'attempt', NEW.attempt, 'message', NEW.message);
    event_id := NULL;
  ELSE
    event_kind := NEW.kind;
    event_details := NEW.details;
    event_id := NEW.id;
  END IF;
  INSERT INTO notification_delivery (id, target_id, kind, node_id, event_id, details)
  SELECT gen_random_uuid(), t.id, event_kind, NEW.node_id, event_id, coalesce(event_details, '{}'::jsonb)
    FROM notification_target t
   WHERE t.enabled AND event_kind = ANY (t.events);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "cluster_event_notify" AFTER INSERT ON "cluster_event"
  FOR EACH ROW EXECUTE FUNCTION "notification_enqueue"();

CREATE TRIGGER "workflow_run_event_notify" AFTER INSERT ON "workflow_run_event"
  FOR EACH ROW WHEN (NEW.kind = 'RESUMED') EXECUTE FUNCTION "notification_enqueue"();
