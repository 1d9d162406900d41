'use strict';
// A listener leak in a real library: an HTTP server (node's http module, real
// requests over loopback) creates a winston logger per request, piped into
// one shared File transport, and never closes it. Each logger stays
// reachable through the listeners its pipe adds to the transport's `_events`
// (unpipe, error, close, finish, ...): ~3,000 DerivedLogger objects held by
// one `File` transport. The server, its sockets and timers are the usual
// other roots.
// Usage: NODE_PATH=/work/scratch/holders/node_modules node tests/gen/winston-listeners.js OUT.heapsnapshot [--levels N]
//        (default 3000 requests; needs `npm install winston@3.19.0` in that folder)
const http = require('http');
const os = require('os');
const path = require('path');
const winston = require('winston');
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('winston-listeners', 3000);

const logFile = path.join(os.tmpdir(), `winston-listeners-${process.pid}.log`);
const shared = new winston.transports.File({filename: logFile});

function handle(req, res) {
  // the leak: one logger per request, piped into the shared transport, never closed
  const log = winston.createLogger({
    level: 'info',
    defaultMeta: {requestId: req.headers['x-request-id'], path: req.url},
    transports: [shared],
  });
  log.info('request', {method: req.method});
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ok: true, id: req.headers['x-request-id']}));
}

const server = http.createServer(handle);
const agent = new http.Agent({keepAlive: true, maxSockets: 8});

function request(i) {
  return new Promise((resolve, reject) => {
    const req = http.get({port: server.address().port, host: '127.0.0.1', path: `/orders/${i}`, agent,
                          headers: {'x-request-id': `req-${i}`}}, res => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  for (let i = 0; i < levels; i += 8) {
    const batch = [];
    for (let k = i; k < Math.min(levels, i + 8); k++) batch.push(request(k));
    await Promise.all(batch);
  }
  await new Promise(resolve => setTimeout(resolve, 200)); // let the file transport drain
  snapshot(out, {requests: levels, winston: require('winston/package.json').version});
  agent.destroy();
  server.close();
  shared.close();
  require('fs').rmSync(logFile, {force: true});
});
