/**
 * The authorization matrix over every API route, on a real node: anonymous, viewer, operator and
 * admin. The routes are read from app/api itself, so a new route or method that is not in the
 * matrix below fails this test until someone decides who may call it.
 *
 * Requests that pass authorization must not change anything: the node is a throwaway standalone
 * node, ids are unknown UUIDs (404), and write bodies are malformed JSON (400 after the checks).
 * Cookie-authenticated writes from another origin are refused before anything else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_ROLES, type TAction } from '@/lib/auth/permissions';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { signIn } from '../helpers/session';

type TLevel = 'public' | 'viewer' | 'operator' | 'admin';
type TMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call what: the decision, written down. */
const MATRIX: Record<string, Partial<Record<TMethod, TLevel>>> = {
  '/api/health': { GET: 'public' },
  '/api/health/active': { GET: 'public' },
  '/api/cluster': { GET: 'viewer' },
  '/api/cluster/events': { GET: 'viewer' },
  '/api/cluster/settings': { PUT: 'admin' },
  '/api/cluster/nodes/[id]': { GET: 'viewer', DELETE: 'operator' },
  '/api/cluster/nodes/[id]/activate': { POST: 'operator' },
  '/api/cluster/nodes/[id]/maintenance': { PUT: 'operator' },
  '/api/cluster/nodes/[id]/restart': { POST: 'admin' },
  '/api/cluster/nodes/[id]/configuration': { GET: 'viewer' },
  '/api/cluster/join-info': { GET: 'public' },
  '/api/cluster/join-bundle': { POST: 'public' }, // checks the seed's administrator or a join token itself
  '/api/cluster/join-tokens': { POST: 'admin' },
  '/api/cluster/join-preview': { POST: 'admin' },
  '/api/cluster/join': { POST: 'admin' },
  '/api/cluster/leave': { POST: 'admin' },
  '/api/config/certificate': { GET: 'viewer', POST: 'admin', PUT: 'admin' },
  '/api/config/plugins': { GET: 'viewer', POST: 'admin' },
  '/api/config/push': { POST: 'operator' },
  '/api/config/settings': { GET: 'viewer', PUT: 'admin' },
  '/api/database': { GET: 'viewer' },
  '/api/database/test': { POST: 'admin' },
  '/api/database/use': { POST: 'admin' },
  '/api/database/move': { POST: 'admin' },
  '/api/database/move/peer': { POST: 'public' }, // another member's peer token only, checked by the handler
  '/api/workflows': { GET: 'viewer', POST: 'operator' },
  '/api/workflows/[name]': { GET: 'viewer' },
  '/api/workflows/[name]/runs': { POST: 'operator' },
  '/api/runs': { GET: 'viewer' },
  '/api/runs/[id]': { GET: 'viewer' },
  '/api/runs/[id]/cancel': { POST: 'operator' },
  '/api/runs/[id]/logs': { GET: 'viewer' },
  '/api/logs/system': { GET: 'viewer' },
  '/api/users': { GET: 'viewer', POST: 'admin' },
  '/api/users/[id]': { PATCH: 'admin', DELETE: 'admin' },
  '/api/tokens': { GET: 'viewer', POST: 'viewer' },
  '/api/tokens/[id]': { DELETE: 'viewer' },
  '/api/me': { GET: 'viewer' },
  '/api/me/password': { PUT: 'viewer' },
  '/api/me/sessions': { DELETE: 'viewer' },
  '/api/audit': { GET: 'operator' },
  '/api/metrics': { GET: 'viewer' },
  '/api/notifications/targets': { GET: 'admin', POST: 'admin' },
  '/api/notifications/targets/[id]': { DELETE: 'admin' },
  '/api/notifications/targets/[id]/test': { POST: 'admin' },
  '/api/notifications/deliveries': { GET: 'admin' },
  '/api/auth/config': { GET: 'admin', PUT: 'admin' },
  '/api/auth/test': { POST: 'admin' },
  '/api/config/versions': { GET: 'viewer' },
  '/api/config/versions/compare': { GET: 'viewer' },
  '/api/config/versions/[version]/rollback': { POST: 'operator' },
  '/api/config/export': { POST: 'admin' },
  '/api/config/import/preview': { POST: 'admin' },
  '/api/config/import': { POST: 'admin' },
  '/api/config/plugins/[name]': { PUT: 'admin', DELETE: 'admin' },
  '/api/config/validate': { GET: 'operator' },
  '/api/support-bundle': { POST: 'admin' },
  '/api/schedules': { GET: 'viewer', POST: 'operator' },
  '/api/schedules/[id]': { GET: 'viewer', PATCH: 'operator', DELETE: 'operator' },
  '/api/config/trusted-cas': { GET: 'viewer', POST: 'admin' },
  '/api/config/trusted-cas/[name]': { DELETE: 'admin' },
  '/api/runs/[id]/resume': { POST: 'operator' },
  '/api/secrets': { GET: 'viewer' },
  '/api/secrets/[name]': { PUT: 'admin', DELETE: 'admin' },
};
/**
 * Routes that also take a credential that needs no user (the metrics token, a member's peer
 * token): the wrapper lets every caller in and the handler checks the user itself, so they declare
 * 'public' while the matrix holds the level a signed-in caller needs (checked by the calls below).
 */
