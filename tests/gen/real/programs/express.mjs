// An Express server (JSON API with a router, params, a body parser and an in-memory store),
// started on 127.0.0.1, serving the request mix of ctx.hammer; still listening at the snapshot.
export async function run({ require, hammer }) {
  const express = require('express');
  const app = express();
  const notes = new Map();
  app.use(express.json());
  app.get('/notes/:id', (req, res) => {
    const note = notes.get(req.params.id);
    if (!note) return res.status(404).json({ error: 'no such note' });
    res.json(note);
  });
  app.post('/notes', (req, res) => {
    const id = String(notes.size + 1);
    notes.set(id, { id, ...req.body, at: Date.now() });
    res.status(201).json({ id });
  });
  app.get('/health', (req, res) => res.send('ok'));
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const served = await hammer(server.address().port);
  return { summary: { version: require('express/package.json').version, served, notes: notes.size }, app, server };
}
