import type { Finding } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import { readAtomsFromFile, type AtomSummary } from '../../media/atoms.js';
import { mediaToolPath } from '../../media/binaries.js';
import { probeMedia, probePackets, toolVersion, type PacketTime } from '../../media/probe.js';
import { VerilensError } from '../../util/errors.js';
import { interpretContainer, mainVideoStream } from './facts.js';

/** Packets sampled from the start of the video stream to judge frame-rate regularity. */
export const PACKET_SAMPLE = 240;

const versions = new Map<string, Promise<string>>();
function versionOf(bin: string): Promise<string> {
  let v = versions.get(bin);
  if (!v) {
    v = toolVersion(bin, bin);
    versions.set(bin, v);
  }
  return v;
}

export const containerAnalyzer = defineAnalyzer({
  id: 'container',
  version: '1.0.0',
  accepts: (info) => info.kind === 'video',
  timeoutMs: 60_000,
  async run(ev, ctx) {
    const bin = mediaToolPath('ffprobe');
    ctx.progress(0.05, 'reading the container');
    const probe = await probeMedia(ev.path, { label: ev.input, signal: ctx.signal, ffprobe: bin });
    ctx.progress(0.5, 'sampling frame timing');
    const findings: Finding[] = [];
    let packets: PacketTime[] = [];
    if (mainVideoStream(probe.streams)) {
      try {
        packets = await probePackets(ev.path, PACKET_SAMPLE, { label: ev.input, signal: ctx.signal, ffprobe: bin });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        findings.push({ severity: 'info', code: 'packets-unreadable', message: `The video packets' timestamps could not be read (${(err as Error).message}), so the frame rate is judged from the header only.` });
      }
    }
    ctx.signal.throwIfAborted();
    let atoms: AtomSummary | null = null;
    if (ev.info.format === 'mp4' || ev.info.format === 'mov' || /mov|mp4/.test(probe.format.formatName)) {
      ctx.progress(0.8, 'reading MP4/QuickTime boxes');
      try {
        atoms = await readAtomsFromFile(ev.path);
      } catch (err) {
        throw new VerilensError('unreadable', `${ev.input}: the MP4/QuickTime boxes could not be read (${(err as Error).message})`);
      }
    }
    const r = interpretContainer({ probe, packets, atoms, ffprobeVersion: await versionOf(bin), now: Date.now() });
    return { status: 'ok', verdict: r.verdict, findings: [...r.findings, ...findings], data: r.data };
  },
});
