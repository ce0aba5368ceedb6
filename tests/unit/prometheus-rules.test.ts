/** The shipped alerting rules: valid for Prometheus, and each alert fires (and only fires) when it should. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPromtool } from '../helpers/promtool';

const RULES = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'prometheus');

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const result = await runPromtool(['check', 'rules', path.join(RULES, 'alerts.yml')]);
    expect(result.output).toContain('SUCCESS: 7 rules found');
    expect(result.code).toBe(0);
  });

  it('passes its promtool unit tests (every alert fires on its condition and stays quiet otherwise)', async () => {
    const result = await runPromtool(['test', 'rules', path.join(RULES, 'alerts.test.yml')]);
    expect(result.code, result.output).toBe(0);
  });

  it('has a unit test for every alert it defines', async () => {
    const { readFile } = await import('node:fs/promises');
    const rules = await readFile(path.join(RULES, 'alerts.yml'), 'utf8');
    const tests = await readFile(path.join(RULES, 'alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]);
    expect(alerts.length).toBe(7);
    for (const alert of alerts) expect(tests, `a test for ${alert}`).toContain(`alertname: ${alert}`);
  });
});

describe('deploy/grafana/orchestrator-dashboard.json', () => {
  it('is valid JSON whose queries name only series the nodes serve', async () => {
    const { readFile } = await import('node:fs/promises');
    const file = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'orchestrator-dashboard.json');
    const dashboard = JSON.parse(await readFile(file, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const source = await readFile(path.resolve(import.meta.dirname, '..', '..', 'lib', 'metrics', 'cluster-metrics.ts'), 'utf8');
    const registry = await readFile(path.resolve(import.meta.dirname, '..', '..', 'lib', 'metrics', 'registry.ts'), 'utf8');
    const series = new Set(
      dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/orch_[a-z_]+/g) ?? [])),
    );
    expect(series.size).toBeGreaterThan(10);
    for (const name of series) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect(source.includes(`'${base}'`) || registry.includes(`'${base}'`), `${name} is served`).toBe(true);
    }
  });
});
