/** The tool's version, recorded in every journal run and report. Kept in step with package.json. */
export const VERSION = '0.1.0';
