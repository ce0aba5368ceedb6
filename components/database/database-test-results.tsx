import type { TDatabaseTestResult } from '@/lib/database/test-database';
import { Badge } from '@/components/ui/badge';
import { Table, Td, Th } from '@/components/ui/table';

/** One row per check: passed or failed, with the reason. */
export function DatabaseTestResults({ result }: { result: TDatabaseTestResult }) {
  return (
    <div className="mt-4 space-y-2">
      <p className="text-sm text-gray-700">
        Tested <code className="break-all">{result.url}</code>
      </p>
      <Table caption="Check results">
        <thead>
          <tr>
            <Th>Check</Th>
            <Th>Result</Th>
            <Th>Detail</Th>
          </tr>
        </thead>
        <tbody>
          {result.checks.map((check) => (
            <tr key={check.name} data-check={check.name}>
              <Td>{check.name}</Td>
              <Td>
                <Badge tone={check.ok ? 'green' : 'red'}>{check.ok ? 'passed' : 'failed'}</Badge>
              </Td>
              <Td className="break-words">{check.detail}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
