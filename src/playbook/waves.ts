/** Wave membership lives with the cutover step (steps/ may not import playbook/); kept here for playbook callers. */
export * from '../steps/cutover/waves.js';
