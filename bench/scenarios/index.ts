/** Every scenario, in the order `npm run bench` runs them when none is named. */
import { aggregation } from './aggregation.js';
import { kplEncoder } from './kplEncoder.js';
import { memory } from './memory.js';
import { micro } from './micro.js';
import { ordering } from './ordering.js';
import { shards } from './shards.js';
import type { Scenario } from './scenario.js';
import { throughput } from './throughput.js';

export const SCENARIOS: readonly Scenario[] = [
  throughput({
    name: 'instant',
    title: 'instant endpoint, ~90 B records',
    records: 100_000,
    quickRecords: 10_000,
    recordBytes: 90,
    delayMs: 0,
    naiveDivisor: 50,
  }),
  throughput({
    name: '20ms',
    title: 'endpoint answering after 20 ms, ~90 B records',
    records: 30_000,
    quickRecords: 5_000,
    recordBytes: 90,
    delayMs: 20,
    naiveDivisor: 300,
  }),
  throughput({
    name: '50kb',
    title: 'instant endpoint, 50 KB records',
    records: 2_000,
    quickRecords: 300,
    recordBytes: 50_000,
    delayMs: 0,
    naiveDivisor: 40,
  }),
  memory,
  aggregation,
  kplEncoder,
  shards,
  micro,
  ordering,
];
