#!/usr/bin/env node
// A static file server for the built site, with no dependencies.
// usage: node scripts/serve.js [DIR]     (DIR defaults to build/site)
// Listens on 127.0.0.1 only; PORT sets the port (default 8000, 0 = any free
// port). Prints the URL once listening, so tests can spawn it and read it
// (startServerProcess does that).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.gpm': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// The headers a site asks for in its _headers file (the Netlify/Cloudflare
// Pages format: a path pattern, then indented "Name: value" lines; a
// pattern may end in *), from the nearest _headers at or above the file;
// patterns are relative to that file's folder. A site without one gets none.
function parseHeaderRules(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), headers: {} });
    else if (rules.length) {
      const at = line.indexOf(':');
      if (at > 0) rules[rules.length - 1].headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return rules;
}

function headersFor(root, file, cache) {
  let dir = path.dirname(file);
  for (;;) {
    if (!cache.has(dir)) {
      let rules = null;
      try {
        rules = parseHeaderRules(fs.readFileSync(path.join(dir, '_headers'), 'utf8'));
      } catch {}
      cache.set(dir, rules);
    }
    if (cache.get(dir) || dir === root || !dir.startsWith(root)) break;
    dir = path.dirname(dir);
  }
  const rules = cache.get(dir) || [];
  const rel = '/' + path.relative(dir, file).split(path.sep).join('/');
  const out = {};
  for (const r of rules) {
    const hit = r.pattern.endsWith('*') ? rel.startsWith(r.pattern.slice(0, -1)) : rel === r.pattern;
    if (hit) Object.assign(out, r.headers);
  }
  return out;
}

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(text + '\n');
}

// Maps a URL path to a file under root, or null if it would leave root.
function resolveInside(root, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function handler(root) {
  const headerCache = new Map(); // folder -> its _headers rules, or null
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    let url;
    try {
      url = new URL('http://localhost' + req.url); // not new URL(req.url, base): '//x' would be a host
    } catch {
      return send(res, 400, 'bad request');
    }
    let file = resolveInside(root, url.pathname);
    if (!file) return send(res, 400, 'bad path');
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        // relative URLs in index.html need the trailing slash
        // (one leading slash: '//host' would redirect off this server)
        const to = '/' + url.pathname.replace(/^\/+/, '') + '/' + url.search;
        if (!url.pathname.endsWith('/')) return send(res, 301, 'moved', { Location: to });
        file = path.join(file, 'index.html');
        try {
          st = fs.statSync(file);
        } catch (e) {
          err = e;
        }
      }
      if (err || !st.isFile()) return send(res, 404, 'not found');
      // symlinks must not lead outside root either
      let real = '';
      try {
        real = fs.realpathSync(file);
      } catch {}
      if (!real.startsWith(root + path.sep)) return send(res, 404, 'not found');
      // no-cache with a validator: the browser (and the service worker's
      // install) revalidates, and an unchanged file costs a 304, not a download
      const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' });
        return res.end();
      }
      res.writeHead(200, {
        ...headersFor(root, file, headerCache),
        'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
        ETag: etag,
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file, { highWaterMark: 1 << 20 })
        .on('error', () => res.destroy())
        .pipe(res);
    });
  };
}

// Starts serving dir; resolves to { server, port, url } once listening.
function serve(dir, port = 8000, host = '127.0.0.1') {
  const root = fs.realpathSync(path.resolve(dir));
  const server = http.createServer(handler(root));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({ server, port: actual, url: `http://${host}:${actual}/` });
    });
  });
}

// Runs this script as a child process serving dir on a free port (PORT=0);
// resolves to { child, url } once it has printed its URL. The caller stops
// the child.
function startServerProcess(dir, timeoutMs = 5000) {
  const child = spawn(process.execPath, [__filename, dir], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve.js printed no URL within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[0] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.js exited with ${code}`));
    });
  });
}

async function main() {
  const dir = process.argv[2] || path.join(__dirname, '..', 'build', 'site');
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be an integer in 0..65535, got '${process.env.PORT}'`);
    process.exit(2);
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`serve: '${dir}' is not a folder (build the site first: make site)`);
    process.exit(2);
  }
  try {
    const { url } = await serve(dir, port);
    console.log(`serving ${dir} at ${url}`);
  } catch (e) {
    if (e.code === 'EADDRINUSE') console.error(`serve: port ${port} is already in use; pick another, e.g. PORT=${port + 1}`);
    else console.error(`serve: cannot listen on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { serve, startServerProcess };
if (require.main === module) main();
