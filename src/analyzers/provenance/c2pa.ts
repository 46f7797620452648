import type { C2paAction, C2paIngredient, C2paStatus, C2paSummary } from '../../contract/analyzers/provenance.js';
import { declaresSynthetic, sourceClass, sourceTerm } from './source-type.js';
import type { TrustListSpec } from './trust.js';

/**
 * Turn c2pa-rs's manifest-store JSON (WasmReader.json()) into Verilens's C2PA summary. Pure: no
 * I/O, so it is tested on real reader output and the decision rules are easy to follow.
 */

export type {
  C2paAction,
  C2paIngredient,
  C2paSigner,
  C2paStatus,
  C2paSummary,
  ValidationState,
} from '../../contract/analyzers/provenance.js';

const MAX_ACTIONS = 200;
const MAX_INGREDIENT_DEPTH = 12;
const MAX_INGREDIENT_NODES = 300;
const MAX_STATUS = 200;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export type StatusGroup = 'integrity' | 'trust' | 'identity';

/** Which list a C2PA status code belongs to. Mismatch/missing/malformed codes are integrity even for time-stamps. */
export function classifyStatus(code: string): StatusGroup {
  if (code.startsWith('cawg.')) return 'identity';
  if (/\.(mismatch|missing|malformed)$/.test(code) || /malformed|mismatch/.test(code)) return 'integrity';
  if (code.startsWith('signingCredential.') || code.startsWith('timeStamp.') || code === 'claimSignature.outsideValidity' || code === 'claimSignature.insideValidity') {
    return 'trust';
  }
  return 'integrity';
}

function status(v: unknown): C2paStatus | null {
  const o = obj(v);
  const code = s(o?.['code']);
  return code ? { code, explanation: s(o?.['explanation']), url: s(o?.['url']) } : null;
}

function pushUnique(list: C2paStatus[], st: C2paStatus): void {
  if (list.length < MAX_STATUS && !list.some((x) => x.code === st.code && x.url === st.url)) list.push(st);
}

function agentName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  const o = obj(v);
  const name = s(o?.['name']);
  if (!name) return null;
  const version = s(o?.['version']);
  return version ? `${name} ${version}` : name;
}

function claimGenerator(m: Obj): string | null {
  const info = arr(m['claim_generator_info']).map(agentName).filter((x): x is string => !!x);
  return info.length ? info.join(', ') : s(m['claim_generator']);
}

function actionsOf(m: Obj): C2paAction[] {
  const out: C2paAction[] = [];
  for (const a of arr(m['assertions'])) {
    const ao = obj(a);
    const label = s(ao?.['label']) ?? '';
    if (!/^c2pa\.actions(\.v\d+)?$/.test(label)) continue;
    for (const act of arr(obj(ao?.['data'])?.['actions'])) {
      const x = obj(act);
      const name = s(x?.['action']);
      if (!x || !name || out.length >= MAX_ACTIONS) continue;
      const params = obj(x['parameters']);
      const dst = s(x['digitalSourceType']) ?? s(params?.['digitalSourceType']);
      out.push({
        action: name,
        when: s(x['when']),
        softwareAgent: agentName(x['softwareAgent']),
        digitalSourceType: dst ? sourceTerm(dst) : null,
        description: s(x['description']) ?? s(params?.['description']),
      });
    }
  }
  return out;
}

function failuresOf(results: unknown): string[] {
  const r = obj(results);
  const am = obj(r?.['activeManifest']);
  return arr(am?.['failure'])
    .map((f) => s(obj(f)?.['code']))
    .filter((c): c is string => !!c && classifyStatus(c) === 'integrity');
}

function recordedFailures(list: unknown): string[] {
  return arr(list)
    .map((f) => s(obj(f)?.['code']))
    .filter((c): c is string => !!c && classifyStatus(c) === 'integrity');
}

function collectIngredientFailures(nodes: C2paIngredient[], into: C2paStatus[]): void {
  for (const n of nodes) {
    for (const code of n.failures) pushUnique(into, { code, explanation: `recorded for ingredient '${n.title ?? 'untitled'}'`, url: n.manifest });
    collectIngredientFailures(n.ingredients, into);
  }
}

