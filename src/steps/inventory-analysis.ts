/**
 * Inventory conclusions, pure: raw per-computer facts (as read from AD, no secrets) in,
 * classification, per-OU rollup, GPO coverage and findings out.
 *
 * The parts live in steps/inventory/: model (types), classify (one computer), rollup (per OU,
 * GPO reach, summary), findings. This module is their public face.
 */
export * from './inventory/model.js';
export * from './inventory/classify.js';
export * from './inventory/rollup.js';
export * from './inventory/findings.js';
