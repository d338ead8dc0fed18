// Runs the guide's Express receiver (express_receiver.mjs, copied unchanged from the Webhook
// Integration Guide) as a process the tests can reach. The guide's code builds the app but
// leaves listening and `handleAsync` to the integrator; this harness supplies both without
// touching that file: it prints `PORT <n>` once listening, and one JSON line per event the
// receiver accepted.
import express from 'express';

globalThis.handleAsync = async (event, payload) => {
  console.log(JSON.stringify({ accepted: event, eventId: payload.eventId }));
};

const post = express.application.post;
express.application.post = function (...args) {
  const result = post.apply(this, args);
  if (!this.fmlListening) {
    this.fmlListening = true;
    const server = this.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
  }
  return result;
};

// FML_RECEIVER names another receiver file beside this one (the corrected one).
await import('./' + (process.env.FML_RECEIVER || 'express_receiver.mjs'));
