// Verifies one delivery with the Standard Webhooks reference library (npm `standardwebhooks`).
// Reads {"secret", "headers", "body"} as JSON on stdin; prints the verified event's type and
// exits 0, or prints why and exits 1.
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const msg = JSON.parse(input);
try {
  const event = new Webhook(msg.secret).verify(msg.body, msg.headers);
  console.log(event.event);
} catch (e) {
  console.log(`refused: ${e.message}`);
  process.exit(1);
}
