// Installs the browser globals the wasm driver uses: `ws` as WebSocket, and (on request)
// @roamhq/wrtc as RTCPeerConnection. Node 20 already has fetch, performance and crypto.
import { WebSocket } from 'ws';

globalThis.WebSocket = WebSocket;

export async function installWebRtc() {
  const wrtc = (await import('@roamhq/wrtc')).default;
  for (const name of [
    'RTCPeerConnection',
    'RTCSessionDescription',
    'RTCIceCandidate',
    'MediaStream',
    'MediaStreamTrack',
  ]) {
    globalThis[name] = wrtc[name];
  }
  return wrtc;
}
