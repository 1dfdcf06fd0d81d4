/**
 * Drives an interactive CLI in a real terminal (tmux): start it, wait for text on the screen,
 * type keys, and read its exit code. Used to test the wizard as a person would use it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class TmuxSession {
  private constructor(
    readonly name: string,
    private readonly exitFile: string,
  ) {}

  static start(name: string, command: string[], env: Record<string, string>, exitFile: string): TmuxSession {
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const envText = Object.entries(env).map(([k, v]) => `${k}=${q(v)}`).join(' ');
    const line = `env -i ${envText} ${command.map(q).join(' ')}; echo $? > ${q(exitFile)}; sleep 300`;
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '200', '-y', '60', line]);
    return new TmuxSession(name, exitFile);
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-t', this.name, '-p', '-S', '-400'], { encoding: 'utf8' });
  }

  async waitFor(text: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  keys(...keys: string[]): void {
    for (const k of keys) execFileSync('tmux', ['send-keys', '-t', this.name, k]);
  }

  /** Types text literally, then Enter. */
  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
    execFileSync('tmux', ['send-keys', '-t', this.name, 'Enter']);
  }

  async exitCode(timeoutMs = 60_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (!existsSync(this.exitFile)) {
      if (Date.now() > until) throw new Error(`no exit within ${timeoutMs} ms; screen:\n${this.screen().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return Number(readFileSync(this.exitFile, 'utf8').trim());
  }

  /** The wizard's last question: save the answers as a playbook, at this path (the default cleared). */
  async saveWizardPlaybook(file: string): Promise<void> {
    await this.waitFor('Save your answers as a playbook');
    this.type('y');
    await this.waitFor('Playbook file:');
    this.keys('C-u');
    this.type(file);
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

export function exitFileIn(dir: string, name: string): string {
  return join(dir, `${name}.exit`);
}
