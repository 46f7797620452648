import { defineContract } from './define.js';

export type ValidationState = 'none' | 'invalid' | 'valid' | 'trusted';

export type C2paStatus = { code: string; explanation: string | null; url: string | null };

export type C2paAction = {
  action: string;
  when: string | null;
  softwareAgent: string | null;
  digitalSourceType: string | null;
  description: string | null;
};

export type C2paIngredient = {
  title: string | null;
  format: string | null;
  relationship: string | null;
  /** Label of the ingredient's own manifest, when it carried one. */
  manifest: string | null;
  claimGenerator: string | null;
  digitalSourceTypes: string[];
  /** Failure codes c2pa-rs reported for this ingredient's manifest. */
  failures: string[];
  ingredients: C2paIngredient[];
};

export type C2paSigner = {
  issuer: string | null;
  commonName: string | null;
  /** Signing time (from the time-stamp when there is one), ISO-8601. */
  time: string | null;
  alg: string | null;
};

/** Verilens's summary of a C2PA manifest store as c2pa-rs validated it, offline. */
export type C2paSummary = {
  /** A manifest store is embedded in the file. */
  present: boolean;
  validationState: ValidationState;
  /** c2pa-rs's own state (Invalid/Valid/Trusted) before Verilens's split; null without a store. */
  engineState: string | null;
  offline: true;
  activeManifest: string | null;
  manifestCount: number;
  title: string | null;
  claimGenerator: string | null;
  signer: C2paSigner | null;
  actions: C2paAction[];
  /** Digital source type of the active manifest's inception action, short IPTC term. */
  digitalSourceType: string | null;
  /** Every digital source type declared anywhere in the store (active manifest and ingredients). */
  digitalSourceTypes: string[];
  ingredients: C2paIngredient[];
  /** Hash, signature and structure failures of the active manifest. */
  integrityFailures: C2paStatus[];
  /** Signer and time-stamp trust information. */
  trust: C2paStatus[];
  /** CAWG identity-assertion results. */
  identity: C2paStatus[];
  /** Failures c2pa-rs found in ingredients (earlier versions). */
  ingredientFailures: C2paStatus[];
  /** The bundled trust list(s) the signer chains to, when `trusted`. */
  trustedBy: { id: string; title: string; date: string }[];
  /** Remote manifest the file points to; never fetched (offline). */
  remoteManifestUrl: string | null;
  /** Why the store could not be read, when it could not. */
  readerError: string | null;
};

export type C2paReaderRun =
  | { ran: false }
  | {
      ran: true;
      engine: string;
      isolation: 'worker' | 'in-process';
      durationMs: number;
      blockedNetworkRequests: string[];
      stopped?: 'timeout' | 'cancelled' | 'crashed';
      isolationNote?: string;
    };

export type TrustListInfo = { id: string; title: string; date: string; source: string; licence: string };

/** A generator named by what it wrote into the file. */
export type GeneratorTrace = {
  name: string;
  /** Where the trace is and what it is, in one line. */
  evidence: string;
  /** The text prompt, when the trace carries one. */
  prompt?: string;
};

/** A declared-origin marker outside C2PA. */
export type ProvenanceMarker = { source: string; field: string; value: string; meaning: string };

/** What XMP packets declare about origin. */
export type XmpDeclarations = {
  /** IPTC DigitalSourceType terms, e.g. `trainedAlgorithmicMedia`. */
  digitalSourceTypes: string[];
  creatorTool?: string;
  software?: string;
  /** IPTC 2025.1 AI properties. */
  aiSystemUsed?: string;
  aiSystemVersion?: string;
  aiPrompt?: string;
  /** `dcterms:provenance`: where a remote C2PA manifest lives (not fetched). */
  provenanceUrl?: string;
};

export type TextEntrySource = 'png-tEXt' | 'png-zTXt' | 'png-iTXt' | 'jpeg-COM' | 'exif' | 'xmp';

export type ProvenanceData = {
  c2pa: C2paSummary & { reader: C2paReaderRun; trustLists: TrustListInfo[]; trustProblems?: string[]; offlineNote: string };
  generator: GeneratorTrace | null;
  declarations: XmpDeclarations & { markers: ProvenanceMarker[] };
  /** Text fields read (first 50): where, which key, how long. */
  textEntries: { source: TextEntrySource; key: string; chars: number }[];
  notes: string[];
};

export const provenanceContract = defineContract<ProvenanceData>()({
  id: 'provenance',
  title: 'Provenance: C2PA Content Credentials (offline), IPTC/XMP source type, AI generator traces',
  artifacts: [],
  params: {
    c2pa: { type: 'boolean', default: true, help: 'read and validate C2PA Content Credentials' },
    c2paTimeoutMs: { type: 'integer', min: 100, max: 600_000, default: 20_000, help: 'time limit for the C2PA reader, in milliseconds' },
    c2paMaxBytes: { type: 'integer', min: 1024, max: 2 ** 31, default: 128 * 1024 * 1024, help: 'files above this many bytes are not handed to the C2PA reader' },
  },
});
