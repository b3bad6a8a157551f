// A fault-injecting HTTP proxy in front of the real server, for the sync
// tests: the browser talks to the proxy, the proxy to branchpulse-server.
// Only batch uploads (POST /api/v1/responses) and photo chunks (PUT
// /api/v1/evidence/ID/content) are ever disturbed; pages, assets and other
// API calls pass through untouched.
//
// Modes: pass; down (the connection is cut); fail-odd (500 on odd batches);
// drop-reply (the server stores, the client never hears); slow (the reply
// comes `slowMs` late); poison (500, as the server answers when its
// database fails, for every batch that holds the response id `poison`).
import http from 'node:http';

/// Cut a photo chunk's connection partway through an answer. Chromium
/// silently sends a request again (up to twice) when a reused connection
/// closes before any byte of its answer, taking it for a stale keep-alive;
/// the resent chunk would meet the next fault, or pass, and the app would
/// never see the cut it is tested against.
function cutMidAnswer(req) {
  req.socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n{"id');
}

export async function startProxy(target) {
  const upstream = new URL(target);
  const proxy = {
    // pass | down | fail-odd | drop-reply | slow | poison
    mode: 'pass',
    slowMs: 0,
    // The response id that makes a batch fail, in mode poison.
    poison: null,
    // How many more batches the current fault applies to (Infinity: all).
    remaining: Infinity,
    batches: 0,
    // Faults for the next photo chunks, one each, in order ('down',
    // 'drop-reply'); and the offset of every chunk seen.
    chunkFaults: [],
    chunks: [],
    // Every response id the proxy saw uploaded, in order (with repeats).
    uploaded: [],
    url: '',
  };

  const server = http.createServer((req, res) => {
    const isBatch = req.method === 'POST' && req.url.startsWith('/api/v1/responses');
    const isChunk = req.method === 'PUT' && /^\/api\/v1\/evidence\/[^/]+\/content/.test(req.url);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let mode = 'pass';
      if (isBatch) {
        proxy.batches += 1;
        const ids = [];
        try {
          for (const r of JSON.parse(body.toString()).responses ?? []) ids.push(r.id);
        } catch { /* not JSON: the server will say so */ }
        proxy.uploaded.push(...ids);
        if (proxy.remaining > 0 && proxy.mode !== 'pass') {
          mode = proxy.mode;
          if (mode === 'poison' && !ids.includes(proxy.poison)) mode = 'pass';
          else if (mode !== 'fail-odd' || proxy.batches % 2 === 1) proxy.remaining -= 1;
        }
      }
      if (isChunk) {
        proxy.chunks.push(Number(new URL(req.url, 'http://proxy').searchParams.get('offset')));
        if (proxy.chunkFaults.length > 0) mode = proxy.chunkFaults.shift();
      }
      if (mode === 'down') {
        if (isChunk) cutMidAnswer(req);
        else req.socket.destroy();
        return;
      }
      if (mode === 'poison') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal server error; the details are in the server\'s log"}');
        return;
      }
      if (mode === 'fail-odd' && proxy.batches % 2 === 1) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"injected failure"}');
        return;
      }
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          const upChunks = [];
          up.on('data', (c) => upChunks.push(c));
          up.on('end', () => {
            if (mode === 'drop-reply') {
              // The server has committed the batch; the client never hears it.
              if (isChunk) cutMidAnswer(req);
              else req.socket.destroy();
              return;
            }
            const send = () => {
              if (res.destroyed || req.socket.destroyed) return;
              res.writeHead(up.statusCode, up.headers);
              res.end(Buffer.concat(upChunks));
            };
            if (mode === 'slow') setTimeout(send, proxy.slowMs);
            else send();
          });
        },
      );
      out.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      out.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.set = (mode, { times = Infinity, slowMs = 0, poison = null } = {}) => {
    proxy.mode = mode;
    proxy.remaining = times;
    proxy.slowMs = slowMs;
    proxy.poison = poison;
  };
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    });
  return proxy;
}
