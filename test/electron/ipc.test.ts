import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { API_METHODS, DROP_METHOD, IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX, type ApiMethod, type ApiResult } from '../../src/contract/api.js';
import { createMainBackend } from '../../electron/backend.js';
import { checkSender, dispatchIpc, registerIpc, type IpcBackend, type SenderInfo } from '../../electron/ipc.js';
import { PRELOAD_FILE, renderPreload } from '../../scripts/gen-preload.js';

const CASE = 'VL-20260101-ABCDEF';
const SHA = 'a'.repeat(64);
const GOOD: SenderInfo = { frameUrl: 'verilens://app/index.html', isTopFrame: true, isOurWindow: true };

function recordingBackend(
  reply: (m: ApiMethod, a: readonly unknown[]) => Promise<ApiResult<unknown>> = async () => ({ ok: true, value: 'done' }),
) {
  const calls: [ApiMethod, readonly unknown[]][] = [];
  const backend: IpcBackend = {
    call: (m, a) => {
      calls.push([m, a]);
      return reply(m, a);
    },
  };
  return { backend, calls };
}

describe('IPC: sender and argument validation before any handler runs', () => {
  it('refuses senders that are not the top frame of our window at verilens://app', async () => {
    const bad: [SenderInfo, RegExp][] = [
      [{ ...GOOD, isOurWindow: false }, /not a Verilens window/],
      [{ ...GOOD, isTopFrame: false }, /not the top frame/],
      [{ ...GOOD, frameUrl: null }, /no longer exists/],
      [{ ...GOOD, frameUrl: 'https://evil.example/' }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: 'http://127.0.0.1:5173/' }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: 'file:///tmp/index.html' }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: `verilens://artifact/${SHA}` }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: 'verilens://app.evil/index.html' }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: 'about:blank' }, /not verilens:\/\/app/],
      [{ ...GOOD, frameUrl: '::' }, /no valid URL/],
    ];
    for (const [sender, why] of bad) {
      const { backend, calls } = recordingBackend();
      const r = await dispatchIpc(backend, sender, 'openCase', [CASE]);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.code === 'forbidden-sender', JSON.stringify(sender));
      assert.match(!r.ok ? r.error.message : '', why);
      assert.equal(calls.length, 0, 'the backend never sees a refused call');
    }
    assert.equal(checkSender(GOOD), null);
  });

  it('refuses unknown methods and bad arguments with bad-arguments, naming the argument', async () => {
    const cases: [unknown, unknown, string, RegExp][] = [
      ['deleteEverything', [], 'unknown-method', /unknown API method/],
      ['__proto__', [], 'unknown-method', /unknown API method/],
      ['openCase', [], 'bad-arguments', /expected 1 argument, got 0/],
      ['openCase', [CASE, 'extra'], 'bad-arguments', /expected 1 argument/],
      ['openCase', ['../../etc'], 'bad-arguments', /argument 1 must be an id/],
      ['openCase', 'VL-1', 'bad-arguments', /must be an array/],
      ['getArtifact', [CASE, 'A'.repeat(64)], 'bad-arguments', /SHA-256/],
      ['getArtifact', [CASE, '/etc/passwd'], 'bad-arguments', /SHA-256/],
      ['addEvidenceDropped', [CASE, ['/tmp/a.jpg\u0000.png']], 'bad-arguments', /control characters|NUL/],
      ['addEvidenceDropped', [CASE, 'not-an-array'], 'bad-arguments', /must be an array/],
      ['createCase', [{ title: 'x', analyst: 'y', admin: true }], 'bad-arguments', /admin is not an accepted field/],
      ['createCase', [{ title: '', analyst: 'y' }], 'bad-arguments', /must not be empty/],
      ['setVerdictOverride', [CASE, SHA, 'ela', 'innocent', 'why'], 'bad-arguments', /must be one of/],
      [
        'analyze',
        [CASE, [], 'job-1', { only: ['ela'], params: { ela: { quality: { nested: 1 } } } }],
        'bad-arguments',
        /ela: parameter quality must be an integer from 1 to 100, got \{"nested":1\}/,
      ],
      // The analyzer contracts drive the IPC check: unknown analyzers and parameters never reach the engine.
      ['analyze', [CASE, [], 'job-1', { only: ['c2pa'] }], 'bad-arguments', /must be an analyzer id/],
      ['analyze', [CASE, [], 'job-1', { params: { ela: { qualty: 80 } } }], 'bad-arguments', /ela: unknown parameter 'qualty'/],
      ['analyze', [CASE, [], 'job-1', { params: { 'video-faces': { fps: 99 } } }], 'bad-arguments', /fps must be a number from 0.05 to 30, got 99/],
    ];
    for (const [method, args, code, why] of cases) {
      const { backend, calls } = recordingBackend();
      const r = await dispatchIpc(backend, GOOD, method, args);
      assert.ok(!r.ok, `${String(method)} ${JSON.stringify(args)}`);
      assert.equal(!r.ok && r.error.code, code);
      assert.match(!r.ok ? r.error.message : '', why);
      assert.equal(calls.length, 0);
    }
  });

  it('forwards a valid call and never throws, whatever the backend does', async () => {
    const ok = recordingBackend();
    assert.deepEqual(await dispatchIpc(ok.backend, GOOD, 'getArtifact', [CASE, SHA]), { ok: true, value: 'done' });
    assert.deepEqual(ok.calls, [['getArtifact', [CASE, SHA]]]);
    const throwing = recordingBackend(async () => {
      throw new Error('engine exploded');
    });
    assert.deepEqual(await dispatchIpc(throwing.backend, GOOD, 'listModels', []), {
      ok: false,
      error: { code: 'internal', message: 'engine exploded' },
    });
    const empty = recordingBackend(async () => undefined as unknown as ApiResult<unknown>);
    const r = await dispatchIpc(empty.backend, GOOD, 'listModels', []);
    assert.equal(!r.ok && r.error.code, 'internal');
  });

  it('registers one handler per contract method that checks the real sender frame', async () => {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<ApiResult<unknown>>>();
    const ipcMain = {
      handle: (ch: string, fn: (event: unknown, ...args: unknown[]) => Promise<ApiResult<unknown>>) => void handlers.set(ch, fn),
      removeHandler: (ch: string) => void handlers.delete(ch),
    };
    const ours = { id: 1 };
    const mainFrame = { url: 'verilens://app/index.html', parent: null };
    const { backend, calls } = recordingBackend();
    const unregister = registerIpc(ipcMain as never, (wc) => wc === (ours as unknown), backend);
    assert.deepEqual([...handlers.keys()].sort(), API_METHODS.map((m) => `${IPC_INVOKE_PREFIX}${m}`).sort());
    const call = handlers.get(`${IPC_INVOKE_PREFIX}openCase`)!;
    assert.deepEqual(await call({ sender: { ...ours, mainFrame }, senderFrame: mainFrame }, CASE), {
      ok: false,
      error: { code: 'forbidden-sender', message: 'IPC call refused: the sender is not a Verilens window' },
    });
    const wc = Object.assign(ours, { mainFrame });
    assert.deepEqual(await call({ sender: wc, senderFrame: mainFrame }, CASE), { ok: true, value: 'done' });
    const iframe = { url: 'verilens://app/index.html', parent: mainFrame };
    assert.equal((await call({ sender: wc, senderFrame: iframe }, CASE)).ok, false);
    const gone = {
      sender: wc,
      get senderFrame(): never {
        throw new Error('Render frame was disposed');
      },
    };
    assert.equal((await call(gone, CASE)).ok, false);
    assert.equal(calls.length, 1);
    unregister();
    assert.equal(handlers.size, 0);
  });
});

