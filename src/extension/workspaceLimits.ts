// The limits in force now: the settings, and Restricted Mode when the workspace is not trusted
// (limits.ts decides; this reads VS Code's side).
import * as vscode from 'vscode';

import { effectiveLimits, LIMIT_SETTINGS, type LimitSettings, type Limits } from './limits';

export function currentLimits(scope?: vscode.Uri): Limits {
  const c = vscode.workspace.getConfiguration(undefined, scope);
  const s: LimitSettings = {};
  for (const [k, key] of Object.entries(LIMIT_SETTINGS)) s[k as keyof LimitSettings] = c.get<number | null>(key) ?? null;
  return effectiveLimits(s, vscode.workspace.isTrusted);
}

/** how the user raises a size limit, for messages */
export function raiseHint(setting: string, limits: Limits): string {
  return `setting ${setting}${limits.trusted ? '' : ', halved in Restricted Mode'}`;
}
