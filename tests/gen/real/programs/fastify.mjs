// A Fastify server (routes with a JSON schema, hooks, an in-memory store), listening on
// 127.0.0.1, serving ctx.hammer's requests; still listening at the snapshot.
export async function run({ require, hammer }) {
  const fastify = require('fastify')({ logger: false });
  const notes = new Map();
  fastify.addHook('onRequest', async (req) => { req.startedAt = Date.now(); });
  fastify.get('/notes/:id', async (req, reply) => {
    const note = notes.get(req.params.id);
    if (!note) return reply.code(404).send({ error: 'no such note' });
    return note;
  });
  fastify.post('/notes', {
    schema: { body: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } },
  }, async (req, reply) => {
    const id = String(notes.size + 1);
    notes.set(id, { id, ...req.body, at: Date.now() });
    return reply.code(201).send({ id });
  });
  fastify.get('/health', async () => 'ok');
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const served = await hammer(fastify.server.address().port);
  return { summary: { version: fastify.version, served, notes: notes.size }, fastify };
}
