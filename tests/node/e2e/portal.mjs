// The customer's journey through the portal in a real headless browser (Debian's chromium,
// driven by playwright-core): open the magic link from the invite email, confirm, fill the
// application form and save it; then the session lapses (its cookie is gone): /portal offers
// "Email me a new link", the old link no longer works and the new one (which the test reads
// from the SMTP server and writes to stdin when this prints "link-requested") brings the
// customer back to what they saved; upload a PDF, correct a field in the review, correct
// another and submit without saving (the submission keeps it).
//
// Usage: node portal.mjs <magic link> <pdf path> [screenshot dir]
// Finds every control by its accessible role and label, as a screen reader would: a form
// that loses its labels fails here. On every page, axe-core finds no serious or critical
// violation, the stylesheet applies, and nothing breaks the Content-Security-Policy.
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { auditor } from "./audit.mjs";

const [link, pdf, shots] = process.argv.slice(2);
if (!link || !pdf) {
  console.error("usage: node portal.mjs <magic link> <pdf path>");
  process.exit(2);
}

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const step = (name) => console.log(`step: ${name}`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
// A phone-sized window: the portal must work there.
const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
const cspViolations = [];
page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
page.on("pageerror", (e) => cspViolations.push(`script error: ${e.message}`));

const checks = auditor(page, cspViolations);
// Each step as the customer sees it on a phone (the README shows them).
const shot = async (name) => { if (shots) await page.screenshot({ path: `${shots}/portal-${name}.png`, fullPage: true }); };
async function audit(name) {
  // The stylesheet (our own, the only style the policy allows) applied: the skip link is off-screen.
  const position = await page.locator("a.skip").evaluate((a) => getComputedStyle(a).position);
  if (position !== "absolute") throw new Error(`the stylesheet did not apply on ${name}`);
  await checks(name);
}
try {
  page.setDefaultTimeout(15000);

  step("open the magic link");
  await page.goto(link);
  await audit("the invitation");
  await shot("1-invitation");
  await page.getByRole("button", { name: "Continue to my application" }).click();
  await page.waitForURL(/\/portal$/);
  await audit("the application form");

  step("fill the application");
  await page.getByLabel("Registered company name").fill("Acme Holdings Ltd");
  await page.getByLabel("Company registration number (optional)").fill("01234567");
  await page.getByLabel("Country of incorporation (optional)").selectOption({ label: "United Kingdom" });
  await page.getByLabel("Registered address").fill("10 High Street, London EC1A 1AA");
  const director = page.getByRole("group", { name: "Director 1", exact: true });
  await director.getByLabel("Full name").fill("J Smith");
  await director.getByLabel("Email address").fill("j.smith@acme.example");
  await director.getByLabel("Date of birth (optional)").fill("1975-04-02");

  step("add a second shareholder row without losing what is typed");
  const holder = page.getByRole("group", { name: "Shareholder 1 (if any)" });
  await holder.getByLabel("Full name").fill("Holdco Ltd");
  await holder.getByLabel("Email address").fill("cosec@holdco.example");
  await holder.getByLabel("Ownership (%)").fill("100");
  await page.getByRole("button", { name: "Add another shareholder" }).click();
  await page.getByRole("group", { name: "Shareholder 3 (if any)" }).waitFor();
  if ((await page.getByRole("group", { name: "Shareholder 1 (if any)" }).getByLabel("Full name").inputValue()) !== "Holdco Ltd") {
    throw new Error("adding a row lost what was typed");
  }
  await audit("the form with another row");
  await shot("2-application");
  await page.getByRole("button", { name: "Save application" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.getByRole("heading", { name: "3. Review and submit" }).waitFor();
  await audit("the review");
  await shot("3-review");

  step("the session lapses: ask for a new link by email and come back");
  await page.context().clearCookies();
  await page.goto(new URL("/portal", link).href);
  await page.getByRole("heading", { name: "Email me a new link" }).waitFor();
  await audit("the way back in");
  await shot("4-way-back-in");
  await page.getByLabel("Your email address").fill("jane@acme.example");
  await page.getByRole("button", { name: "Email me a new link" }).click();
  await page.getByText("we have emailed it a new secure link").waitFor();
  // The test reads the email from the SMTP server and hands the link over.
  console.log("link-requested");
  const fresh = (await lines.next()).value;
  if (!fresh || !fresh.includes("/portal/invite/")) throw new Error(`expected a new link, got ${fresh}`);
  await page.goto(link);
  await page.getByText(/cannot be used|no longer works|already been used/i).first().waitFor();
  await page.getByRole("heading", { name: "Email me a new link" }).waitFor();
  await page.goto(fresh);
  await page.getByRole("button", { name: "Continue to my application" }).click();
  await page.getByRole("heading", { name: "3. Review and submit" }).waitFor();
  if ((await page.getByLabel("Registered company name").inputValue()) !== "Acme Holdings Ltd") {
    throw new Error("coming back lost the saved application");
  }

  step("upload a PDF");
  await page.getByLabel("Files to upload").setInputFiles(pdf);
  await page.getByRole("button", { name: "Upload documents", exact: true }).click();
  await page.getByRole("listitem").filter({ hasText: /\.pdf$/ }).first().waitFor();

  step("correct a field");
  const address = page.getByLabel("Registered address");
  if ((await address.inputValue()) !== "10 High Street, London EC1A 1AA") {
    throw new Error("the review does not show the address on file");
  }
  await address.fill("10 High Street, London EC1A 1BB");
  await page.getByRole("button", { name: "Save corrections" }).click();
  await page.getByRole("heading", { name: "3. Review and submit" }).waitFor();
  if ((await page.getByLabel("Registered address").inputValue()) !== "10 High Street, London EC1A 1BB") {
    throw new Error("the saved correction is not shown");
  }

  step("correct again and submit without saving");
  await page.getByLabel("Registered company name").fill("Acme Holdings Limited");
  step("submit");
  await page.getByRole("button", { name: "Submit application" }).click();
  await page.getByText("Your application has been submitted").waitFor();
  await audit("the submitted case");
  await shot("5-submitted");
  console.log("ok");
} catch (e) {
  // What the customer saw when it went wrong.
  console.error(`at ${page.url()}:\n${await page.locator("body").innerText().catch(() => "(no page)")}`);
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
  // stdin stays open (the test may still write): leave explicitly.
  process.exit(process.exitCode || 0);
}
