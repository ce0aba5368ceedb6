import type { Metadata } from 'next';
import { ComingSoon } from '@/components/shell/coming-soon';

export const metadata: Metadata = { title: 'Logs' };

export default function LogsPage() {
  return (
    <ComingSoon title="Logs">
      The server log shared by every node and this node&apos;s system log will be searchable here.
    </ComingSoon>
  );
}
