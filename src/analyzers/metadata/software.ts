import type { SoftwareMatch } from '../../contract/analyzers/metadata.js';

export type { SoftwareMatch } from '../../contract/analyzers/metadata.js';

interface Rule {
  name: string;
  re: RegExp;
}

// Word boundaries keep "Flux" out of "Influx" and "Canva" out of "Canvas".
const GENERATORS: Rule[] = [
  { name: 'Stable Diffusion', re: /\bstable[\s-]?diffusion\b|\bsdxl\b|\bsd[\s-]?(?:1\.5|2\.1|3(?:\.5)?)\b/iu },
  { name: 'ComfyUI', re: /\bcomfy\s?ui\b/iu },
  { name: 'Automatic1111 / Forge', re: /\bautomatic1111\b|\bstable-diffusion-webui\b|\bsd[\s.-]?webui\b|\bforge\b.*\bdiffusion|\bsd\.next\b/iu },
  { name: 'InvokeAI', re: /\binvoke\s?ai\b/iu },
  { name: 'Fooocus', re: /\bfooocus\b/iu },
  { name: 'NovelAI', re: /\bnovel\s?ai\b/iu },
  { name: 'Midjourney', re: /\bmid\s?journey\b/iu },
  { name: 'DALL-E', re: /\bdall[\s·.-]?e\b/iu },
  { name: 'Adobe Firefly', re: /\bfirefly\b/iu },
  { name: 'OpenAI / ChatGPT', re: /\bopenai\b|\bchatgpt\b|\bgpt-4o\b/iu },
  { name: 'Google Imagen / Gemini', re: /\bimagen\b|\bgemini\b/iu },
  { name: 'FLUX', re: /\bflux(?:\.1)?\b(?:[\s-](?:dev|schnell|pro))?/iu },
  { name: 'Leonardo.Ai', re: /\bleonardo\.?ai\b/iu },
  { name: 'DreamStudio', re: /\bdreamstudio\b/iu },
  { name: 'Runway', re: /\brunway\s?ml\b/iu },
  { name: 'Ideogram', re: /\bideogram\b/iu },
  { name: 'Bing Image Creator', re: /\bbing image creator\b|\bdesigner\.microsoft\b/iu },
];

const EDITORS: Rule[] = [
  { name: 'Adobe Photoshop', re: /\bphotoshop\b(?!\s+lightroom)/iu },
  { name: 'Adobe Lightroom', re: /\blightroom\b/iu },
  { name: 'Adobe ImageReady', re: /\bimageready\b/iu },
  { name: 'GIMP', re: /\bgimp\b/iu },
  { name: 'Snapseed', re: /\bsnapseed\b/iu },
  { name: 'Canva', re: /\bcanva\b/iu },
  { name: 'Pixlr', re: /\bpixlr\b/iu },
  { name: 'Photopea', re: /\bphotopea\b/iu },
  { name: 'Affinity Photo', re: /\baffinity\b/iu },
  { name: 'Paint.NET', re: /\bpaint\.net\b/iu },
  { name: 'PicsArt', re: /\bpicsart\b/iu },
  { name: 'Facetune', re: /\bfacetune\b/iu },
  { name: 'Meitu', re: /\bmeitu\b/iu },
  { name: 'Capture One', re: /\bcapture\s?one\b/iu },
  { name: 'Luminar', re: /\bluminar\b/iu },
  { name: 'darktable', re: /\bdarktable\b/iu },
  { name: 'RawTherapee', re: /\brawtherapee\b/iu },
  { name: 'Bibble', re: /\bbibble\b/iu },
  { name: 'ACDSee', re: /\bacdsee\b/iu },
  { name: 'PaintShop Pro', re: /\bpaint\s?shop\b/iu },
  { name: 'Corel', re: /\bcorel\b/iu },
  { name: 'GraphicConverter', re: /\bgraphicconverter\b/iu },
  { name: 'Pixelmator', re: /\bpixelmator\b/iu },
  { name: 'Microsoft Paint', re: /\bms ?paint\b|\bpaint 3d\b/iu },
];

/** Classify one software string; generators win over editors (Photoshop's Firefly fill is a generator). */
export function classifySoftware(field: string, value: string): SoftwareMatch | null {
  for (const r of GENERATORS) if (r.re.test(value)) return { kind: 'generator', name: r.name, field, value };
  for (const r of EDITORS) if (r.re.test(value)) return { kind: 'editor', name: r.name, field, value };
  return null;
}

/** PNG text keys that only image generators write (A1111 `parameters`, ComfyUI `prompt`/`workflow`, InvokeAI, NovelAI). */
export const GENERATOR_TEXT_KEYS: ReadonlyMap<string, string> = new Map([
  ['parameters', 'Stable Diffusion web UI (A1111/Forge/SD.Next)'],
  ['prompt', 'ComfyUI'],
  ['workflow', 'ComfyUI'],
  ['invokeai_metadata', 'InvokeAI'],
  ['invokeai_graph', 'InvokeAI'],
  ['sd-metadata', 'InvokeAI'],
  ['dream', 'InvokeAI'],
  ['fooocus_scheme', 'Fooocus'],
]);
