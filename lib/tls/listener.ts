/**
 * The node's listening socket. (Filled in by the TLS work: HTTPS when a certificate is
 * configured; until then plain HTTP.)
 */
import http from 'node:http';

export type TRequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function createNodeListener(_dataDir: string, handler: TRequestHandler): Promise<http.Server> {
  return http.createServer(handler);
}
