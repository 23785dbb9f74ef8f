#!/usr/bin/env node
// A static server for the browser page (web/) and the browser bundle (dist/browser/), on loopback.
// It sends the two cross-origin isolation headers (COOP/COEP) that give a page SharedArrayBuffer,
// which gpu.js needs for threaded webasm, and precise timers.
// Run `node web/server.mjs [port]` and open the printed address.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVED = ['web/', 'dist/browser/'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.css': 'text/css', '.txt': 'text/plain' };

/** Starts the server on 127.0.0.1:`port` (0 picks a free port); resolves to its base URL and a close function. */
export function startServer(port = 0) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const rel = path === '' ? 'web/index.html' : path;
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    if (!SERVED.some((p) => rel.startsWith(p)) || rel.includes('..')) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    try {
      const body = await readFile(join(root, rel));
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolveStart({ url: `http://127.0.0.1:${bound}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer(Number(process.argv[2] ?? 8123));
  console.log(`manyworlds page: ${url}web/index.html (Ctrl-C stops)`);
}
