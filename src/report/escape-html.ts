/**
 * Escapes text for HTML element content and quoted attribute values. Every string that reaches
 * report.html or index.html goes through here: computer and OU names come from AD and anyone
 * who can name an object there could otherwise inject markup.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

// Control characters other than tab/newline are not allowed in HTML text; show them as U+FFFD.
const UNSAFE = /[&<>"'`]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeHtml(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(UNSAFE, (c) => ENTITIES[c] ?? '\uFFFD');
}
