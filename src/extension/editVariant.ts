// Edit Function as Variant: a kernel function of the tree opens as an editable C file of the
// workspace (mm-variants/NAME.c, its first line says where it came from); saving it writes the edit
// as a patch beside it (mm-variants/NAME.patch, reviewable and runnable again with run-patch), and
// "Run as a variant column" runs that patch, so the user's edit becomes the patched column.
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as vscode from 'vscode';

import { splitFunctions } from '../patch/sourceScanner';
import { unifiedDiff } from '../patch/unifiedDiff';

const HEADER = /^\/\* mmx variant: ([A-Za-z_]\w*) from (.+?) \((\S+)\)\. /;
const MAX_FILE = 8 * 1024 * 1024;

interface Origin {
  fn: string;
  tree: string;
  file: string;
}

function originOf(doc: vscode.TextDocument): Origin | undefined {
  if (doc.lineCount === 0) return undefined;
  const m = HEADER.exec(doc.lineAt(0).text);
  return m ? { fn: m[1], tree: m[2], file: m[3] } : undefined;
}

/** the function's text and first line in a tree file */
function treeFunction(tree: string, file: string, fn: string): { text: string; line: number } | undefined {
  const p = path.join(tree, file);
  if (!fs.existsSync(p) || fs.statSync(p).size > MAX_FILE) return undefined;
  const text = fs.readFileSync(p, 'utf8');
  const f = splitFunctions(text).fns.find((x) => x.name === fn);
  if (!f) return undefined;
  const start = text.lastIndexOf('\n', f.headerStart - 1) + 1;
  const end = text.indexOf('\n', f.bodyEnd - 1);
  return { text: text.slice(start, end < 0 ? text.length : end + 1), line: text.slice(0, start).split('\n').length };
}

export class EditVariantCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (!originOf(doc)) return;
        try {
          this.writePatch(doc);
        } catch (e) {
          void vscode.window.showErrorMessage(`MM Explorer: ${(e as Error).message}`);
        }
      }),
      vscode.languages.registerCodeLensProvider(
        { language: 'c', pattern: '**/mm-variants/*.c' },
        {
          provideCodeLenses: (doc) =>
            originOf(doc)
              ? [
                  new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
                    title: 'Run as a variant column',
                    command: 'mmExplorer.runEditedFunction',
                    arguments: [doc.uri],
                  }),
                ]
              : [],
        },
      ),
    );
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  /** open a tree function as mm-variants/NAME.c (an existing edit is opened as it is, never overwritten) */
  async edit(treeArg?: string, fileArg?: string, fnArg?: string): Promise<vscode.Uri | undefined> {
    const ws = vscode.workspace.workspaceFolders?.[0];
    if (!ws) throw new Error('Edit Function as Variant keeps the edit in the workspace: open a folder first.');
    const tree = treeArg ?? vscode.workspace.getConfiguration('mmExplorer').get<string>('kernelTree');
    if (!tree) throw new Error('Set mmExplorer.kernelTree (or run Run This Patch once) to say which kernel tree to read.');
    let file = fileArg;
    if (!file) {
      const mm = path.join(tree, 'mm');
      const files = fs.existsSync(mm)
        ? fs
            .readdirSync(mm)
            .filter((f) => f.endsWith('.c'))
            .map((f) => `mm/${f}`)
        : [];
      file = await vscode.window.showQuickPick(files, { title: `A file of ${tree}` });
      if (!file) return undefined;
    }
    const p = path.join(tree, file);
    if (!fs.existsSync(p)) throw new Error(`${p}: no such file`);
    const names = splitFunctions(fs.readFileSync(p, 'utf8')).fns.map((f) => f.name);
    const fn = fnArg ?? (await vscode.window.showQuickPick(names, { title: `A function of ${file}` }));
    if (!fn) return undefined;
    const src = treeFunction(tree, file, fn);
    if (!src) throw new Error(`${file} of ${tree} has no function ${fn}`);
    const dir = vscode.Uri.joinPath(ws.uri, 'mm-variants');
    const uri = vscode.Uri.joinPath(dir, `${fn}.c`);
    if (!fs.existsSync(uri.fsPath)) {
      fs.mkdirSync(dir.fsPath, { recursive: true });
      fs.writeFileSync(
        uri.fsPath,
        `/* mmx variant: ${fn} from ${tree} (${file}). Edit below; saving writes ${fn}.patch, the CodeLens runs it as a column. */\n${src.text}`,
      );
    }
    await vscode.window.showTextDocument(uri);
    return uri;
  }

  /** the edit as a patch against the tree, beside the edited file */
  writePatch(doc: vscode.TextDocument): vscode.Uri | undefined {
    const o = originOf(doc);
    if (!o) return undefined;
    const src = treeFunction(o.tree, o.file, o.fn);
    if (!src) throw new Error(`${o.file} of ${o.tree} has no function ${o.fn} any more`);
    const edited = doc.getText().split('\n').slice(1).join('\n');
    const diff = unifiedDiff(src.text, edited, { oldPath: `a/${o.file}`, newPath: `b/${o.file}`, firstLine: src.line });
    const out = vscode.Uri.file(doc.uri.fsPath.replace(/\.c$/, '.patch'));
    fs.writeFileSync(
      out.fsPath,
      `Subject: [VARIANT] ${o.file}: ${o.fn} as edited in ${path.basename(doc.uri.fsPath)}\n\n${diff || `(no change to ${o.fn} yet)\n`}`,
    );
    return out;
  }

  /** save, write the patch and run it: the edit is the patched column */
  async run(uri?: vscode.Uri, scenario?: string): Promise<unknown> {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    const o = doc && originOf(doc);
    if (!doc || !o) throw new Error('Open an mm-variants/*.c file made by Edit Function as Variant.');
    if (doc.isDirty) await doc.save();
    const patch = this.writePatch(doc);
    return vscode.commands.executeCommand('mmExplorer.runThisPatch', patch, scenario, o.tree);
  }
}
