import type { Metadata } from 'next';
import { ComingSoon } from '@/components/shell/coming-soon';

export const metadata: Metadata = { title: 'Workflows' };

export default function WorkflowsPage() {
  return (
    <ComingSoon title="Workflows">
      Workflow definitions and their runs, with the node that executes each run and its checkpoints, will be listed here.
    </ComingSoon>
  );
}
