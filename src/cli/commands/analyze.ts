import { stat } from 'node:fs/promises';
import type { AnalysisDocument, FileResult } from '../../contract/results.js';
import { ANALYZERS } from '../../analyzers/index.js';
import { DirectoryArtifactStore, HashOnlyArtifactStore, type ArtifactStore } from '../../engine/artifacts.js';
import { analyzeFile, planAnalyzers } from '../../engine/runner.js';
import { createEngineServices } from '../../engine/services.js';
import type { Limits } from '../../evidence/limits.js';
import { VerilensError } from '../../util/errors.js';
import { dataHome } from '../../util/paths.js';
import { VERSION } from '../../version.js';
import { formatFileResult, useColor } from '../format.js';
import { intOption, parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';
import { paramFlagHelp, paramFlagOptions, paramsFromFlags } from '../params.js';
import { ProgressBar } from '../progress.js';
import { expandInputs } from '../walk.js';

export { paramFlagOptions, paramsFromFlags } from '../params.js';

/** Check `--only` ids against the registry (their prerequisites are added by the runner). */
export function checkOnly(only: readonly string[] | undefined): void {
  try {
    planAnalyzers(ANALYZERS, only);
  } catch (err) {
    if (err instanceof VerilensError) throw new UsageError(err.message);
    throw err;
  }
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'analyse image and video files (folders are walked recursively)',
  usage: `verilens analyze <path...> [options]
  --json               print one JSON document on stdout
  --out DIR            write artifacts (heatmaps, crops) to DIR, named by their SHA-256
  --only ID,ID         run only these analyzers (their prerequisites are added)
${paramFlagHelp().join('\n')}
  --max-pixels N       refuse images above N decoded pixels (default 200000000)
  --max-bytes N        refuse image files above N bytes (default 268435456)
  --timeout MS         per-analyzer timeout in milliseconds (default 120000)
  --verbose            also show informational findings
  --models DIR         also use the models in DIR (a signed organisation manifest or a copy of the shipped one)
Exit code: 0 when every input was analysed, 1 when any could not be, 2 on usage errors.`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      json: { type: 'boolean' },
      out: { type: 'string' },
      only: { type: 'string' },
      'max-pixels': { type: 'string' },
      'max-bytes': { type: 'string' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean' },
      models: { type: 'string' },
      ...paramFlagOptions(),
    });
    if (positionals.length === 0) throw new UsageError('no input files given');
    const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    checkOnly(only);
    const params = paramsFromFlags(values);
    const limits: Partial<Limits> = {};
    const maxPixels = intOption('max-pixels', values['max-pixels'], 1, Number.MAX_SAFE_INTEGER);
    if (maxPixels) limits.maxPixels = maxPixels;
    const maxBytes = intOption('max-bytes', values['max-bytes'], 1, Number.MAX_SAFE_INTEGER);
    if (maxBytes) limits.maxImageBytes = maxBytes;
    const timeoutMs = intOption('timeout', values.timeout, 1, 24 * 3600 * 1000);

    const files = await expandInputs(positionals);
    if (files.length === 0) throw new UsageError(`no files found under ${positionals.join(', ')}`);
    if (values.out && (await stat(values.out).catch(() => null))?.isDirectory() === false) {
      throw new UsageError(`--out ${values.out} is a file; give a folder for the artifacts (it is created if missing)`);
    }
    const artifacts: ArtifactStore = values.out ? new DirectoryArtifactStore(values.out) : new HashOnlyArtifactStore();
    const bar = new ProgressBar(io.err, files.length, io.errIsTTY && files.length > 1);
    const color = useColor(io.errIsTTY, io.env) && !values.json;
    const services = createEngineServices({ ...(values.models ? { modelsDir: values.models } : {}), home: dataHome(io.env) });
    const ac = new AbortController();
    const onSigint = (): void => ac.abort();
    process.once('SIGINT', onSigint);
    const results: FileResult[] = [];
    try {
      for (const [i, file] of files.entries()) {
        bar.update(i, file);
        const r = await analyzeFile(file, {
          analyzers: ANALYZERS,
          ...(only ? { only } : {}),
          params,
          artifacts,
          limits,
          signal: ac.signal,
          services,
          ...(timeoutMs ? { timeoutMs } : {}),
        });
        results.push(r);
        if (!values.json) {
          bar.done();
          io.out(`${formatFileResult(r, { color, verbose: Boolean(values.verbose) })}\n\n`);
        }
        if (ac.signal.aborted) break;
      }
    } finally {
      process.off('SIGINT', onSigint);
      bar.done();
    }
    const failedCount = results.filter((r) => r.error).length;
    if (values.json) {
      const doc: AnalysisDocument = { tool: 'verilens', version: VERSION, results };
      io.out(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      io.out(`${results.length - failedCount} of ${results.length} file${results.length === 1 ? '' : 's'} analysed, ${failedCount} could not be${ac.signal.aborted ? ' (interrupted)' : ''}\n`);
    }
    return failedCount > 0 || ac.signal.aborted ? 1 : 0;
  },
};
