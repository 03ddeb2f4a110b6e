import { expect } from 'chai';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { planRequests, SERVICE_REQUEST_LIMITS } from '../../lib/producer/planner.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';

const record = (bytes: number, partitionKey = 'k'): { record: AcceptedRecord<number> } => ({
  record: { accepted: true, item: bytes, partitionKey, explicitHashKey: undefined, data: new Uint8Array(bytes - partitionKey.length), bytes, wireBytes: entryBytes(bytes - partitionKey.length, partitionKey, undefined) },
});

describe('planRequests', () => {
  it('plans nothing for nothing', () => {
    expect(planRequests([])).to.deep.equal([]);
  });

  it('packs at most 500 records per request, in order', () => {
    const waiting = Array.from({ length: 1203 }, () => record(10));
    const requests = planRequests(waiting);
    expect(requests.map((r) => r.records.length)).to.deep.equal([500, 500, 203]);
    expect(requests.flatMap((r) => r.outgoing)).to.deep.equal(waiting);
  });

  it('keeps every request within 5 MiB, counting data and key', () => {
    const waiting = Array.from({ length: 20 }, () => record(600 * 1024));
    const requests = planRequests(waiting);
    expect(requests.map((r) => r.records.length)).to.deep.equal([8, 8, 4]);
    for (const request of requests) expect(request.bytes).to.be.at.most(SERVICE_REQUEST_LIMITS.maxBytes);
  });

  it('sends a record over the request limit alone', () => {
    const requests = planRequests([record(10), record(6 * 1024 * 1024), record(10)]);
    expect(requests.map((r) => r.records.length)).to.deep.equal([1, 1, 1]);
  });


  it('keeps the HTTP body under the emulators\' 7 MiB when JSON escaping lengthens the keys', () => {
    const key = '\u0001'.repeat(256); // each character is 6 bytes in JSON
    const waiting = Array.from({ length: 500 }, () => record(10_256, key));
    const requests = planRequests(waiting);
    expect(requests.length).to.equal(2);
    for (const request of requests) {
      expect(request.bytes).to.be.at.most(SERVICE_REQUEST_LIMITS.maxBytes);
      expect(request.records.reduce((sum, r) => sum + r.wireBytes, 0)).to.be.at.most(SERVICE_REQUEST_LIMITS.maxWireBytes);
    }
  });
});
