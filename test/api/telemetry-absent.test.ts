import { describe, expect, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { AsyncLRU, MemoryStore } from '../../lib/index.js';
import { loadTelemetry, telemetryActive } from '../../lib/api/telemetry.js';

/**
 * `@opentelemetry/api` installed but no SDK registered: memokit subscribes
 * to nothing, so loads publish nothing and the hit path is untouched.
 */
describe('OpenTelemetry without an SDK', () => {
  it('subscribes to no channel and creates no instrument', async () => {
    class Accounts {
      @AsyncLRU({ store: new MemoryStore() })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const accounts = new Accounts();
    await accounts.get(1);
    await loadTelemetry();
    await accounts.get(2);
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
    // (The channels are process-wide, so this file checks memokit's own state, not hasSubscribers.)
    expect(telemetryActive()).toEqual({ metrics: false, tracing: false });
  });
});
