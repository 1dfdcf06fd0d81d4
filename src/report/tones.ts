/**
 * Chart colours. Tones carry meaning (good / warn / bad / neutral) and are told apart by people
 * with the common colour-vision deficiencies (bluish green, amber, vermilion red and grey differ in
 * hue and lightness); every chart also prints its numbers and names, so colour is never the only
 * cue. Series without a tone take the categorical palette in order.
 */
import type { Tone } from './model.js';

export const TONE_COLOURS: Record<Tone, string> = {
  good: '#0f7b5f',
  warn: '#e0a100',
  bad: '#c8372d',
  neutral: '#8c959f',
};

export const PALETTE: readonly string[] = [
  '#1f6fb2',
  '#7b5fb8',
  '#4fa3d9',
  '#a9508a',
  '#3d7f8a',
  '#8c6a52',
  '#5b6b7c',
  '#a48ad6',
];

/** The fill for item i: its tone's colour, else the next palette colour. */
export function fillFor(tone: Tone | undefined, index: number): string {
  return tone ? TONE_COLOURS[tone] : (PALETTE[index % PALETTE.length] as string);
}

function channel(hex: string, offset: number): number {
  const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export const INK = '#1f2328';
export const WHITE = '#ffffff';

/** White or near-black, whichever reads better on the given fill. */
export function inkOn(fill: string): string {
  return contrastRatio(fill, WHITE) >= contrastRatio(fill, INK) ? WHITE : INK;
}
