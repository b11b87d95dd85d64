/** The foreign relay's public entry: start it, with defect switches, for the conformance suite to judge. */
export { startForeignRelay, type ForeignRelay } from './server.ts';
export type { ErrorStyle, ForeignRelayOptions, RouteName } from './options.ts';
