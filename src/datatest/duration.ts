/** Durations as users write them: shared with the compiler, which compiles continuous tests. */
export { formatDuration, parseDuration } from '../core/duration.js';
