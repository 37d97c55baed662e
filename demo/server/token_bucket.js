// A token bucket on an injectable clock: used for the per-connection rate limit and for counting
// bad frames (abuse) with slow forgiveness.
export class TokenBucket {
  constructor({ ratePerSec, burst, now = () => performance.now() }) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.ratePerSec);
    this.updatedAt = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
