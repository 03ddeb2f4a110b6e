/** The null Kinesis endpoint's handle, at the path the CLI tests import it from (the code is in `harness/server.ts`). */
export { startNullKinesis } from './harness/server.js';
export type { NullKinesis } from './harness/server.js';
