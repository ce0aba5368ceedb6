/**
 * The Patroni + HAProxy example that docs/operations.md shows is the configuration the failover
 * test runs: its code blocks equal deploy/patroni/, and its prose explains every placeholder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillTemplate, TEST_TIMINGS } from '../helpers/patroni';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The text under a `## heading`, up to the next heading of that level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/operations.md has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((match) => match[1]);
}

const docs = section(read('docs/operations.md'), 'Patroni and HAProxy');
const prose = docs.replace(/^```[\s\S]*?^```$/gm, '');

describe('the Patroni and HAProxy example in docs/operations.md', () => {
  it('shows deploy/patroni/patroni.yml exactly', () => {
    expect(codeBlocks(docs, 'yaml')).toEqual([read('deploy/patroni/patroni.yml')]);
  });

  it('shows deploy/patroni/haproxy.cfg exactly', () => {
    expect(codeBlocks(docs, 'haproxy')).toEqual([read('deploy/patroni/haproxy.cfg')]);
  });

  it('explains every placeholder of both files in its prose (numbered ones as {{NAMEn}})', () => {
    for (const file of ['deploy/patroni/patroni.yml', 'deploy/patroni/haproxy.cfg']) {
      const placeholders = new Set(
        [...read(file).matchAll(/\{\{(\w+?)(\d*)\}\}/g)].map(([, name, number]) => `{{${name}${number ? 'n' : ''}}}`),
      );
      expect(placeholders.size, file).toBeGreaterThan(0);
      for (const placeholder of placeholders) expect(prose, `${file}: ${placeholder}`).toContain(placeholder);
    }
  });

  it('keeps the test timings within Patroni’s rule loop_wait + 2 × retry_timeout ≤ ttl', () => {
    expect(TEST_TIMINGS.loopWait + 2 * TEST_TIMINGS.retryTimeout).toBeLessThanOrEqual(TEST_TIMINGS.ttl);
  });

  it('fills a template only completely: a placeholder without a value, or a value without a placeholder, is named', () => {
    expect(fillTemplate('a {{X}} b {{X}}', { X: 1 }, 't')).toBe('a 1 b 1');
    expect(() => fillTemplate('a {{X}} {{Y}}', { X: 1 }, 'file.yml')).toThrow('file.yml: no value for the placeholder(s) Y');
    expect(() => fillTemplate('a {{X}}', { X: 1, Z: 2 }, 'file.yml')).toThrow('file.yml has no placeholder {{Z}}');
  });
});
