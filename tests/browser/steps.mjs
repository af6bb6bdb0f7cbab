// Drives Debian's chromium (through playwright-core) through a sequence of steps in one
// browser context (one session: cookies kept), for the partner editor's tests in
// tests/api/editor.rs. Input: one JSON argument {"width": 1000, "steps": [step...]}; output: one
// JSON line {"records": [...]}, one record per step that asks for one ("record": "name").
// A step does one thing:
//   goto URL                 open a page
//   fill {selector: value}   type into fields (cleared first)
//   check SELECTOR           tick a checkbox or choose a radio button
//   select {selector: value} choose an option
//   click SELECTOR           click (a submit button: waits for the next page)
//   tabTo SELECTOR           press Tab until focus is on the element (at most `max` presses,
//                            default 400); the record has `tabs`, how many it took
//   type TEXT                type into the focused element
//   press KEY                press a key (Enter on a form field submits it: waits for the page)
//   axe true                 run axe-core (WCAG 2.0/2.1 A and AA) on the page
//   screenshot PATH          save a full-page PNG
// A record has the page's url, status (of the last navigation), title, h1, lang, text (the
// visible text), errors (every .field-error: its id, text and the ids of the inputs that name it
// in aria-describedby), summary (the links of the error list), notices (role=status and
// role=alert texts), overflow (page wider than the window), values (of inputs with an id), actions (of the page's forms), cookies (name, secure, httpOnly,
// sameSite), axe (violations), tabs.
import { readFileSync } from "node:fs";
import { AXE, launch } from "./chromium.mjs";
const spec = JSON.parse(process.argv[2]);

const browser = await launch();
const context = await browser.newContext({ viewport: { width: spec.width || 1000, height: 900 }, locale: "fi-FI", timezoneId: "Europe/Helsinki" });
const page = await context.newPage();
const records = [];
let status = null;
let tabs = null;
let axe = null;
const consoleErrors = [];
// Script errors; an answer's HTTP status (a 422 form page, say) is what the records assert.
page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource: the server responded with a status of")) consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("response", (r) => { if (r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()) status = r.status(); });

async function navigating(action) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load", timeout: 30000 }), action()]);
}

let error = null;
try {
  for (const step of spec.steps) {
    if (step.goto) { const r = await page.goto(step.goto, { waitUntil: "load", timeout: 30000 }); status = r ? r.status() : null; }
    if (step.fill) for (const [sel, v] of Object.entries(step.fill)) await page.fill(sel, v);
    if (step.check) await page.check(step.check);
    if (step.select) for (const [sel, v] of Object.entries(step.select)) await page.selectOption(sel, v);
    if (step.click) await navigating(() => page.click(step.click));
    if (step.tabTo) {
      const max = step.max || 400;
      tabs = null;
      for (let i = 1; i <= max; i++) {
        await page.keyboard.press("Tab");
        if (await page.evaluate((sel) => document.activeElement && document.activeElement.matches(sel), step.tabTo)) { tabs = i; break; }
      }
      if (tabs === null) throw new Error(`Tab never reached ${step.tabTo} in ${max} presses`);
    }
    if (step.type) await page.keyboard.type(step.type);
    if (step.press) {
      if (step.press === "Enter") await navigating(() => page.keyboard.press("Enter"));
      else await page.keyboard.press(step.press);
    }
    if (step.axe) {
      // Evaluated, not added as a script tag: the editor's CSP (rightly) refuses inline scripts.
      await page.evaluate(readFileSync(AXE, "utf8"));
      axe = await page.evaluate(async () => {
        const res = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + n.failureSummary) }));
      });
    }
    if (step.screenshot) await page.screenshot({ path: step.screenshot, fullPage: true });
    if (step.record) {
      const r = await page.evaluate(() => ({
        url: location.href,
        title: document.title,
        lang: document.documentElement.lang,
        h1: (document.querySelector("h1") || {}).textContent || null,
        text: document.body.innerText,
        errors: [...document.querySelectorAll(".field-error")].map((e) => ({
          id: e.id,
          text: e.textContent.trim(),
          describes: [...document.querySelectorAll("[aria-describedby]")].filter((i) => i.getAttribute("aria-describedby").split(" ").includes(e.id)).map((i) => i.id),
        })),
        summary: [...document.querySelectorAll("[role=alert] a")].map((a) => ({ href: a.getAttribute("href"), text: a.textContent.trim() })),
        notices: [...document.querySelectorAll("[role=status], [role=alert]")].map((e) => e.textContent.trim()),
        overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
        actions: [...document.forms].map((f) => f.getAttribute("action")),
        values: Object.fromEntries([...document.querySelectorAll("input[id], select[id]")].map((i) => [i.id, (i.type === "checkbox" || i.type === "radio") ? i.checked : i.value])),
      }));
      r.name = step.record;
      r.status = status;
      r.tabs = tabs;
      r.axe = axe;
      r.cookies = (await context.cookies()).map((c) => ({ name: c.name, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite }));
      records.push(r);
      axe = null;
    }
  }
} catch (e) {
  error = String(e && e.stack || e);
}
await browser.close();
process.stdout.write(JSON.stringify({ records, error, consoleErrors }) + "\n");
