import type { ProvenanceMarker } from '../../contract/analyzers/provenance.js';
import type { Finding, ScoreInfo, Verdict } from '../../contract/results.js';
import { isCaptureManifest, syntheticSources, type C2paSummary } from './c2pa.js';
import type { TextEntry } from '../../evidence/containers.js';
import { aiToolName, type GeneratorTrace } from './generators.js';
import { declaresSynthetic, describeSource, sourceClass } from './source-type.js';
import type { TrustListSpec } from './trust.js';
import type { XmpDeclarations } from './xmp.js';

export type Marker = ProvenanceMarker;

export interface ProvenanceFacts {
  c2pa: C2paSummary;
  /** C2PA could not be checked at all (reader off, too large, failed); why. */
  c2paNotChecked: string | null;
  generatorTrace: GeneratorTrace | null;
  xmp: XmpDeclarations;
  exifEntries: TextEntry[];
  trustLists: readonly TrustListSpec[];
  trustProblems: string[];
}

export interface ProvenanceInterpretation {
  verdict: Verdict;
  score: number;
  scoreInfo: ScoreInfo;
  findings: Finding[];
  generator: GeneratorTrace | null;
  markers: Marker[];
}

export const THRESHOLD = 0.5;
/** Categorical score levels (not probabilities): a declaration of AI/synthetic origin, a broken manifest, lesser warnings. */
export const SCORE = { declaredSynthetic: 1, brokenManifest: 0.8, warning: 0.2, none: 0 } as const;

const MEASURED_ON =
  'Shared test corpus (test/integration/provenance-corpus.test.ts): all 32 AI-generator samples named (18 ComfyUI examples; A1111, Forge, Forge Classic/Neo, reForge, SD.Next, ComfyUI savers, InvokeAI, NovelAI, RuinedFooocus; ChatGPT and Gemini through their C2PA manifests), neither stripped negative (gimp.png, empty.png) named; ' +
  'c2pa-rs/c2pa-ts fixtures: 19 signed files valid or trusted with no integrity failure, both tampered E-*/X* files invalid, 24 unsigned files none; 115 decodable camera test photos (exifr, ExifTool): no AI alert; 1306 malformed files: no alert, slowest 0.3 s.';

function limits(lists: readonly TrustListSpec[]): string {
  const dated = lists.map((l) => `${l.title} dated ${l.date}`).join('; ') || 'none (trust lists unavailable)';
  return (
    'Declarations are easy to strip (any re-save, screenshot or messenger upload) and, outside an intact C2PA manifest, easy to forge or add, so their absence proves nothing and their presence is what the file claims. ' +
    'C2PA validation runs fully offline with c2pa-rs (@contentauth/c2pa-wasm): no remote manifests, no OCSP or revocation look-ups (only OCSP responses stapled in the file are read), identity (CAWG) DID look-ups blocked; ' +
    `trust is judged only against the bundled lists: ${dated}. A signer missing from them is reported as not trusted, not as fake.`
  );
}

function shortCodes(list: { code: string }[]): string {
  const codes = [...new Set(list.map((x) => x.code))];
  return codes.slice(0, 4).join(', ') + (codes.length > 4 ? ` and ${codes.length - 4} more` : '');
}

function signerText(c: C2paSummary): string {
  const who = c.signer?.issuer ?? c.signer?.commonName;
  return who ? `signed by ${who}${c.signer?.time ? ` on ${c.signer.time.slice(0, 10)}` : ''}` : 'signer not named';
}

