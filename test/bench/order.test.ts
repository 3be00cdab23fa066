import { describe, expect, it } from '@jest/globals';
import { cases, groups } from '../../bench/cases/index.js';
import { floorBlocks, floorOf } from '../../bench/report.js';

describe('bench rounds: each floor next to the rows measured against it', () => {
  it('puts every case of every group in exactly one block, in the block of its floor', () => {
    for (const group of groups) {
      const members = cases.filter((c) => c.group === group.id);
      if (members.length === 0) continue;
      const blocks = floorBlocks(members);
      expect(
        blocks
          .flat()
          .map((c) => c.id)
          .sort(),
      ).toEqual(members.map((c) => c.id).sort());
      for (const block of blocks) {
        const floors = new Set(block.map((c) => floorOf(members, c)?.id ?? c.id));
        expect(floors.size).toBe(1);
      }
    }
  });

  it("keeps the Redis group's in-process rows with the in-process floor, away from the rows that read Redis", () => {
    const redis = cases.filter((c) => c.group === 'redis');
    const ids = floorBlocks(redis).map((block) => block.map((c) => c.id).sort());
    expect(ids).toContainEqual(['redis/floor-memory', 'redis/memokit-memory', 'redis/memokit-tiered']);
    expect(ids).toContainEqual(['redis/floor-get', 'redis/memokit-redis']);
    expect(ids).toContainEqual([
      'redis/floor-get-pipelined',
      'redis/memokit-redis-pipelined',
      'redis/memokit-redis-ttl-pipelined',
    ]);
  });

  it("gives the hit group's advisor rows the memokit rows without the advisor as their floors", () => {
    const hit = cases.filter((c) => c.group === 'hit');
    const ids = floorBlocks(hit).map((block) => block.map((c) => c.id).sort());
    expect(ids).toContainEqual(['hit/memokit-lru-advisor', 'hit/memokit-lru-advisor-sampled', 'hit/memokit-lru-otel']);
    expect(ids).toContainEqual(['hit/memokit-lru-string-advisor']);
    for (const id of ['hit/memokit-lru-advisor', 'hit/memokit-lru-advisor-sampled']) {
      expect(
        floorOf(
          hit,
          hit.find((c) => c.id === id)!,
        )?.id,
      ).toBe('hit/memokit-lru');
    }
    const string = hit.find((c) => c.id === 'hit/memokit-lru-string-advisor')!;
    expect(floorOf(hit, string)?.id).toBe('hit/memokit-lru-string');
    // --quick measures a row only with the row its ratio is relative to.
    for (const c of hit.filter((c) => c.quick === true)) expect(floorOf(hit, c)?.quick).toBe(true);
  });

  it('leaves a case without a floor (stampede) in a block of its own', () => {
    const stampede = cases.filter((c) => c.group === 'stampede');
    expect(stampede.length).toBeGreaterThan(1);
    expect(floorBlocks(stampede).every((block) => block.length === 1)).toBe(true);
  });
});
