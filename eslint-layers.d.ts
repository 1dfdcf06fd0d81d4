// Types of eslint-layers.js for the test that proves the layer rules fire.
import type { Linter } from 'eslint';

export declare const LAYER_RANKS: Record<string, number>;
export declare const PURE_LAYERS: string[];
export declare function layerRules(): Linter.Config[];
