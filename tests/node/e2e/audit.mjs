// The checks every page of the browser journeys passes, at a desktop, a tablet and a phone
// width: axe-core finds no serious or critical violation, nothing is wider than the window
// except inside a marked scroll region (an element with role="region", which the page makes
// focusable so it can be scrolled from the keyboard), and nothing broke the
// Content-Security-Policy.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const WIDTHS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "tablet", width: 820, height: 1180 },
  { name: "phone", width: 390, height: 844 },
];

/// What sticks out past the window's right edge, outside any scroll region (at most five).
function overflowing() {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1 || el.closest("[role=region], pre")) continue;
    // Only the outermost offender of each branch.
    if (el.parentElement && out.some((o) => o.el.contains(el))) continue;
    out.push({ el, text: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + String(el.className).replace(/ /g, ".") : ""} (right edge ${Math.round(r.right)} > ${width})` });
    if (out.length === 5) break;
  }
  return out.length ? out.map((o) => o.text) : [`the page is ${document.documentElement.scrollWidth}px wide`];
}

export function auditor(page, cspViolations) {
  return async function audit(name) {
    const before = page.viewportSize();
    try {
      for (const w of WIDTHS) {
        await page.setViewportSize({ width: w.width, height: w.height });
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) {
          const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
          throw new Error(`accessibility violations on ${name} (${w.name}):\n${detail.join("\n")}`);
        }
        const wide = await page.evaluate(overflowing);
        if (wide.length) throw new Error(`wider than the ${w.name} window on ${name}:\n  ${wide.join("\n  ")}`);
      }
    } finally {
      await page.setViewportSize(before);
    }
    if (cspViolations.length) throw new Error(`CSP violations on ${name}:\n${cspViolations.join("\n")}`);
  };
}
