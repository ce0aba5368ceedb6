/**
 * What one element does. `planElement` evaluates, before the element starts, what its start
 * event records (a log element's message, a sleep's duration), from the checkpointed variables:
 * so an interrupted element that runs again shows the same message under its next attempt.
 * `runElement` then executes it. Effects that live in the database (a server log entry, an
 * unlock) are not written here: they are returned, and the runner writes them with the
 * checkpoint that completes the element, so they happen exactly once.
 */
import { evaluateText, type TScalar, type TVariables } from '@/lib/workflow/expression/evaluate';
import { readTrustedCaPems } from '@/lib/config/trusted-cas';
import { callHttp, idempotencyKey } from '@/lib/workflow/http-action';
import { parseExpression, secretsOf } from '@/lib/workflow/expression/parse';
import { withSecrets } from '@/lib/workflow/expression/evaluate';
import { maskSecrets, openSecrets } from '@/lib/secrets/secrets';
import { logSafe } from '@/lib/workflow/limits';
import type { TPluginSandbox } from '@/lib/workflow/plugin-sandbox';
import { RunFailure } from '@/lib/workflow/run-failure';
import type { TElement } from '@/lib/workflow/schemas';
import { appendSystemLog } from '@/lib/workflow/system-log';

export type TElementPlan = { message: string | null; sleepMs: number | null; details: Record<string, unknown> };

export type TElementContext = {
  runId: string;
  dataDir: string;
  variables: TVariables;
  plan: TElementPlan;
  /** ms until the stored end of a sleep (database clock), as answered by the checkpoint that started it */
  wakeInMs: number | null;
  signal: AbortSignal;
  plugins: TPluginSandbox;
  /** the agent's lease check, asked right before an effect outside the database */
  isActive(): boolean;
  lock(resource: string): Promise<'held' | 'busy' | 'lost'>;
  /** how long to wait before asking for a busy lock again */
  lockRetryMs: number;
  /** the sealed rows of the named secrets (an http element that reads secret("name")) */
  sealedSecrets?(names: string[]): Promise<{ name: string; sealed: string; keyId: string }[]>;
};

export type TElementOutcome =
  | {
      kind: 'done';
      variables: TVariables;
      /** the element's explicit successor; undefined: the next in the list; null: the run ends */
      next: string | null | undefined;
      serverLog?: { level: string; message: string };
      unlock?: string;
    }
  /** the run is no longer this runner's (fenced, cancelled, taken over, stopping) */
  | { kind: 'dropped' };

/** An expression or run-time failure, naming the element: it fails the run. */
export class ElementError extends RunFailure {
  constructor(element: TElement, message: string, options: { cause?: unknown } = {}) {
    super(`element "${element.id}": ${message}`, options);
    this.name = 'ElementError';
  }
}

function attempt<T>(element: TElement, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new ElementError(element, (error as Error).message, { cause: error });
  }
}

export function planElement(element: TElement, variables: TVariables): TElementPlan {
  return attempt(element, () => {
    // a log line is cut at MAX_LOG_LINE_BYTES, with a marker: the run goes on
    if (element.type === 'log')
      return {
        message: logSafe(String(evaluateText(element.message, variables))),
        sleepMs: null,
        details: { target: element.target },
      };
    if (element.type === 'sleep') {
      const seconds = typeof element.seconds === 'number' ? element.seconds : evaluateText(element.seconds, variables);
      if (typeof seconds !== 'number' || !(seconds >= 0))
        throw new Error(`seconds must be a number of 0 or more, not ${JSON.stringify(seconds)}`);
      return { message: null, sleepMs: Math.round(seconds * 1000), details: { seconds } };
    }
    if (element.type === 'lock' || element.type === 'unlock')
      return { message: null, sleepMs: null, details: { resource: element.resource } };
    if (element.type === 'action')
      return { message: null, sleepMs: null, details: { plugin: element.plugin, action: element.action } };
    if (element.type === 'http') return { message: null, sleepMs: null, details: { method: element.method } };
    return { message: null, sleepMs: null, details: {} };
  });
}

