// The analyst console in a real headless browser (Debian's chromium driven by playwright-core),
// the guide's journey end to end: sign in, create an API client and read its secret once, add
// an endpoint pointing at a local receiver after "Send test ping", open a case through the
// Public API and find it with its "API · HubSpot" badge, approve it, watch the decision arrive
// in Recent Deliveries, stop the receiver and see the failure and the next retry, restart it
// and press Redeliver. Every main page passes ./audit.mjs at desktop, tablet and phone widths
// (axe-core, no overflow outside a scroll region, the Content-Security-Policy kept).
// Screenshots are saved.
//
// Then a high-risk case (its director a sanctions match): the hit form starts with no
// disposition, and approving asks for the reason on the page before it overrides. Then a case
// from the public application link: no identity link went out until "Send identity links".
//
// Usage: node console.mjs <base url> <admin email> <password> <screenshot dir>
// Talks to the Rust test on stdio: prints "case <id>" and waits for "submitted" (the test
// has the customer submit through the portal, which needs the invite from the outbox); prints
// "risky" and waits for the id of a case the test made high-risk (screened and routed); prints
// "public" and waits for the id of a submitted public-link case.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { auditor } from "./audit.mjs";

const [base, email, password, shots] = process.argv.slice(2);
if (!base || !email || !password || !shots) {
  console.error("usage: node console.mjs <base url> <admin email> <password> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const step = (name) => console.log(`step: ${name}`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// The webhook receiver: verifies the HMAC of every request with the secret typed in the form.
const SECRET = "whsec_e2e_0123456789abcdef";
// The smallest PDF the server recognises (it is read from its bytes, not its name).
const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const received = [];
let sockets = new Set();
function handler(req, res) {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const want = "sha256=" + createHmac("sha256", SECRET).update(raw).digest("hex");
    if (req.headers["x-fml-signature"] !== want) {
      res.writeHead(401).end("bad signature");
      return;
    }
    received.push({ ...JSON.parse(raw.toString("utf8")), deliveryId: req.headers["x-fml-delivery-id"] });
    res.writeHead(200, { "content-type": "text/plain" }).end("ok from the e2e receiver");
  });
}
let receiver = createServer(handler);
receiver.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const port = receiver.address().port;
const hookUrl = `http://127.0.0.1:${port}/hook`;

async function stopReceiver() {
  await new Promise((r) => { receiver.close(r); sockets.forEach((s) => s.destroy()); });
}
async function startReceiver() {
  receiver = createServer(handler);
  sockets = new Set();
  receiver.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise((r) => receiver.listen(port, "127.0.0.1", r));
}

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const cspViolations = [];
page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
page.on("pageerror", (e) => cspViolations.push(`script error: ${e.message}`));

const audit = auditor(page, cspViolations);
const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

async function apiToken(clientId, clientSecret) {
  const r = await fetch(`${base}/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${await r.text()}`);
  return (await r.json()).access_token;
}
async function openCase(token, crm) {
  const r = await fetch(`${base}/v1/cases`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": `e2e-${crm}` },
    body: JSON.stringify({
      customerEmail: "jane@acme.example", customerName: "Jane Doe", companyName: `Acme ${crm} Ltd`,
      country: "United Kingdom", crmRecordId: crm, crmSource: "hubspot", sendInvite: true,
    }),
  });
  if (r.status !== 201) throw new Error(`create case: ${r.status} ${await r.text()}`);
  return r.json();
}

