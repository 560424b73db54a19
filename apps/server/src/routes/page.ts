import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../context.js';
import { parseTags } from '../http/etags.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The page may load only its own files and talk only to this server; nothing may frame it. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface PageFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Serves the built web page (`index.html` at `/`, its hashed files under `/assets/`) without a
 * token: the page itself holds no data, and asks for a token before it calls the API. The files are
 * read once at startup and served from memory, so no part of a request's URL ever names a file on
 * disk.
 */
export async function pageRoutes(app: App, root: string): Promise<boolean> {
  const files = await loadFiles(root);
  const index = files.get('index.html');
  if (!index) {
    app.log.warn({ root }, 'the web page is not built: / is not served');
    return false;
  }
  const config = { auth: false };
  const schema = { hide: true, querystring: Type.Object({}, { additionalProperties: true }) };
  app.get('/', { config, schema }, async (request, reply) => send(request, reply, index, 'no-cache'));
  app.get('/assets/*', { config, schema }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = files.get(`assets/${name}`);
    if (!file) return reply.callNotFound();
    // Vite names built files by their content hash, so they never change under one URL.
    return send(request, reply, file, 'public, max-age=31536000, immutable');
  });
  return true;
}

function send(request: FastifyRequest, reply: FastifyReply, file: PageFile, cacheControl: string) {
  reply
    .header('content-type', file.type)
    .header('etag', file.etag)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', PAGE_POLICY);
  if (parseTags(request.headers['if-none-match']).includes(file.etag)) return reply.code(304).send();
  return reply.send(file.body);
}

async function loadFiles(root: string): Promise<Map<string, PageFile>> {
  const files = new Map<string, PageFile>();
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = await readFile(path.join(root, name)).catch(() => undefined);
    if (!body) continue; // a folder
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(name.split(path.sep).join('/'), { body, type, etag });
  }
  return files;
}
