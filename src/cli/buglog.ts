/** Writes a secret-free crash log (stack trace only, no arguments or environment). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';

export function writeBugLog(e: unknown): string | undefined {
  try {
    const dir = join(stateDir(), 'logs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `crash-${new Date().toISOString().replace(/[:.]/g, '')}.log`);
    const text = e instanceof Error ? `${e.name}: ${redact(e.message)}\n${redact(e.stack ?? '')}\n` : 'non-Error thrown\n';
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  } catch {
    return undefined;
  }
}

/** Strips anything that looks like a quoted value or a long hex/base64 run from a message. */
export function redact(text: string): string {
  return text
    .replace(/"[^"\n]{0,200}"/g, '"…"')
    .replace(/\b[0-9a-fA-F]{32,}\b/g, '<hex>')
    .replace(/\b[A-Za-z0-9+/]{40,}={0,2}/g, '<base64>');
}
