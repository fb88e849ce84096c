// The benchmarks' browser: headless Debian Chromium in a fresh profile, every
// request recorded and any to a host other than 127.0.0.1 refused, the
// page's errors collected and its "bench: " console lines echoed.
// withBenchChromium(prefix, fn) runs fn({ page, requests, foreign, errors })
// and always closes the browser and removes the profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export async function withBenchChromium(prefix, fn, echo = (line) => process.stderr.write(line + '\n')) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const requests = [], foreign = [], errors = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    await context.route('**/*', (route) => {
      const u = route.request().url();
      requests.push(u);
      if (new URL(u).hostname === '127.0.0.1') return route.continue();
      foreign.push(u);
      return route.abort('blockedbyclient');
    });
    context.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      else if (m.text().startsWith('bench: ')) echo(m.text().slice(7));
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => errors.push(String(e)));
    return await fn({ page, requests, foreign, errors });
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// Chromium's own version, from the page
export function chromiumVersion(page) {
  return page.evaluate(async () => {
    const { fullVersionList } = await navigator.userAgentData.getHighEntropyValues(['fullVersionList']);
    return fullVersionList.find((b) => b.brand === 'Chromium')?.version ?? null;
  });
}
