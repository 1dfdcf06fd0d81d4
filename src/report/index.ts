/** The report framework every step reuses: fill a ReportModel, call writeReport. */
export type { Cell, ChartSpec, Headline, ReportModel, Slice, TableSpec, Tone, WrittenReport } from './model.js';
export { writeReport, STEP_NAME, type WriteReportOptions } from './write-report.js';
export { writeCsv, type CsvColumn, type CsvRow } from './csv.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export { renderChartSvg } from './svg.js';
export { collectTable, DEFAULT_HTML_LIMIT, type CollectedTable } from './collect-table.js';
export { readRuns, renderIndexHtml, writeRunIndex, RUN_FILE, type IndexedRun, type RunSummary } from './run-index.js';
export { escapeHtml } from './escape-html.js';
export { statusLine, countBySeverity } from './report-text.js';
