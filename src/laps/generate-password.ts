/**
 * A new local password as a LAPS client makes one: PasswordLength characters drawn from the
 * PasswordComplexity classes (1 upper, 2 upper+lower, 3 +digits, 4 +specials), one of each class
 * at least. Complexity 5..8 (passphrases, build 26100+) are generated as complexity 4 in the lab.
 */
import { randomInt } from 'node:crypto';

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-.:=?@_'];

export function generateLapsPassword(length: number, complexity: number): string {
  const classes = CLASSES.slice(0, Math.min(4, Math.max(1, complexity > 4 ? 4 : complexity)));
  const all = classes.join('');
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
