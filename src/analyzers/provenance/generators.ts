import type { GeneratorTrace } from '../../contract/analyzers/provenance.js';
import type { TextEntry } from '../../evidence/containers.js';

export type { GeneratorTrace } from '../../contract/analyzers/provenance.js';

const MAX_PROMPT = 2000;
/** JSON larger than this is not parsed (workflows are a few hundred KB at most). */
const MAX_JSON = 4 << 20;

function where(e: TextEntry): string {
  switch (e.source) {
    case 'png-tEXt':
    case 'png-zTXt':
    case 'png-iTXt':
      return `PNG ${e.source.slice(4)} chunk '${e.key}'`;
    case 'jpeg-COM':
      return 'JPEG comment';
    case 'exif':
      return `EXIF ${e.key}`;
    case 'xmp':
      return `XMP ${e.key}`;
  }
}

function clip(s: string | undefined): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  return t ? (t.length > MAX_PROMPT ? `${t.slice(0, MAX_PROMPT)}…` : t) : undefined;
}

function parseObject(text: string): Record<string, unknown> | null {
  const t = text.trim();
  if (!t.startsWith('{') || t.length > MAX_JSON) return null;
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function trace(name: string, e: TextEntry, detail: string, prompt?: string): GeneratorTrace {
  const p = clip(prompt);
  return { name, evidence: `${where(e)}: ${detail}`, ...(p ? { prompt: p } : {}) };
}

/** ComfyUI entries can be `prompt`/`workflow` chunks or, in WebP/JPEG EXIF, `workflow:{...}` values. */
function comfyParts(entries: readonly TextEntry[]): { prompt?: TextEntry & { json: string }; workflow?: TextEntry & { json: string } } {
  const out: { prompt?: TextEntry & { json: string }; workflow?: TextEntry & { json: string } } = {};
  for (const e of entries) {
    const k = e.key.toLowerCase();
    const pre = /^(prompt|workflow):\s*(\{[\s\S]*)$/.exec(e.value);
    if ((k === 'prompt' || k === 'workflow') && e.value.trimStart().startsWith('{')) out[k] ??= { ...e, json: e.value };
    else if (pre) out[pre[1] as 'prompt' | 'workflow'] ??= { ...e, json: pre[2]! };
  }
  return out;
}

function comfyPrompt(promptJson: string | undefined, workflowJson: string | undefined): string | undefined {
  const graph = promptJson ? parseObject(promptJson) : null;
  if (graph) {
    type Node = { class_type?: unknown; inputs?: Record<string, unknown> };
    const nodes = graph as Record<string, Node>;
    const textOf = (id: unknown): string | undefined => {
      const n = typeof id === 'string' || typeof id === 'number' ? nodes[String(id)] : undefined;
      const i = n?.inputs;
      if (!i) return undefined;
      for (const k of ['text', 'text_g', 'prompt', 'positive', 'clip_l', 't5xxl', 'text_positive']) {
        const v = i[k];
        if (typeof v === 'string' && v.trim()) return v;
        if (Array.isArray(v)) return textOf(v[0]); // linked from another node (string primitive)
      }
      return undefined;
    };
    // The sampler's `positive` input points at the prompt encoder.
    for (const n of Object.values(nodes)) {
      if (typeof n?.class_type === 'string' && /sampler/i.test(n.class_type) && Array.isArray(n.inputs?.['positive'])) {
        const t = textOf((n.inputs['positive'] as unknown[])[0]);
        if (t) return t;
      }
    }
    for (const [id, n] of Object.entries(nodes)) {
      if (typeof n?.class_type === 'string' && /textencode|prompt/i.test(n.class_type)) {
        const t = textOf(id);
        if (t) return t;
      }
    }
  }
  const wf = workflowJson ? parseObject(workflowJson) : null;
  if (wf && Array.isArray(wf['nodes'])) {
    for (const n of wf['nodes'] as { type?: unknown; widgets_values?: unknown }[]) {
      if (typeof n?.type === 'string' && /textencode/i.test(n.type) && Array.isArray(n.widgets_values)) {
        const t = n.widgets_values.find((v): v is string => typeof v === 'string' && v.trim().length > 0);
        if (t) return t;
      }
    }
  }
  return undefined;
}

/** The A1111 "parameters" text: prompt, optional "Negative prompt:", then a "Steps: ..., Sampler: ..." settings line. */
function a1111Settings(text: string): { version?: string; app?: string } | null {
  if (!/(^|\n)\s*Steps:\s*\d+/.test(text) || !/Sampler:|Seed:|CFG scale:/i.test(text)) return null;
  const version = /(?:^|[,\n])\s*Version:\s*([^\s,]+)/.exec(text)?.[1];
  const app = /(?:^|[,\n])\s*App:\s*([^,\n]+)/.exec(text)?.[1]?.trim();
  return { ...(version ? { version } : {}), ...(app ? { app } : {}) };
}

function a1111Prompt(text: string): string {
  const neg = text.indexOf('\nNegative prompt:');
  if (neg >= 0) return text.slice(0, neg);
  const steps = text.search(/(^|\n)\s*Steps:\s*\d+/);
  return steps >= 0 ? text.slice(0, steps) : text;
}

/** Which A1111-family UI wrote the settings line, from its `Version:`/`App:` fields. */
function a1111Name(s: { version?: string; app?: string }): string {
  const v = s.version ?? '';
  if (s.app && /sd\.?next/i.test(s.app)) return 'SD.Next';
  if (/^v\d/.test(v)) return 'AUTOMATIC1111 Stable Diffusion web UI';
  if (v === 'classic') return 'Stable Diffusion WebUI Forge Classic';
  if (/^neo/.test(v)) return 'Stable Diffusion WebUI Forge Neo';
  if (/^f\d+(\.\d+)*v\d+-v/.test(v)) return 'Stable Diffusion WebUI reForge';
  if (/^f\d/.test(v)) return 'Stable Diffusion WebUI Forge';
  if (/^Fooocus/i.test(v)) return 'Fooocus';
  if (v === 'ComfyUI') return 'ComfyUI';
  if (s.app) return s.app;
  return 'AUTOMATIC1111-compatible web UI (fork not named)';
}

/**
 * Name the generator from text entries, strongest and most specific markers first. Returns null
 * when nothing in the entries is a known generator's format (stripped files, editors, cameras).
 */
export function detectGenerator(entries: readonly TextEntry[]): GeneratorTrace | null {
  const byKey = (k: string): TextEntry | undefined => entries.find((e) => e.key === k);

  // Keys only one tool writes.
  const invoke = byKey('invokeai_metadata') ?? byKey('invokeai_graph') ?? byKey('sd-metadata') ?? byKey('Dream');
  if (invoke) {
    const meta = parseObject(byKey('invokeai_metadata')?.value ?? byKey('sd-metadata')?.value ?? '');
    const prompt = str(meta?.['positive_prompt']) ?? str((meta?.['image'] as Record<string, unknown> | undefined)?.['prompt']);
    return trace('InvokeAI', invoke, `InvokeAI metadata ('${invoke.key}')`, prompt ?? (invoke.key === 'Dream' ? invoke.value.replace(/\s-\w.*$/, '') : undefined));
  }
  const software = byKey('Software');
  const nai = software && /^NovelAI/.test(software.value) ? software : entries.find((e) => (e.key === 'Source' || e.key === 'Title') && /NovelAI/.test(e.value));
  if (nai) {
    const comment = parseObject(byKey('Comment')?.value ?? '');
    const source = byKey('Source')?.value;
    return trace(source ? `NovelAI (${source.replace(/\s+[0-9A-F]{8}$/, '')})` : 'NovelAI', nai, `'${nai.key}' says "${nai.value.slice(0, 80)}"`, str(comment?.['prompt']) ?? byKey('Description')?.value);
  }
  const swarm = entries.find((e) => e.value.includes('sui_image_params'));
  if (swarm) {
    const o = parseObject(swarm.value);
    const p = o?.['sui_image_params'] as Record<string, unknown> | undefined;
    return trace('SwarmUI', swarm, 'SwarmUI parameters (sui_image_params)', str(p?.['prompt']));
  }
  const fooocusScheme = byKey('fooocus_scheme');
  if (fooocusScheme) {
    const o = parseObject(byKey('parameters')?.value ?? '');
    return trace('Fooocus', fooocusScheme, `Fooocus metadata scheme '${fooocusScheme.value.slice(0, 20)}'`, str(o?.['prompt']) ?? str(o?.['Prompt']));
  }
  for (const e of entries) {
    const o = e.value.trimStart().startsWith('{') ? parseObject(e.value) : null;
    if (!o) continue;
    if (o['software'] === 'RuinedFooocus') return trace('RuinedFooocus', e, 'JSON parameters with "software": "RuinedFooocus"', str(o['Prompt']) ?? str(o['prompt']));
    if ('use_stable_diffusion_model' in o) return trace('Easy Diffusion', e, 'Easy Diffusion parameters (use_stable_diffusion_model)', str(o['prompt']));
    if (typeof o['prompt'] === 'string' && 'base_model' in o) return trace('Fooocus', e, 'Fooocus JSON parameters (prompt, base_model)', str(o['prompt']));
  }
  const tensorArt = byKey('generation_data');
  if (tensorArt) return trace('Tensor.Art', tensorArt, 'Tensor.Art generation data', str(parseObject(tensorArt.value)?.['prompt']));
  const smproj = byKey('smproj');
  if (smproj) return trace('Stability Matrix', smproj, 'Stability Matrix project data (smproj)');

  // ComfyUI: an API-format node graph (class_type) or a UI workflow (nodes).
  const comfy = comfyParts(entries);
  const graphOk = comfy.prompt && /"class_type"\s*:/.test(comfy.prompt.json);
  const workflowOk = comfy.workflow && /"nodes"\s*:/.test(comfy.workflow.json);
  if (graphOk || workflowOk) {
    const e = (graphOk ? comfy.prompt : comfy.workflow)!;
    const parts = [graphOk ? 'node graph (prompt)' : '', workflowOk ? 'workflow' : ''].filter(Boolean).join(' and ');
    return trace('ComfyUI', e, `ComfyUI ${parts}`, comfyPrompt(comfy.prompt?.json, comfy.workflow?.json));
  }

  // A1111 family and the many tools that copy its "parameters" text (PNG text, EXIF UserComment).
  for (const e of entries) {
    if (!['parameters', 'UserComment', 'Comment', 'Description', 'ImageDescription'].includes(e.key)) continue;
    const s = a1111Settings(e.value);
    if (!s) continue;
    if (/Civitai resources:/.test(e.value)) return trace('Civitai generator', e, 'generation parameters with "Civitai resources"', a1111Prompt(e.value));
    const detail = [s.app ? `App: ${s.app}` : '', s.version ? `Version: ${s.version}` : 'no Version field'].filter(Boolean).join(', ');
    return trace(a1111Name(s), e, `Stable Diffusion generation parameters (${detail})`, a1111Prompt(e.value));
  }

  // Midjourney: the prompt and a job id in the PNG Description.
  const mj = entries.find((e) => /Job ID:\s*[0-9a-f]{8}-[0-9a-f]{4}-/i.test(e.value));
  if (mj) return trace('Midjourney', mj, 'Midjourney job id', mj.value.replace(/\s*Job ID:[\s\S]*$/, ''));
  return null;
}

/** Tool names that mean generative AI when they appear as the writing software (EXIF Software, XMP CreatorTool, IPTC AISystemUsed). */
const AI_TOOLS =
  /\b(midjourney|dall[-·\s]?e(?:\s?[23])?|adobe firefly|stable diffusion|sdxl|novelai|draw things|imagen|leonardo\.ai|ideogram|comfyui|invokeai|fooocus|automatic1111|dreamstudio|gpt-image|chatgpt|bing image creator|nano banana|flux\.1)\b/i;

export function aiToolName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return AI_TOOLS.exec(value)?.[1];
}
