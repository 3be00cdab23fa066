import { channels } from '../../util/diagnostics.js';
import { cacheEvents } from '../../util/events.js';
import { messages } from '../../util/messages.js';
import { BusMessageError } from './bus-errors.js';
import { busMessageProblem } from './bus-message.js';
import { RedisBus } from './bus.js';
import type { SharedTier } from './shared-tier.js';
import type { TieredShared } from './tiered-namespace.js';
import { wireKey } from './wire-key.js';

/**
 * Keeps a tiered store's L1 coherent with its peers': applies the
 * invalidations its bus delivers, drops the whole L1 when messages may have
 * been missed, and republishes the invalidations its L2 replayed after an
 * outage. Returns the count of messages it dropped itself (not valid, or
 * failing to apply).
 *
 * @example
 * ```ts
 * const dropped = keepCoherent(shared, l2);
 * console.log(dropped.count);
 * ```
 */
export function keepCoherent(shared: TieredShared, l2: SharedTier): { readonly count: number } {
  const { bus, tree, tokens, peers } = shared;
  const dropped = { count: 0 };
  // Messages may have been missed (or a tag invalidation cannot be mapped to keys):
  // drop every L1 entry and void every load token.
  const reset = (): void => {
    tokens.voidAll();
    for (const namespace of tree.values()) {
      namespace.sync.clear();
      namespace.remoteInvalidation(undefined);
    }
  };
  // Every message is checked again here (any bus may carry anything); one that is not valid, or that fails
  // to apply, is counted, reported and dropped, and L1 is dropped with it: it may have been an invalidation.
  const drop = (error: BusMessageError): void => {
    dropped.count++;
    reset();
    cacheEvents.emit('error', { source: 'TieredStore', operation: 'bus', error });
    if (channels.storeError.hasSubscribers)
      channels.storeError.publish({ source: 'TieredStore', operation: 'bus', error });
  };
  bus.on('message', (message) => {
    try {
      const problem = busMessageProblem(message);
      if (problem !== undefined) {
        return drop(new BusMessageError(messages.BUS_LISTENER_FAILED(problem)));
      }
      // The publisher's Redis link failed: apply the invalidation in Redis from here (also in a
      // namespace this process has not opened yet: it may open it later).
      if (message.applied === false) peers.apply(message);
      if (message.op === 'tags') return reset();
      const namespace = message.ns === undefined ? undefined : tree.get(message.ns);
      namespace?.applyRemote(message);
    } catch (cause) {
      drop(new BusMessageError(messages.BUS_LISTENER_FAILED(cause), { cause }));
    }
  });
  if (bus instanceof RedisBus) {
    bus.on('invalid', (error: BusMessageError) => {
      cacheEvents.emit('error', { source: 'TieredStore', operation: 'bus', error });
      if (channels.storeError.hasSubscribers)
        channels.storeError.publish({ source: 'TieredStore', operation: 'bus', error });
    });
  }
  bus.on('reset', (reason: string) => {
    reset();
    if (channels.storeState.hasSubscribers)
      channels.storeState.publish({ store: 'TieredStore', state: 'reset', reason });
  });
  // Invalidations Redis missed during an outage and got on its return: tell the peers again,
  // since they may have read the entries back into their L1 meanwhile.
  l2.onReplay?.(async (replays) => {
    for (const replay of replays) {
      const ns = JSON.stringify(replay.path);
      if (replay.op === 'invalidateTags') await bus.publish({ op: 'tags', tags: replay.tags ?? [] });
      else if (replay.op === 'clear') await bus.publish({ op: 'clear', ns });
      else if (replay.key !== undefined) await bus.publish({ op: 'delete', ns, key: wireKey(replay.key) });
    }
  });
  return dropped;
}
