// Helpers for pages that expose window.rtcSummary() (tests/browser/pages/*.html).

export const summary = (h) => h.page.evaluate(() => window.rtcSummary());

/** Waits until every page lists every other page's peer as connected. */
export async function waitForMesh(handles, timeout = 20_000) {
  for (const h of handles) {
    const others = handles.filter((o) => o !== h).map((o) => o.id);
    await h.page.waitForFunction(
      (ids) => {
        const s = window.rtcSummary();
        return ids.every((id) => s.peers.some((p) => p.id === id && p.state === 'connected'));
      },
      others,
      { timeout },
    );
  }
}