function ingredientTree(manifests: Obj, m: Obj, depth: number, seen: Set<string>, budget: { n: number }): C2paIngredient[] {
  const out: C2paIngredient[] = [];
  for (const ing of arr(m['ingredients'])) {
    const i = obj(ing);
    if (!i || budget.n <= 0) break;
    budget.n--;
    const label = s(i['active_manifest']);
    const child = label ? obj(manifests[label]) : undefined;
    const dsts = child ? [...new Set(actionsOf(child).map((a) => a.digitalSourceType).filter((d): d is string => !!d))] : [];
    const node: C2paIngredient = {
      title: s(i['title']),
      format: s(i['format']),
      relationship: s(i['relationship']),
      manifest: label,
      claimGenerator: child ? claimGenerator(child) : null,
      digitalSourceTypes: dsts,
      // validation_results: checked now; validation_status: what the signer recorded when it added the ingredient.
      failures: [...new Set([...failuresOf(i['validation_results']), ...recordedFailures(i['validation_status'])])],
      ingredients: [],
    };
    if (child && label && !seen.has(label) && depth < MAX_INGREDIENT_DEPTH) {
      seen.add(label);
      node.ingredients = ingredientTree(manifests, child, depth + 1, seen, budget);
      seen.delete(label);
    }
    out.push(node);
  }
  return out;
}

function collectDsts(nodes: C2paIngredient[], into: Set<string>): void {
  for (const n of nodes) {
    for (const d of n.digitalSourceTypes) into.add(d);
    collectDsts(n.ingredients, into);
  }
}

/** Which bundled list(s) c2pa-rs found the signer in ("found in [<trust_uri>] trust anchors"). */
function trustedByOf(trust: C2paStatus[], lists: readonly TrustListSpec[]): C2paSummary['trustedBy'] {
  const out: C2paSummary['trustedBy'] = [];
  for (const t of trust) {
    if (t.code !== 'signingCredential.trusted') continue;
    for (const l of lists) {
      if (t.explanation?.includes(`[${l.id}]`) && !out.some((o) => o.id === l.id)) out.push({ id: l.id, title: l.title, date: l.date });
    }
  }
  return out;
}

export function emptySummary(): C2paSummary {
  return {
    present: false,
    validationState: 'none',
    engineState: null,
    offline: true,
    activeManifest: null,
    manifestCount: 0,
    title: null,
    claimGenerator: null,
    signer: null,
    actions: [],
    digitalSourceType: null,
    digitalSourceTypes: [],
    ingredients: [],
    integrityFailures: [],
    trust: [],
    identity: [],
    ingredientFailures: [],
    trustedBy: [],
    remoteManifestUrl: null,
    readerError: null,
  };
}

