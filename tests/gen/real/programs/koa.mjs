// A Koa server (middleware stack: timing header, error handler, a tiny router over an
// in-memory store), started on 127.0.0.1, serving ctx.hammer's requests; still listening.
export async function run({ require, hammer }) {
  const Koa = require('koa');
  const app = new Koa();
  const notes = new Map();
  app.use(async (ctx, next) => { const t = Date.now(); await next(); ctx.set('X-Time', String(Date.now() - t)); });
  app.use(async (ctx, next) => { try { await next(); } catch (e) { ctx.status = 500; ctx.body = { error: e.message }; } });
  app.use(async (ctx) => {
    const m = /^\/notes\/(\d+)$/.exec(ctx.path);
    if (ctx.method === 'POST' && ctx.path === '/notes') {
      let body = '';
      for await (const chunk of ctx.req) body += chunk;
      const id = String(notes.size + 1);
      notes.set(id, { id, ...JSON.parse(body), at: Date.now() });
      ctx.status = 201; ctx.body = { id };
    } else if (m) {
      const note = notes.get(m[1]);
      if (note) ctx.body = note; else { ctx.status = 404; ctx.body = { error: 'no such note' }; }
    } else if (ctx.path === '/health') ctx.body = 'ok';
    else ctx.status = 404;
  });
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const served = await hammer(server.address().port);
  return { summary: { version: require('koa/package.json').version, served, notes: notes.size }, app, server };
}