/** Pure decision rules: findings, verdict and score from what the file declares. */
export function interpretProvenance(f: ProvenanceFacts): ProvenanceInterpretation {
  const findings: Finding[] = [];
  const markers: Marker[] = [];
  const c = f.c2pa;
  let declared = false;
  let broken = false;
  let warned = false;
  let positive = false;

  // C2PA
  const aiInC2pa = syntheticSources(c);
  if (c.present && c.readerError === null && c.validationState !== 'none') {
    if (c.integrityFailures.length > 0) {
      broken = true;
      findings.push({
        severity: 'alert',
        code: 'c2pa-integrity-failure',
        message: `The embedded Content Credentials (C2PA) do not match the file (${shortCodes(c.integrityFailures)}): the image or its manifest was changed after signing.`,
      });
    } else if (c.validationState === 'trusted') {
      positive = true;
      const by = c.trustedBy.map((t) => `${t.title}, ${t.date}`).join('; ');
      findings.push(
        isCaptureManifest(c)
          ? {
              severity: 'info',
              code: 'c2pa-trusted-capture',
              message: `Positive evidence: intact Content Credentials from a trusted signer (${signerText(c)}; ${by || 'a bundled trust list; c2pa-rs did not say which'}) say a camera captured this image (${c.digitalSourceType}).`,
            }
          : {
              severity: 'info',
              code: 'c2pa-trusted',
              message: `Intact Content Credentials from a trusted signer (${signerText(c)}; ${by || 'a bundled trust list; c2pa-rs did not say which'}): the file is unchanged since ${c.claimGenerator ?? 'the named tool'} signed it; read the actions for what was done.`,
            },
      );
    } else {
      positive = aiInC2pa.length === 0;
      findings.push({
        severity: 'info',
        code: 'c2pa-valid-untrusted',
        message: `Intact Content Credentials (${signerText(c)}), but the signer is not on any bundled trust list, so who made them is not established (anyone can sign a manifest).`,
      });
    }
    if (aiInC2pa.length > 0) {
      declared = true;
      findings.push({
        severity: 'alert',
        code: 'c2pa-declares-ai',
        message: `The Content Credentials declare this image ${describeSource(aiInC2pa[0]!)} (${aiInC2pa.join(', ')}), ${signerText(c)}.`,
      });
    }
    if (c.ingredientFailures.length > 0) {
      warned = true;
      findings.push({
        severity: 'warn',
        code: 'c2pa-ingredient-failure',
        message: `An earlier version (ingredient) recorded in the Content Credentials failed validation (${shortCodes(c.ingredientFailures)}); its history cannot be relied on.`,
      });
    }
    const idFailures = c.identity.filter((x) => /mismatch|invalid|malformed|missing/.test(x.code));
    const idUnchecked = c.identity.filter((x) => /unavailable|untrusted/.test(x.code));
    if (idFailures.length > 0) {
      warned = true;
      findings.push({
        severity: 'warn',
        code: 'c2pa-identity-failure',
        message: `The identity assertion (CAWG) in the Content Credentials failed validation (${shortCodes(idFailures)}), so the person or organisation it names is not established.`,
      });
    } else if (idUnchecked.length > 0) {
      findings.push({
        severity: 'info',
        code: 'c2pa-identity-unverified',
        message: `The identity assertion (CAWG) in the Content Credentials could not be confirmed offline (${shortCodes(idUnchecked)}); treat the named identity as unverified.`,
      });
    }
  } else if (c.present && c.readerError !== null) {
    broken = true;
    findings.push({
      severity: 'alert',
      code: 'c2pa-unreadable',
      message: `The file embeds Content Credentials (C2PA) that could not be read or validated (${c.readerError.slice(0, 160)}); a damaged or hostile manifest is itself a warning sign.`,
    });
  }
  if (c.remoteManifestUrl) {
    warned = true;
    findings.push({
      severity: 'warn',
      code: 'c2pa-remote-manifest',
      message: `The file points to Content Credentials stored online (${c.remoteManifestUrl.slice(0, 120)}); Verilens is offline and did not fetch them, so they were not checked.`,
    });
  }
  if (f.c2paNotChecked) {
    warned = true;
    findings.push({ severity: 'warn', code: 'c2pa-not-checked', message: `Content Credentials were not checked: ${f.c2paNotChecked}.` });
  }
  if (f.trustProblems.length > 0) {
    warned = true;
    findings.push({
      severity: 'warn',
      code: 'c2pa-trust-lists-unavailable',
      message: `Some bundled C2PA trust lists could not be used (${f.trustProblems[0]}), so signers they cover show as untrusted.`,
    });
  }

  // IPTC/XMP and EXIF declarations outside C2PA.
  for (const t of f.xmp.digitalSourceTypes) {
    const meaning = describeSource(t);
    markers.push({ source: 'xmp', field: 'Iptc4xmpExt:DigitalSourceType', value: t, meaning });
    const cls = sourceClass(t);
    if (declaresSynthetic(t)) {
      declared = true;
      findings.push({ severity: 'alert', code: 'iptc-declares-ai', message: `The file's IPTC/XMP metadata declares it ${meaning} (DigitalSourceType ${t}).` });
    } else if (cls === 'enhanced' || cls === 'non-capture') {
      warned = true;
      findings.push({ severity: 'warn', code: 'iptc-not-capture', message: `The file's IPTC/XMP metadata declares it ${meaning} (DigitalSourceType ${t}), not a plain camera photo.` });
    }
  }
  const toolFields: [string, string, string | undefined][] = [
    ['xmp', 'Iptc4xmpExt:AISystemUsed', f.xmp.aiSystemUsed],
    ['xmp', 'xmp:CreatorTool', f.xmp.creatorTool],
    ['xmp', 'tiff:Software', f.xmp.software],
    ...f.exifEntries.filter((e) => e.key === 'Software').map((e): [string, string, string] => ['exif', 'Software', e.value]),
  ];
  let toolGenerator: GeneratorTrace | null = null;
  for (const [source, field, value] of toolFields) {
    if (!value) continue;
    const tool = field === 'Iptc4xmpExt:AISystemUsed' ? value : aiToolName(value);
    if (!tool) continue;
    declared = true;
    markers.push({ source, field, value: value.slice(0, 200), meaning: 'names a generative AI tool' });
    toolGenerator ??= { name: tool, evidence: `${source === 'xmp' ? 'XMP' : 'EXIF'} ${field}: "${value.slice(0, 120)}"`, ...(f.xmp.aiPrompt ? { prompt: f.xmp.aiPrompt.slice(0, 2000) } : {}) };
    findings.push({ severity: 'alert', code: 'metadata-names-ai-tool', message: `The file's ${field} names a generative AI tool ("${value.slice(0, 80)}").` });
  }

  // Generator traces (PNG text, EXIF UserComment, WebP EXIF...).
  let generator = f.generatorTrace;
  if (generator) {
    declared = true;
    findings.push({
      severity: 'alert',
      code: 'generator-trace',
      message: `The file carries ${generator.name} generation settings (${generator.evidence.slice(0, 120)}): it was made or reworked by an AI image generator.`,
    });
  }
  if (!generator && aiInC2pa.length > 0) {
    const agent = c.actions.find((a) => a.digitalSourceType && declaresSynthetic(a.digitalSourceType))?.softwareAgent;
    generator = { name: agent ?? c.claimGenerator ?? 'unnamed C2PA generator', evidence: `C2PA manifest (${c.validationState}): ${c.claimGenerator ?? 'claim generator not named'} declared ${aiInC2pa.join(', ')}` };
  }
  generator ??= toolGenerator;

  const score = declared ? SCORE.declaredSynthetic : broken ? SCORE.brokenManifest : warned ? SCORE.warning : SCORE.none;
  const alert = findings.some((x) => x.severity === 'alert');
  const verdict: Verdict = alert || score >= THRESHOLD ? 'suspicious' : positive && !warned ? 'consistent' : 'inconclusive';
  const scoreInfo: ScoreInfo = {
    method:
      'Reads what the file declares about its origin: C2PA Content Credentials validated offline by c2pa-rs, IPTC/XMP DigitalSourceType and AI fields, and generator settings left by AI image tools (A1111/Forge, ComfyUI, InvokeAI, NovelAI, Fooocus, SwarmUI...). The score is categorical, not a probability: 1 = AI or synthetic origin declared, 0.8 = broken manifest, 0.2 = warnings only, 0 = nothing declared or intact non-AI credentials.',
    measuredOn: MEASURED_ON,
    limits: limits(f.trustLists),
    // Declarations, broken manifests and trusted manifests carry weight; an untrusted intact manifest is only moderate (anyone can sign).
    strength: declared || broken || c.validationState === 'trusted' ? 'strong' : positive ? 'moderate' : 'weak',
    threshold: THRESHOLD,
  };
  return { verdict, score, scoreInfo, findings, generator, markers };
}
