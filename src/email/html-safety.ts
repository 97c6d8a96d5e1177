/**
 * Checks that an HTML email body is safe to send: mail clients strip or block scripts, `<style>`
 * blocks and remote resources, and Gmail clips bodies above ~102 KB, so the summary must use inline
 * styles, no scripts, no external images or links to stylesheets, and stay under 100 KB.
 * Pure; used by the tests of the email summary and as a run-time guard before sending.
 */

/** Largest HTML body we send (bytes of UTF-8); Gmail clips messages above about 102 KB. */
export const MAX_EMAIL_HTML_BYTES = 100 * 1024;

const RULES: ReadonlyArray<{ pattern: RegExp; problem: string }> = [
  { pattern: /<script\b/i, problem: 'contains a <script> element' },
  { pattern: /<style\b/i, problem: 'contains a <style> block (use inline styles)' },
  { pattern: /<link\b/i, problem: 'contains a <link> element' },
  {
    pattern: /<(?:iframe|object|embed|form|input|button|video|audio|base|meta\s+http-equiv)\b/i,
    problem: 'contains an element mail clients block',
  },
  { pattern: /\son[a-z]+\s*=/i, problem: 'contains an inline event handler (on...=)' },
  { pattern: /javascript:/i, problem: 'contains a javascript: URL' },
  // `\s*["']?\s*` let two runs of spaces compete (quadratic: 62 s on one org name); a quote now
  // starts the second run, so every position is matched one way only (linear).
  {
    pattern: /\b(?:src|background|poster)\s*=\s*(?:["']\s*)?(?:https?:|\/\/)/i,
    problem: 'loads an external resource (remote image or media)',
  },
  {
    pattern: /url\(\s*(?:["']\s*)?(?:https?:|\/\/)/i,
    problem: 'loads an external resource through CSS url()',
  },
  { pattern: /@import\b/i, problem: 'uses CSS @import' },
];

/** Returns the problems found (empty when the body is email-safe). */
export function emailHtmlProblems(html: string): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes > MAX_EMAIL_HTML_BYTES) {
    problems.push(`is ${bytes} bytes, over the ${MAX_EMAIL_HTML_BYTES}-byte limit (mail clients clip it)`);
  }
  for (const rule of RULES) if (rule.pattern.test(html)) problems.push(rule.problem);
  return problems;
}