/** Resolves after `ms`, or at once when the signal aborts (then with false). */
export function waitFor(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runElement(element: TElement, context: TElementContext): Promise<TElementOutcome> {
  const { variables, plan } = context;
  const done = (changes: Partial<Extract<TElementOutcome, { kind: 'done' }>> = {}): TElementOutcome => ({
    kind: 'done',
    variables,
    next: element.type === 'end' ? null : element.type === 'decision' ? undefined : element.next,
    ...changes,
  });
  switch (element.type) {
    case 'log':
      if (element.target === 'server') return done({ serverLog: { level: element.level, message: plan.message ?? '' } });
      // the last check before an effect this node cannot take back
      if (!context.isActive() || context.signal.aborted) return { kind: 'dropped' };
      await appendSystemLog(context.dataDir, { level: element.level, runId: context.runId, message: plan.message ?? '' });
      return done();
    case 'sleep':
      if (!(await waitFor(context.wakeInMs ?? plan.sleepMs ?? 0, context.signal))) return { kind: 'dropped' };
      return done();
    case 'set': {
      const value = attempt(element, () => evaluateText(element.expression, variables));
      return done({ variables: { ...variables, [element.variable]: value } });
    }
    case 'decision': {
      const value: TScalar = attempt(element, () => evaluateText(element.condition, variables));
      if (typeof value !== 'boolean') throw new ElementError(element, `the condition gives a ${typeof value}, not a boolean`);
      return done({ next: value ? element.then : element.else });
    }
    case 'lock':
      for (;;) {
        const result = await context.lock(element.resource);
        if (result === 'held') return done();
        if (result === 'lost') return { kind: 'dropped' };
        if (!(await waitFor(context.lockRetryMs, context.signal))) return { kind: 'dropped' };
      }
    case 'unlock':
      return done({ unlock: element.resource });
    case 'action': {
      const inputs = attempt(element, () =>
        Object.fromEntries(Object.entries(element.inputs).map(([name, text]) => [name, evaluateText(text, variables)])),
      );
      if (!context.isActive() || context.signal.aborted) return { kind: 'dropped' };
      let result: unknown;
      try {
        result = await context.plugins.call(element.plugin, element.action, inputs, context.signal);
      } catch (error) {
        // stopped because the run is no longer this runner's: not the action's failure
        if (context.signal.aborted) return { kind: 'dropped' };
        throw new ElementError(element, (error as Error).message, { cause: error });
      }
      if (context.signal.aborted) return { kind: 'dropped' };
      return done({ variables: element.output ? { ...variables, [element.output]: result } : variables });
    }
    case 'http': {
      const texts = [element.url, ...Object.values(element.headers), ...(element.body === undefined ? [] : [element.body])];
      const names = [...new Set(texts.flatMap((text) => [...secretsOf(parseExpression(text))]))];
      let secrets = new Map<string, string>();
      if (names.length > 0) {
        // a database error here is transient (the run is taken up again); a missing secret or key is the element's failure
        const rows = context.sealedSecrets ? await context.sealedSecrets(names) : [];
        try {
          secrets = await openSecrets(rows, names, context.dataDir);
        } catch (error) {
          throw new ElementError(element, (error as Error).message);
        }
      }
      // the values never leave this element: every text it returns or fails with is masked
      const mask = (text: string) => maskSecrets(text, secrets.values());
      const scope = withSecrets(variables, secrets);
      const evaluated = <T>(work: () => T): T => {
        try {
          return work();
        } catch (error) {
          throw new ElementError(element, mask((error as Error).message));
        }
      };
      const url = String(evaluated(() => evaluateText(element.url, scope)));
      const headers = evaluated(() =>
        Object.fromEntries(Object.entries(element.headers).map(([name, text]) => [name, String(evaluateText(text, scope))])),
      );
      const body = element.body === undefined ? null : evaluated(() => String(evaluateText(element.body!, scope)));
      const trustedCas = await readTrustedCaPems(context.dataDir);
      if (!context.isActive() || context.signal.aborted) return { kind: 'dropped' };
      let answer;
      try {
        answer = await callHttp({
          method: element.method,
          url,
          headers,
          body,
          timeoutMs: Math.round(element.timeoutSeconds * 1000),
          idempotencyKey: idempotencyKey(context.runId, element.id),
          trustedCas,
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) return { kind: 'dropped' };
        throw new ElementError(element, mask((error as Error).message));
      }
      if (context.signal.aborted) return { kind: 'dropped' };
      const expected = element.expectStatus ?? null;
      if (expected ? !expected.includes(answer.status) : answer.status < 200 || answer.status > 299) {
        throw new ElementError(
          element,
          mask(
            `${element.method} ${new URL(url).origin} answered ${answer.status}; expected ${expected ? expected.join(' or ') : 'a 2xx status'}`,
          ),
        );
      }
      answer.body = mask(answer.body);
      if (!element.output) return done();
      let parsed: unknown = answer.body;
      if (answer.contentType && /\bjson\b/i.test(answer.contentType)) {
        try {
          parsed = JSON.parse(answer.body);
        } catch {
          // not JSON after all: kept as text
        }
      }
      return done({
        variables: { ...variables, [element.output]: { status: answer.status, contentType: answer.contentType, body: parsed } },
      });
    }
    case 'end':
      return done();
  }
}
