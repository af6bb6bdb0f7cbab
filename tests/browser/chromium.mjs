// What every browser driver of the integration tests starts with: Debian's chromium (CHROMIUM,
// else /usr/bin/chromium) through playwright-core, headless, with nothing that would reach the
// network on its own, and the path of axe-core for the accessibility checks.
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const AXE = require.resolve("axe-core/axe.min.js");

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    timeout: 60000,
  });
}
