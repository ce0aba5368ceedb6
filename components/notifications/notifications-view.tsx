'use client';

import { useNotificationDeliveries, useNotificationTargets } from '@/lib/swr/use-notifications';
import { PageHeader } from '@/components/shell/page-header';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { TargetForm } from '@/components/notifications/target-form';
import { TargetsTable } from '@/components/notifications/targets-table';
import { DeliveryLog } from '@/components/notifications/delivery-log';

/** Where failovers, fences and alarms are sent, and what became of each delivery. */
export function NotificationsView() {
  const targets = useNotificationTargets();
  const deliveries = useNotificationDeliveries();
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Webhooks and email told about failovers, fences, alarms and failed resets. Every live node delivers from one outbox, each message once, with a delivery id that stays the same on a retry."
      />
      <div className="space-y-6">
        <Card title="Targets" description="A secret or SMTP password is never shown again after saving.">
          {targets.error && <Alert title="The targets could not be loaded.">{targets.error.message}</Alert>}
          <TargetsTable
            targets={targets.data}
            onChange={async () => void (await Promise.all([targets.mutate(), deliveries.mutate()]))}
          />
        </Card>
        <Card title="Add a target">
          <TargetForm onCreated={async () => void (await targets.mutate())} />
        </Card>
        <Card title="Delivery log" description="The latest deliveries, newest first, with the result of each attempt.">
          {deliveries.error && <Alert title="The delivery log could not be loaded.">{deliveries.error.message}</Alert>}
          <DeliveryLog deliveries={deliveries.data} />
        </Card>
      </div>
    </>
  );
}