describe("main's steps around the engine", () => {
  it('uses the keychain passphrase only when the UI sends none, and never creates a key without one', async () => {
    const remembered: string[] = [];
    let stored: string | null = null;
    const vault = {
      recall: async () => stored,
      remember: async (p: string) => {
        remembered.push(p);
        stored = p;
        return true;
      },
    };
    const exportOk = recordingBackend(async () => ({ ok: true, value: { fileName: 'r.pdf' } }));
    const b = createMainBackend({ engine: exportOk.backend, vault });
    const none = await b.call('exportReport', [CASE, 'job-1', '']);
    assert.equal(!none.ok && none.error.code, 'passphrase-required');
    assert.equal(exportOk.calls.length, 0, 'nothing reaches the engine without a passphrase');
    assert.ok((await b.call('exportReport', [CASE, 'job-2', 'typed secret'])).ok);
    assert.deepEqual(remembered, ['typed secret']);
    assert.ok((await b.call('exportReport', [CASE, 'job-3', ''])).ok);
    assert.deepEqual(exportOk.calls.at(-1), ['exportReport', [CASE, 'job-3', 'typed secret']]);
    // A cancelled export (null) or a failed one does not store what was typed.
    const cancelled = createMainBackend({
      engine: recordingBackend(async () => ({ ok: true, value: null })).backend,
      vault,
    });
    await cancelled.call('exportReport', [CASE, 'job-4', 'other']);
    const failed = createMainBackend({
      engine: recordingBackend(async () => ({ ok: false, error: { code: 'bad-passphrase', message: 'wrong' } })).backend,
      vault,
    });
    await failed.call('exportReport', [CASE, 'job-5', 'wrong one']);
    assert.deepEqual(remembered, ['typed secret', 'typed secret']);
  });
});

