export { compileProject } from './compile.js';
export type { CompileOptions, CompileResult, Artifacts } from './types.js';
export { quoteIdent, quoteLiteral } from './quote.js';
export { CONNECTOR_CATALOGUE, lookupConnector } from './connectors.js';
