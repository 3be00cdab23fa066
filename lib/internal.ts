/**
 * The internal entry of memokit's own NestJS module (`nest-module/`): the
 * registry of decorated methods and what it hands out, nothing else. Not a
 * public API: no semver promise covers it, and applications import
 * `memokit` (or `memokit/nest`) instead.
 *
 * @internal
 * @packageDocumentation
 */
export { registry } from './api/registry.js';
export { disableTelemetry } from './api/telemetry.js';
export type { MethodDefinition } from './api/method-definition.js';
export { storeReady } from './stores/ready.js';
export { advisorSettingsOf, type AdvisorSettings } from './engine/index.js';