try {
  page.setDefaultTimeout(15000);

  step("sign in");
  await page.goto(`${base}/`);
  await page.waitForURL(/\/sign-in/);
  await audit("sign-in");
  await shot("sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "The email or password is incorrect." }).waitFor();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/cases$/);
  await page.getByText("No cases yet").waitFor();
  await audit("empty dashboard");

  step("create an API client and read its secret once");
  await page.getByRole("link", { name: "Public Pull API" }).click();
  await page.getByLabel("Name").fill("HubSpot workflow");
  if (!(await page.getByRole("checkbox", { name: /cases:write/ }).isChecked())) throw new Error("cases:write is not ticked by default");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByRole("heading", { name: "Client created" }).waitFor();
  await page.getByText("It will not be shown again").waitFor();
  const clientId = (await page.locator("#minted-id").textContent()).trim();
  const clientSecret = (await page.locator("#minted-secret").textContent()).trim();
  if (!clientSecret.startsWith("fml_sk_")) throw new Error(`unexpected secret ${clientSecret}`);
  await page.getByRole("button", { name: "Copy" }).first().waitFor();
  await audit("API clients");
  await shot("api-clients");
  // A reload after creating shows the list again: one client, the secret gone.
  await page.reload();
  if ((await page.content()).includes(clientSecret)) throw new Error("the client secret was shown twice");
  if ((await page.getByRole("row", { name: /HubSpot workflow/ }).count()) !== 1) throw new Error("a reload made a second client");

  step("extend the client's scopes");
  await page.getByRole("link", { name: "Edit scopes of HubSpot workflow" }).click();
  await page.getByRole("checkbox", { name: /^cases:read/ }).check();
  await audit("client scopes");
  await page.getByRole("button", { name: "Save scopes" }).click();
  await page.getByText("Scopes saved.").waitFor();
  await page.getByRole("row", { name: /HubSpot workflow/ }).getByText("cases:read").waitFor();

  step("add an endpoint after a test ping");
  await page.getByRole("link", { name: "Outbound Webhooks" }).click();
  await page.getByText("No endpoints yet").waitFor();
  await page.getByRole("link", { name: "Add Endpoint" }).first().click();
  const boxes = page.locator('input[name="eventTypes"]');
  const total = await boxes.count();
  const ticked = await page.locator('input[name="eventTypes"]:checked').count();
  if (total !== 27 || ticked !== 27) throw new Error(`expected all 27 event types ticked, got ${ticked}/${total}`);
  await page.getByRole("button", { name: "Select none" }).click();
  if ((await page.locator('input[name="eventTypes"]:checked').count()) !== 0) throw new Error("Select none left some ticked");
  await page.getByRole("button", { name: "Select all" }).click();
  if ((await page.locator('input[name="eventTypes"]:checked').count()) !== 27) throw new Error("Select all did not tick all 27");
  // This test server delivers to loopback (the receiver is on it): the form says so.
  await page.getByText("also delivers to private and loopback addresses").waitFor();
  await page.getByLabel("URL").fill(hookUrl);
  await page.getByLabel("Label").fill("HubSpot receiver");
  await page.getByLabel("Secret", { exact: true }).fill(SECRET);
  await page.getByRole("button", { name: "Send test ping" }).click();
  await page.locator("#ping-result").getByText("HTTP 200").waitFor();
  await page.locator("#ping-result").getByText("ok from the e2e receiver").waitFor();
  if (received.at(-1)?.event !== "ping") throw new Error("the receiver did not get the signed ping");
  // The ping is a test delivery: its id is on the wire and linked from the answer.
  const pingLink = page.locator("#ping-result").getByRole("link", { name: /^Delivery \d+$/ });
  const pingId = (await pingLink.textContent()).replace("Delivery ", "");
  if (received.at(-1).deliveryId !== pingId) throw new Error(`ping sent as delivery ${received.at(-1).deliveryId}, shown as ${pingId}`);
  await audit("add endpoint");
  await shot("add-endpoint");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("heading", { name: /Signing secret for/ }).waitFor();
  if ((await page.locator("#endpoint-secret").textContent()).trim() !== SECRET) throw new Error("the saved secret is not the one typed");
  await page.getByRole("button", { name: "Test HubSpot receiver" }).click();
  await page.getByRole("row", { name: /HubSpot receiver/ }).getByText("HTTP 200").waitFor();
  await audit("webhooks");
  await shot("webhooks");

  step("a case from the Public API appears with its badge");
  const token = await apiToken(clientId, clientSecret);
  const created = await openCase(token, "hs-company-4711");
  console.log(`case ${created.caseId}`);
  const reply = await lines.next();
  if (reply.value !== "submitted") throw new Error(`expected "submitted" from the test, got ${reply.value}`);
  await page.getByRole("link", { name: "Cases", exact: true }).click();
  const row = page.getByRole("row", { name: /Acme hs-company-4711 Ltd/ });
  await row.getByText("API · HubSpot").waitFor();
  await row.getByText("In review").waitFor();
  await audit("dashboard");
  await shot("dashboard");
  await page.setViewportSize({ width: 820, height: 1180 });
  await shot("dashboard-tablet");
  await page.setViewportSize({ width: 1280, height: 900 });

  step("open the case, upload a passport and attach it to the director's profile");
  await row.getByRole("link", { name: created.caseReference }).click();
  await page.getByRole("heading", { name: "Acme hs-company-4711 Ltd" }).waitFor();
  await audit("case view");
  await shot("case");
  await page.screenshot({ path: `${shots}/case-top.png` });
  await page.getByLabel("Add documents").setInputFiles({ name: "j-smith-passport.pdf", mimeType: "application/pdf", buffer: PDF });
  await page.locator("[data-dropzone-list]").getByText("Chosen: j-smith-passport.pdf").waitFor();
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByText("Document uploaded; it is being read now.").waitFor();
  await page.locator("#documents").getByRole("link", { name: "j-smith-passport.pdf" }).first().waitFor();
  await page.getByRole("button", { name: "Mark J Smith as a new person" }).click();
  await page.getByText("Person updated.").waitFor();
  await page.getByLabel("Passport or ID document").selectOption({ label: "j-smith-passport.pdf" });
  await page.getByRole("button", { name: "Attach to profile of J Smith" }).click();
  await page.getByText("The document is attached to the person's profile").waitFor();
  await page.locator("#people").getByText("ID on file: j-smith-passport.pdf").waitFor();
  await audit("case with a document attached");

  step("approve it");

  step("review the case: streamed as it runs, then the stored review on the page");
  await page.getByRole("button", { name: "Review the case now" }).click();
  await page.getByText("The case review is done; its recommendation is below.").waitFor();
  // The streamed path lands on the panel's anchor (the plain form post does not).
  if (!page.url().endsWith("?done=ai-review#ai-review")) throw new Error(`not streamed: ${page.url()}`);
  await page.locator("#ai-review").getByText(/Recommendation:/).waitFor();
  await page.getByLabel("Notes (optional)").fill("Registry and directors verified.");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await page.getByText("Case approved.").waitFor();
  await page.locator("#case-status").getByText("Approved").waitFor();

  step("the decision arrives in Recent Deliveries");
  await page.getByRole("link", { name: "Recent Deliveries" }).click();
  const decision = page.getByRole("row", { name: /case\.decision\.made/ });
  await decision.getByText("Delivered").waitFor();
  // The delivery id people share with support is on the row, in its own column, and the row
  // names the case by its reference.
  const decisionId = (await decision.locator("td").nth(0).textContent()).trim();
  if (!/^\d+$/.test(decisionId)) throw new Error(`no delivery id on the row: ${decisionId}`);
  if ((await decision.getAttribute("id")) !== `row-${decisionId}`) throw new Error("the id shown is not the row's delivery");
  await decision.getByRole("link", { name: /^CS-\d{4}-/ }).waitFor();
  // The pre-save ping and the Test are listed too, marked as tests, with nothing to redeliver.
  const pingRow = page.locator(`#row-${pingId}`);
  await pingRow.getByText("Test", { exact: true }).waitFor();
  if (await pingRow.getByRole("button", { name: /Redeliver/ }).count()) throw new Error("a test ping offers Redeliver");
  await page.locator("tr[id^=row-]").filter({ hasText: "HubSpot receiver" }).filter({ hasText: "ping" }).first().waitFor();
  if (!received.some((e) => e.event === "case.decision.made" && e.caseId === created.caseId)) {
    throw new Error("the receiver did not get case.decision.made");
  }
  await audit("recent deliveries");
  await shot("deliveries");

  step("stop the receiver: a new event fails and shows its next retry, live");
  await stopReceiver();
  const second = await openCase(token, "hs-company-4712");
  // The new case's own delivery: other events may fail meanwhile too (the approved case's
  // first monitoring run, at the scheduler's next slot).
  const pendingRow = page.locator("tr[id^=row-]").filter({ hasText: "Pending retry" }).filter({ hasText: "case.created" });
  await pendingRow.waitFor();
  const rowId = await pendingRow.getAttribute("id");
  const failing = page.locator(`#${rowId}`);
  if (!(await failing.textContent()).includes("case.created")) throw new Error("the failing delivery is not the new case's");
  await failing.getByText("no answer").waitFor();
  await failing.locator("td").nth(6).locator("time").waitFor();
  await failing.getByRole("button", { name: "Details" }).click();
  const details = page.locator("tr.detail:not([hidden])");
  await details.getByRole("heading", { name: "Attempts" }).waitFor();
  await details.getByText(second.caseId).first().waitFor();
  // The failure in words that say what to check; the transport's text is kept as the detail.
  await details.getByText("Your receiver refused the connection").first().waitFor();
  await shot("deliveries-failing");

  step("restart the receiver and press Redeliver");
  await startReceiver();
  await failing.getByRole("button", { name: "Redeliver" }).click();
  const redelivered = page.locator(`#${rowId}`);
  await redelivered.getByText("Delivered").waitFor();
  if ((await redelivered.locator("td").nth(5).textContent()).trim() !== "2") throw new Error("the redelivery is not attempt 2");
  if (!received.some((e) => e.event === "case.created" && e.caseId === second.caseId)) {
    throw new Error("the redelivery did not reach the receiver");
  }
  await audit("recent deliveries after redelivery");

  step("recover an endpoint's failed deliveries of a window, and watch the recovery finish");
  await page.goto(`${base}/config/webhooks`);
  await page.getByRole("link", { name: "Recover failed deliveries of HubSpot receiver" }).click();
  await page.getByLabel("Failed in").selectOption("1h");
  await page.getByRole("button", { name: "Recover failed deliveries" }).click();
  await page.getByText("Recovery started").waitFor();
  await page.getByRole("row").filter({ hasText: "re-queued" }).getByText("Done").waitFor();
  await audit("recover");

  step("a high-risk case: no default hit disposition, and approving asks for the reason");
  console.log("risky");
  const risky = (await lines.next()).value;
  await page.goto(`${base}/cases/${risky}`);
  await page.locator("#concerns").getByText("High-risk case.").waitFor();
  await page.locator(".risk-strip").getByText("Open hits").waitFor();
  const hitForm = page.locator("form[action*='/screening/hits/']").first();
  const hitSelect = hitForm.locator("select[name=disposition]");
  if ((await hitSelect.inputValue()) !== "") throw new Error("the hit disposition starts with a choice made");
  await hitForm.getByRole("button", { name: /Record/ }).click();
  if (!(await hitSelect.evaluate((el) => el.matches(":invalid")))) throw new Error("a hit was recorded with no choice");
  await hitSelect.selectOption("true_match");
  await hitForm.getByRole("button", { name: /Record/ }).click();
  await page.getByText("Your disposition of the hit is recorded.").waitFor();
  await page.locator("#concerns").getByText(/confirmed as a true match/).waitFor();
  await audit("high-risk case");
  await shot("case-high-risk");
  const reason = page.getByLabel("Reason for approving (required)");
  await page.getByRole("button", { name: "Approve (override)" }).click();
  if (!(await reason.evaluate((el) => el.matches(":invalid")))) throw new Error("the override went without a reason");
  await reason.fill("Director resigned in 2019; MLRO sign-off 4471.");
  await page.getByRole("button", { name: "Approve (override)" }).click();
  await page.getByText("Case approved.").waitFor();
  await page.locator("#case-status").getByText("Approved").waitFor();

  step("a public-link case: identity links wait for the analyst's button");
  console.log("public");
  const open = (await lines.next()).value;
  await page.goto(`${base}/cases/${open}`);
  const idv = page.locator("#idv");
  await idv.getByText("identity links go out only when an analyst sends them").waitFor();
  if ((await idv.locator(".idv-dispatched").count()) !== 0) throw new Error("links went out before the analyst sent them");
  await idv.getByRole("button", { name: "Send identity links to the 2 people without one" }).click();
  await page.getByText("Identity links were sent to everyone who needed one.").waitFor();
  if ((await page.locator("#idv .idv-dispatched").count()) !== 2) throw new Error("not both directors were sent a link");
  if ((await page.locator("#idv").getByRole("button", { name: /^Send identity links/ }).count()) !== 0) {
    throw new Error("the button stays after everyone has a link");
  }
  await audit("identity links sent");

  step("open a case by hand");
  await page.getByRole("link", { name: "Cases", exact: true }).click();
  await page.getByRole("link", { name: "New case" }).click();
  await page.getByRole("button", { name: "Open case" }).click();
  // The browser asks for the required fields first; the server's own check is in the API tests.
  await page.getByLabel("Company name").fill("Northwind Trading Ltd");
  await page.getByLabel("Country of incorporation").selectOption({ label: "United Kingdom" });
  await page.getByLabel("Contact name (optional)").fill("Nadia Patel");
  await page.getByLabel("Contact email").fill("nadia@northwind.example");
  await page.getByLabel("Email the invitation to the customer now").uncheck();
  await audit("new case");
  await shot("new-case");
  await page.getByRole("button", { name: "Open case" }).click();
  await page.getByText("Case opened.").waitFor();
  await page.getByRole("heading", { name: "Northwind Trading Ltd" }).waitFor();
  await page.locator(".case-head").getByText("Manual").waitFor();
  // A reload of the case page opens nothing more.
  await page.reload();
  await page.getByRole("link", { name: "Cases", exact: true }).click();
  if ((await page.getByRole("row", { name: /Northwind Trading Ltd/ }).count()) !== 1) throw new Error("the manual case is not listed once");

  step("event catalog and settings");
  await page.getByRole("link", { name: "Event catalog" }).click();
  await page.getByRole("link", { name: "case.decision.made", exact: true }).click();
  await page.getByRole("heading", { name: "Sample payload" }).waitFor();
  await audit("event");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Analysts and roles" }).waitFor();
  await audit("settings");
  await shot("settings");
  await page.goto(`${base}/settings/engines`);
  await page.getByRole("group", { name: "Weights" }).getByLabel("Screening results").fill("40");
  await page.locator("form[action='/settings/engines/risk-form']").getByRole("button", { name: "Save a new version" }).click();
  await page.getByText("Saved as a new version, now in force.").waitFor();
  await audit("engines");
  await shot("engines");

  step("sign out");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  console.log("ok");
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
  await stopReceiver().catch(() => {});
  process.exit(process.exitCode || 0);
}
