// Drives Debian's chromium (through playwright-core) for the integration tests in
// tests/api/browser.rs. Input: one JSON argument, {"visits": [visit...]}; output: one JSON
// line with one result per visit. A visit:
//   url          page to open
//   waitFor      "widget" (wait until <digituki-directory> has rendered) or "load"
//   tabs         press Tab this many times and record where focus lands (also inside shadow roots)
//   axe          run axe-core (WCAG 2.0/2.1 A and AA rules) and return the violations
//   screenshot   save a full-page PNG here
//   bypassCSP    load with the page's CSP off (so that escaping, not CSP, is what is tested)
//   setAttributes  after the widget rendered, set these attributes on it at once and wait for it
//                to render again (apiRequests counts the API requests before, apiRequestsAfter after)
//   whenFields   on the staff form: record whether the date and time fields are disabled
//                initially, after choosing "at a given time", and after choosing "now" again
//   pdf          print to PDF (A4, print media) here; pdfPages counts its pages
// With waitFor "widget", widgetItems lists the places and widgetEvents the event occurrences
// (show="events": event, date, className, title, text), widgetMore the "show more" link
// ({href, text}) or null.
// Every result also has headings: the levels of h1-h6 in document order, inside shadow roots too.
import { AXE, launch } from "./chromium.mjs";
const spec = JSON.parse(process.argv[2]);

const browser = await launch();

// Text of the document including open shadow roots, in document order.
function deepText() {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    if (node.nodeName === "SCRIPT" || node.nodeName === "STYLE") return;
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const c of node.childNodes) walk(c);
  };
  walk(document.body);
  return out.join(" ").replace(/\s+/g, " ");
}

function deepCount(selector) {
  let n = 0;
  const walk = (root) => {
    n += root.querySelectorAll(selector).length;
    for (const e of root.querySelectorAll("*")) if (e.shadowRoot) walk(e.shadowRoot);
  };
  walk(document);
  return n;
}

function deepFocus() {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  const item = e.closest("[data-id]");
  return { tag: e.tagName.toLowerCase(), text: (e.textContent || "").trim().slice(0, 120), item: item ? item.dataset.id : null, href: e.getAttribute("href") };
}

const results = [];
for (const visit of spec.visits) {
  const context = await browser.newContext({ bypassCSP: !!visit.bypassCSP, viewport: { width: visit.width || 1000, height: 900 }, locale: "fi-FI", timezoneId: "Europe/Helsinki" });
  const page = await context.newPage();
  const r = { url: visit.url, dialogs: [], consoleErrors: [], pageErrors: [], requestsFailed: [] };
  page.on("dialog", async (d) => { r.dialogs.push(d.message()); await d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") r.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => r.pageErrors.push(String(e)));
  page.on("requestfailed", (q) => r.requestsFailed.push(q.url()));
  r.apiRequests = 0;
  page.on("request", (q) => { if (q.url().includes("/v1/locations")) r.apiRequests += 1; });
  try {
    const resp = await page.goto(visit.url, { waitUntil: "load", timeout: 30000 });
    r.status = resp ? resp.status() : null;
    if (visit.waitFor === "widget") {
      await page.waitForFunction(() => {
        const w = document.querySelector("digituki-directory");
        return w && w.shadowRoot && w.shadowRoot.querySelector("section") && !w.hasAttribute("aria-busy") && w.shadowRoot.querySelector("[role=status]");
      }, null, { timeout: 20000 });
      r.widgetItems = await page.evaluate(() => [...document.querySelector("digituki-directory").shadowRoot.querySelectorAll("li[data-id]")].map((li) => ({ id: li.dataset.id, name: li.querySelector("h3").textContent })));
      r.widgetHeading = await page.evaluate(() => document.querySelector("digituki-directory").shadowRoot.querySelector("h2").textContent);
      // show="events": the occurrences, each with its class (cancelled, moved) and text.
      r.widgetEvents = await page.evaluate(() => [...document.querySelector("digituki-directory").shadowRoot.querySelectorAll("li[data-event]")].map((li) => ({ event: li.dataset.event, date: li.dataset.date, className: li.className, title: li.querySelector("h3").textContent, text: li.textContent })));
      r.widgetMore = await page.evaluate(() => { const a = document.querySelector("digituki-directory").shadowRoot.querySelector("p.more a"); return a ? { href: a.href, text: a.textContent } : null; });
    }
    if (visit.setAttributes) {
      await page.waitForTimeout(200);
      const before = r.apiRequests;
      await page.evaluate((attrs) => {
        const w = document.querySelector("digituki-directory");
        for (const [k, v] of Object.entries(attrs)) w.setAttribute(k, v);
      }, visit.setAttributes);
      await page.waitForTimeout(300);
      await page.waitForFunction(() => !document.querySelector("digituki-directory").hasAttribute("aria-busy"), null, { timeout: 20000 });
      r.apiRequestsAfter = r.apiRequests - before;
      r.apiRequests = before;
      r.widgetItems = await page.evaluate(() => [...document.querySelector("digituki-directory").shadowRoot.querySelectorAll("li[data-id]")].map((li) => ({ id: li.dataset.id, name: li.querySelector("h3").textContent })));
    }
    if (visit.whenFields) {
      const state = () => page.evaluate(() => ({ date: document.getElementById("date").disabled, time: document.getElementById("time").disabled }));
      r.whenFields = { initial: await state() };
      await page.click("#when-at");
      r.whenFields.at = await state();
      await page.click("#when-now");
      r.whenFields.now = await state();
    }
    // Give any injected handler (onerror and the like) time to fire.
    await page.waitForTimeout(300);
    r.title = await page.title();
    r.lang = await page.evaluate(() => document.documentElement.lang);
    r.h1 = await page.evaluate(() => { const h = document.querySelector("h1"); return h ? h.textContent : null; });
    r.text = await page.evaluate(deepText);
    r.imgCount = await page.evaluate(deepCount, "img");
    r.headings = await page.evaluate(() => {
      const out = [];
      const walk = (node) => {
        if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
        if (node.nodeType === Node.ELEMENT_NODE && /^H[1-6]$/.test(node.nodeName)) out.push(Number(node.nodeName[1]));
        if (node.shadowRoot) walk(node.shadowRoot);
        for (const c of node.childNodes) walk(c);
      };
      walk(document.body);
      return out;
    });
    r.xss = await page.evaluate(() => window.__xss === true);
    if (visit.tabs) {
      await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.focus(); });
      r.focus = [];
      for (let i = 0; i < visit.tabs; i++) {
        await page.keyboard.press("Tab");
        r.focus.push(await page.evaluate(deepFocus));
      }
    }
    if (visit.axe) {
      await page.addScriptTag({ path: AXE });
      r.axe = await page.evaluate(async () => {
        const res = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + n.failureSummary) }));
      });
    }
    if (visit.screenshot) await page.screenshot({ path: visit.screenshot, fullPage: true });
    if (visit.pdf) {
      await page.emulateMedia({ media: "print" });
      const bytes = await page.pdf({ path: visit.pdf, format: "A4", printBackground: true, preferCSSPageSize: true });
      r.pdfPages = (bytes.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
    }
  } catch (e) {
    r.error = String(e && e.stack || e);
  }
  results.push(r);
  await context.close();
}
await browser.close();
process.stdout.write(JSON.stringify({ results }) + "\n");
