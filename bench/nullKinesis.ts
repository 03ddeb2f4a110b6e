/** The null Kinesis endpoint, startable on its own: `node --import tsx bench/nullKinesis.ts` (the code is in `harness/nullKinesis.ts`). */
import './harness/nullKinesis.js';
