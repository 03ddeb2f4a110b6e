/**
 * The stream's shards, as `ListShards` reports them (every page). Used to read every shard
 * (`fromKinesis`) and to predict which shard a key maps to (aggregation; later, per-shard rate
 * limiting).
 *
 * @module
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { StreamTarget } from './streamTarget.js';

/** Shards asked for per `ListShards` page (the service's maximum is 10,000). */
const SHARDS_PER_PAGE = 1_000;

/**
 * Lists every shard of the stream, open and closed, following `NextToken` across pages.
 *
 * @param client - The Kinesis client.
 * @param target - The stream's name and/or ARN.
 * @param signal - Aborts the listing.
 * @returns Every shard, in the order the service lists them.
 */
export async function listShards(client: KinesisClient, target: StreamTarget, signal?: AbortSignal): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(nextToken === undefined ? { ...target, MaxResults: SHARDS_PER_PAGE } : { NextToken: nextToken, MaxResults: SHARDS_PER_PAGE }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}
