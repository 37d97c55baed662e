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

  #refill() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.ratePerSec);
    this.updatedAt = t;
  }

  /** Takes one token; false when the bucket is empty. */
  take() {
    this.#refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until take() can succeed (0 when it can now). */
  msUntilToken() {
    this.#refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }
}
