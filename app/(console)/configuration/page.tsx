import type { Metadata } from 'next';
import { ComingSoon } from '@/components/shell/coming-soon';

export const metadata: Metadata = { title: 'Configuration' };

export default function ConfigurationPage() {
  return (
    <ComingSoon title="Configuration">
      The node configuration (plugins, certificate, server settings), its differences from the cluster reference and pushing it
      to the other nodes will be managed here.
    </ComingSoon>
  );
}
