// Whether an audio track carries speech, from its level (an AnalyserNode, polled), for the tile's
// speaking ring. One AudioContext for the page; it starts after the Join click's user gesture.
let context: AudioContext | undefined;

const LOUD_RMS = 0.02;
/** Speaking stays on this long after the last loud moment, so the ring does not flicker. */
const HOLD_MS = 400;

/** Calls onChange(true/false) as the track starts and stops being loud; returns a stop function. */
export function watchSpeaking(track: MediaStreamTrack, onChange: (speaking: boolean) => void): () => void {
  if (typeof AudioContext === 'undefined') return () => {};
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let speaking = false;
  let lastLoud = -Infinity;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    const now = performance.now();
    if (Math.sqrt(sum / samples.length) > LOUD_RMS) lastLoud = now;
    const next = now - lastLoud < HOLD_MS;
    if (next !== speaking) onChange((speaking = next));
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
    if (speaking) onChange(false);
  };
}