describe('generated preload', () => {
  it('is up to date with the contract (run npm run gen:preload after changing src/contract/api.ts)', async () => {
    assert.equal(
      readFileSync(PRELOAD_FILE, 'utf8'),
      await renderPreload(),
      'electron/preload.generated.cts is stale: run npm run gen:preload',
    );
  });

  it("exposes exactly the contract's methods as window.verilens, and never ipcRenderer", () => {
    const text = readFileSync(PRELOAD_FILE, 'utf8');
    const sf = ts.createSourceFile(PRELOAD_FILE, text, ts.ScriptTarget.Latest, true);
    const exposed: ts.CallExpression[] = [];
    let apiObject: ts.ObjectLiteralExpression | undefined;
    const channels = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.expression.getText().endsWith('exposeInMainWorld')) exposed.push(n);
      if (ts.isVariableDeclaration(n) && n.name.getText() === 'api' && n.initializer && ts.isObjectLiteralExpression(n.initializer))
        apiObject = n.initializer;
      if (ts.isStringLiteral(n) && n.text.startsWith(IPC_INVOKE_PREFIX)) channels.add(n.text);
      n.forEachChild(visit);
    };
    visit(sf);
    assert.equal(exposed.length, 1, 'one exposeInMainWorld call');
    assert.equal(exposed[0]!.arguments[0]?.getText(), "'verilens'");
    assert.equal(exposed[0]!.arguments[1]?.getText(), 'Object.freeze(api)');
    assert.ok(apiObject);
    const keys = apiObject.properties.map((p) => p.name?.getText() ?? p.getText());
    assert.deepEqual([...keys].sort(), [...API_METHODS, 'onEvent'].sort());
    assert.doesNotMatch(apiObject.getText(), /ipcRenderer/, 'ipcRenderer never reaches the page');
    assert.deepEqual([...channels].sort(), [IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX].sort());
    // Dropped files become paths in the preload, with webUtils, not in the page.
    const drop = apiObject.properties.find((p) => p.name?.getText() === DROP_METHOD);
    assert.match(drop?.getText() ?? '', /droppedPaths\(files\)/);
    assert.match(text, /webUtils\.getPathForFile\(/);
    // A sandboxed preload may require only 'electron': no local modules at run time.
    const requires = [...text.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
    assert.deepEqual(requires, ['electron']);
    assert.match(text, /^import type .* from '\.\.\/src\/contract\/api\.js'/m);
  });
});
