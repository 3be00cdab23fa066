import { ConflictException, Controller, Get, Header, Inject } from '@nestjs/common';
import type { CacheAdvice, SizeEstimate, SizeRecommendation } from 'memokit';
import { CacheService } from 'memokit/nest';
import { CACHE_MODE, type CacheMode } from '../cache-mode.js';

/** One item of `GET /cache/advice`: a {@link CacheAdvice} with `null` for what it leaves undefined. */
export interface AdviceResponse {
  /** `Class.method`, or `scope:<name>` for a shared scope's bucket. */
  readonly method: string;
  readonly store: string;
  /** `null`: the store has no `maxSize` (Redis), so there is no size curve. */
  readonly maxSize: number | null;
  /** Milliseconds; `null`: entries do not expire. */
  readonly ttl: number | null;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly observedMs: number;
  readonly rate: number;
  readonly sampledKeys: number;
  readonly distinctKeys: number;
  readonly bytesPerEntry: number | null;
  readonly sizes: readonly (Omit<SizeEstimate, 'bytes'> & { readonly bytes: number | null })[];
  readonly ttls: CacheAdvice['ttls'];
  readonly recommendation: (Omit<SizeRecommendation, 'bytes'> & { readonly bytes: number | null }) | null;
  readonly warnings: readonly string[];
}

/**
 * The sizing advisor's reports (`CacheService.advise()`): for each advised
 * method or shared scope, the estimated hit rate at 0.25×–8× its `maxSize`
 * and 0.25×–4× its TTL, and the size to pick. The dashboard draws them.
 * In `nest-cache-manager` mode: the methods memokit still caches (users).
 */
@Controller('cache')
export class AdviceController {
  constructor(
    private readonly cache: CacheService,
    @Inject(CACHE_MODE) private readonly mode: CacheMode,
  ) {}

  @Get('advice')
  @Header('Cache-Control', 'no-store')
  advice(): AdviceResponse[] {
    if (this.mode === 'none') {
      // Every read bypasses the cache (useCache: false), and the advisor counts no such call.
      throw new ConflictException('advice needs a cache; this app runs CACHE_MODE=none, where every read bypasses it');
    }
    return this.cache.advise().map(toResponse);
  }
}

function toResponse(advice: CacheAdvice): AdviceResponse {
  const { maxSize, ttl, bytesPerEntry, sizes, recommendation } = advice;
  return {
    ...advice,
    maxSize: maxSize ?? null,
    ttl: ttl ?? null,
    bytesPerEntry: bytesPerEntry ?? null,
    sizes: sizes.map((point) => ({ ...point, bytes: point.bytes ?? null })),
    recommendation: recommendation === undefined ? null : { ...recommendation, bytes: recommendation.bytes ?? null },
  };
}
