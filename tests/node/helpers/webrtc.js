// Real WebRTC in Node: @roamhq/wrtc installed as the browser globals, with every
// RTCPeerConnection the SDK creates recorded so tests can inspect the actual JSEP state.
import { installWebRtc } from './globals.js';

export const connections = [];

export async function installTrackedWebRtc() {
  const wrtc = await installWebRtc();
  if (globalThis.RTCPeerConnection.__tracked) return wrtc;
  class TrackedPeerConnection extends wrtc.RTCPeerConnection {
    static __tracked = true;
    /** The descriptions this connection applied, recorded as they resolve. */
    appliedLocal = null;
    appliedRemote = null;
    #localBeforeOffer = null;
    /** Local candidates this connection produced, counted from its construction on. */
    gathered = 0;
    gatheringDone = false;

    constructor(...args) {
      super(...args);
      connections.push(this);
      this.addEventListener('icecandidate', ({ candidate }) => {
        if (candidate) this.gathered++;
        else this.gatheringDone = true;
      });
    }

    // Tests read these instead of pc.localDescription / pc.remoteDescription: wrtc's getters
    // serialize the description on the JS thread while its signaling thread may still be adding
    // gathered candidates, which crashes the process now and then (SdpSerialize).
    async setLocalDescription(description) {
      await super.setLocalDescription(description);
      if (description?.type === 'rollback') {
        this.appliedLocal = this.#localBeforeOffer;
      } else {
        if (description?.type === 'offer') this.#localBeforeOffer = this.appliedLocal;
        this.appliedLocal = description;
      }
    }

    async setRemoteDescription(description) {
      await super.setRemoteDescription(description);
      this.appliedRemote = description;
    }
  }
  globalThis.RTCPeerConnection = TrackedPeerConnection;
  return wrtc;
}

/** ice-ufrag of a description's first media section (changes on every ICE restart). */
export function ufrag(description) {
  return /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1];
}

/**
 * A description without what ICE gathering rewrites in place: a local description grows
 * a=candidate lines and gets its default address (m= port, c=, a=rtcp) updated as candidates
 * arrive, so two sides agree when everything else matches.
 */
export function sessionPart(description) {
  return (description?.sdp ?? '')
    .split(/\r?\n/)
    .filter((line) => !/^(a=candidate:|a=end-of-candidates|c=|a=rtcp:)/.test(line))
    .map((line) => line.replace(/^(m=\S+) \d+/, '$1 *'))
    .join('\n');
}

/** Resolves once check() holds, re-checking on the given connections' state events. */
export function untilConnections(pcs, check, timeoutMs, what) {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const events = [
      'signalingstatechange',
      'connectionstatechange',
      'iceconnectionstatechange',
      'icegatheringstatechange',
      'icecandidate',
    ];
    const recheck = () => {
      if (check()) finish();
    };
    const finish = (error) => {
      clearTimeout(timer);
      for (const pc of pcs) for (const e of events) pc.removeEventListener(e, recheck);
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
    for (const pc of pcs) for (const e of events) pc.addEventListener(e, recheck);
  });
}