/** Summarise a manifest store that c2pa-rs read. */
export function summariseStore(store: unknown, lists: readonly TrustListSpec[]): C2paSummary {
  const sum = emptySummary();
  const st = obj(store) ?? {};
  const manifests = obj(st['manifests']) ?? {};
  sum.present = true;
  sum.manifestCount = Object.keys(manifests).length;
  sum.engineState = s(st['validation_state']);
  sum.activeManifest = s(st['active_manifest']);
  const active = sum.activeManifest ? obj(manifests[sum.activeManifest]) : undefined;

  // Statuses: the active manifest's results (success lists give the trust story), the legacy flat list, and ingredient deltas.
  const results = obj(st['validation_results']);
  const am = obj(results?.['activeManifest']);
  const place = (x: C2paStatus, failure: boolean): void => {
    const g = classifyStatus(x.code);
    if (g === 'integrity') {
      if (failure) pushUnique(sum.integrityFailures, x);
    } else if (g === 'trust') pushUnique(sum.trust, x);
    else pushUnique(sum.identity, x);
  };
  for (const f of arr(am?.['failure'])) {
    const x = status(f);
    if (x) place(x, true);
  }
  for (const key of ['success', 'informational']) {
    for (const f of arr(am?.[key])) {
      const x = status(f);
      if (x && classifyStatus(x.code) !== 'integrity') place(x, false);
    }
  }
  const activeUrlPart = sum.activeManifest ? `/${sum.activeManifest}/` : null;
  for (const f of arr(st['validation_status'])) {
    const x = status(f);
    if (!x) continue;
    // Without validation_results, the flat list is all we have; entries naming another manifest are ingredient issues.
    const ofActive = !activeUrlPart || !x.url || x.url.includes(activeUrlPart);
    if (ofActive) place(x, true);
    else if (classifyStatus(x.code) === 'integrity') pushUnique(sum.ingredientFailures, x);
  }
  for (const d of arr(results?.['ingredientDeltas'])) {
    const deltas = obj(obj(d)?.['validationDeltas']);
    for (const f of arr(deltas?.['failure'])) {
      const x = status(f);
      if (x && classifyStatus(x.code) === 'integrity') pushUnique(sum.ingredientFailures, x);
    }
  }

  if (active) {
    sum.title = s(active['title']);
    sum.claimGenerator = claimGenerator(active);
    const sig = obj(active['signature_info']);
    if (sig) sum.signer = { issuer: s(sig['issuer']), commonName: s(sig['common_name']), time: s(sig['time']), alg: s(sig['alg']) };
    sum.actions = actionsOf(active);
    const inception = sum.actions.find((a) => (a.action === 'c2pa.created' || a.action === 'c2pa.opened') && a.digitalSourceType);
    sum.digitalSourceType = inception?.digitalSourceType ?? sum.actions.find((a) => a.digitalSourceType)?.digitalSourceType ?? null;
    sum.ingredients = ingredientTree(manifests, active, 0, new Set(sum.activeManifest ? [sum.activeManifest] : []), { n: MAX_INGREDIENT_NODES });
  }
  collectIngredientFailures(sum.ingredients, sum.ingredientFailures);
  const dsts = new Set(sum.actions.map((a) => a.digitalSourceType).filter((d): d is string => !!d));
  collectDsts(sum.ingredients, dsts);
  sum.digitalSourceTypes = [...dsts];

  sum.trustedBy = trustedByOf(sum.trust, lists);
  if (sum.integrityFailures.length > 0 || !active) sum.validationState = 'invalid';
  else if (sum.engineState === 'Trusted') sum.validationState = 'trusted';
  else sum.validationState = 'valid';
  if (!active && sum.integrityFailures.length === 0) {
    pushUnique(sum.integrityFailures, { code: 'claim.missing', explanation: 'the manifest store has no active manifest', url: null });
  }
  return sum;
}

/** Reader errors (c2pa-rs `Error` names) for files that carry no embedded store. */
export function remoteManifestUrl(readerError: string): string | null {
  return /RemoteManifestUrl\("([^"]{1,2000})"\)/.exec(readerError)?.[1] ?? null;
}

export function isNoStoreError(readerError: string): boolean {
  return /JumbfNotFound|UnsupportedType|RemoteManifestUrl|ProvenanceMissing/.test(readerError);
}

/** Summary for a store that is embedded (the bytes say so) but could not be read: a broken manifest. */
export function unreadableStore(readerError: string): C2paSummary {
  const sum = emptySummary();
  sum.present = true;
  sum.validationState = 'invalid';
  sum.readerError = readerError;
  sum.integrityFailures.push({ code: 'general.error', explanation: `the manifest store could not be read: ${readerError}`, url: null });
  return sum;
}

/** Declared synthetic origin anywhere in the store. */
export function syntheticSources(sum: C2paSummary): string[] {
  return sum.digitalSourceTypes.filter(declaresSynthetic);
}

/** A camera-capture inception: the kind of manifest that is positive evidence when trusted and intact. */
export function isCaptureManifest(sum: C2paSummary): boolean {
  return !!sum.digitalSourceType && sourceClass(sum.digitalSourceType) === 'capture' && syntheticSources(sum).length === 0;
}