const AUTHENTICATES_ITSELF = new Set(['GET /api/metrics', 'GET /api/logs/system']);
/** next-auth's own endpoints (sign-in, session, CSRF) are public by nature and not behind withApi. */
const NOT_WRAPPED = new Set(['/api/auth/[...nextauth]']);

const API_DIR = path.resolve(import.meta.dirname, '..', '..', 'app', 'api');
const RANK: Record<TLevel, number> = { public: 0, viewer: 1, operator: 2, admin: 3 };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Every route.ts under app/api, with the methods it exports. */
function discoverRoutes(): { route: string; methods: TMethod[]; source: string }[] {
  const found: { route: string; methods: TMethod[]; source: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts') {
        const source = readFileSync(full, 'utf8');
        const methods = [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((match) => match[1] as TMethod);
        found.push({
          route: `/api/${path.relative(API_DIR, dir).split(path.sep).join('/')}`.replace(/\/$/, ''),
          methods,
          source,
        });
      }
    }
  };
  walk(API_DIR);
  return found;
}

const concrete = (route: string) =>
  route.replace('[id]', UNKNOWN_ID).replace('[name]', 'no-such-workflow').replace('[version]', '999999');

let node: NodeProcess;
const credentials: Record<Exclude<TLevel, 'public'>, string> = {
  viewer: basicAuth('matrix-viewer', 'viewer-password-1'),
  operator: basicAuth('matrix-operator', 'operator-password-1'),
  admin: basicAuth('root', ROOT_PASSWORD),
};

async function send(route: string, method: TMethod, headers: Record<string, string>): Promise<number> {
  const write = method !== 'GET';
  const response = await fetch(`${node.url}${concrete(route)}`, {
    method,
    headers: { ...headers, ...(write ? { 'content-type': 'application/json' } : {}) },
    body: write ? '{ not json' : undefined,
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  node = await startNode({ name: 'matrix' });
  for (const [name, role, password] of [
    ['matrix-viewer', 'viewer', 'viewer-password-1'],
    ['matrix-operator', 'operator', 'operator-password-1'],
  ]) {
    const response = await fetch(`${node.url}/api/users`, {
      method: 'POST',
      headers: { authorization: credentials.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name, role, password }),
    });
    expect(response.status).toBe(201);
  }
});
afterAll(stopAllNodes);

describe('authorization matrix', () => {
  const routes = discoverRoutes();

  it('lists every route and method the application has, and nothing else', () => {
    const discovered = Object.fromEntries(
      routes.filter((entry) => !NOT_WRAPPED.has(entry.route)).map((entry) => [entry.route, [...entry.methods].sort()]),
    );
    const declared = Object.fromEntries(Object.entries(MATRIX).map(([route, methods]) => [route, Object.keys(methods).sort()]));
    expect(discovered).toEqual(declared);
  });

  it('every route goes through the API wrapper with the role the matrix says', () => {
    for (const { route, source } of routes.filter((entry) => !NOT_WRAPPED.has(entry.route))) {
      for (const [method, level] of Object.entries(MATRIX[route] ?? {})) {
        // a literal role, or an entry of ACTION_ROLES (lib/auth/permissions.ts)
        const declaration = source.match(
          new RegExp(`export const ${method} = withApi\\(\\s*\\{[\\s\\S]*?role: (?:'(\\w+)'|ACTION_ROLES\\.(\\w+))`),
        );
        const declared = declaration?.[1] ?? (declaration?.[2] ? ACTION_ROLES[declaration[2] as TAction] : undefined);
        expect(declared, `${method} ${route}`).toBe(AUTHENTICATES_ITSELF.has(`${method} ${route}`) ? 'public' : level);
      }
    }
  });

  it('anonymous, viewer, operator and admin each get exactly what the matrix allows', async () => {
    const failures: string[] = [];
    for (const [route, methods] of Object.entries(MATRIX)) {
      for (const [method, level] of Object.entries(methods) as [TMethod, TLevel][]) {
        for (const who of ['public', 'viewer', 'operator', 'admin'] as const) {
          const status = await send(route, method, who === 'public' ? {} : { authorization: credentials[who] });
          const allowed = RANK[who] >= RANK[level];
          const expected = allowed ? 'not 401/403' : who === 'public' ? '401' : '403';
          const ok = allowed ? status !== 401 && status !== 403 : status === (who === 'public' ? 401 : 403);
          if (!ok) failures.push(`${method} ${route} as ${who}: ${status}, expected ${expected}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every cookie-authenticated write from another origin', async () => {
    const { cookie } = await signIn(node.url, 'root', ROOT_PASSWORD);
    const failures: string[] = [];
    for (const [route, methods] of Object.entries(MATRIX)) {
      for (const [method, level] of Object.entries(methods) as [TMethod, TLevel][]) {
        if (method === 'GET' || level === 'public') continue;
        const status = await send(route, method, { cookie, origin: 'https://evil.example' });
        if (status !== 403) failures.push(`${method} ${route}: ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('sends the security headers on pages and API answers', async () => {
    for (const route of ['/login', '/api/health']) {
      const response = await fetch(`${node.url}${route}`);
      expect(response.headers.get('content-security-policy'), route).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options'), route).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), route).toBe('DENY');
    }
  });
});
