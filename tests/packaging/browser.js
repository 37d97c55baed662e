// Drives a built app in Chromium through its DOM (the README components) and records what went
// wrong on the page: uncaught errors, console errors, failed or 4xx/5xx requests.

/** A fresh context per page, as two separate users would have. */
export async function openApp(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(url, { timeout: 15_000 });
  return { page, context, problems };
}

/** Waits until the page lists `name` as a connected peer with an open data channel. */
export function waitForPeer(page, name, timeout = 30_000) {
  return page
    .locator('li.peer[data-state="connected"][data-channel="open"]', { hasText: name })
    .waitFor({ timeout });
}

/** Types and sends a message; the components clear the input only if broadcast() reached a peer. */
export async function sendMessage(page, text) {
  const input = page.locator('input[placeholder="Message"]');
  await input.fill(text);
  await page.locator('button', { hasText: 'Send' }).click();
  await page.waitForFunction(
    () => document.querySelector('input[placeholder="Message"]').value === '',
    null,
    { timeout: 5_000 },
  );
}

export function waitForMessage(page, line, timeout = 10_000) {
  return page.locator('li.message', { hasText: line }).waitFor({ timeout });
}
