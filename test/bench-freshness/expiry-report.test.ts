import { describe, expect, it } from '@jest/globals';
import * as prettier from 'prettier';
import {
  EXPIRY_END,
  EXPIRY_START,
  expirySection,
  expiryTargets,
  LatencyHistogram,
  loaderCallsPerExpiry,
  spliceBetween,
  type ExpiryRow,
} from '../../bench/freshness/expiry-report.js';

const row = (over: Partial<ExpiryRow>): ExpiryRow => ({
  id: 'x',
  label: 'x',
  role: 'policy',
  p50: 0.0002,
  p99: 0.0004,
  p9999: 2,
  max: 5,
  calls: 1_000_000,
  waited: 0,
  loaderCalls: 11,
  seconds: 10,
  ttlSeconds: 1,
  cycleSeconds: 1,
  ...over,
});

describe('the expiry bench report', () => {
  it('histogram percentiles are within 1% of the samples, in bounded memory', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 100); // 0.01 .. 100 ms
    expect(h.count).toBe(10_000);
    expect(h.percentile(0.5)).toBeGreaterThanOrEqual(50);
    expect(h.percentile(0.5)).toBeLessThanOrEqual(50 * 1.01);
    expect(h.percentile(0.99)).toBeGreaterThanOrEqual(99);
    expect(h.percentile(0.99)).toBeLessThanOrEqual(99 * 1.01);
    expect(h.max).toBe(100);
    expect(h.toJSON().buckets.length).toBeLessThan(1_000);
    expect(LatencyHistogram.fromJSON(h.toJSON()).percentile(0.99)).toBe(h.percentile(0.99));
  });

  it('counts loader calls per expiry after the cold load, per refresh cycle for refresh-ahead', () => {
    expect(loaderCallsPerExpiry({ loaderCalls: 11, seconds: 10, cycleSeconds: 1 })).toBe(1);
    expect(loaderCallsPerExpiry({ loaderCalls: 21, seconds: 10, cycleSeconds: 1 })).toBe(2);
    expect(loaderCallsPerExpiry({ loaderCalls: 13, seconds: 10, cycleSeconds: 0.8 })).toBe(1);
    expect(loaderCallsPerExpiry({ loaderCalls: 1, seconds: 0.5, cycleSeconds: 1 })).toBe(0);
  });

  it('checks the targets of the policy rows against the baseline', () => {
    const baseline = row({ role: 'baseline', p99: 0.0004 });
    const good = row({ label: 'swr' });
    const stampede = row({ label: 'stampede', loaderCalls: 31 });
    const slow = row({ label: 'slow', p99: 0.01, waited: 200 });
    const targets = expiryTargets([
      baseline,
      good,
      stampede,
      slow,
      row({ role: 'compare', label: 'peer', waited: 999 }),
    ]);
    expect(targets.filter((t) => t.row === 'swr').every((t) => t.met)).toBe(true);
    expect(targets.find((t) => t.row === 'stampede' && t.target.startsWith('loader'))?.met).toBe(false);
    expect(targets.filter((t) => t.row === 'slow' && !t.met).map((t) => t.target)).toEqual([
      'p99 ≤ 2× the hit path p99 (at least 1 µs)',
      'calls that waited for a load = 0',
    ]);
    expect(targets.some((t) => t.row === 'peer')).toBe(false);
  });

  it('renders a section between its markers and splices it into a page', () => {
    const section = expirySection([row({ role: 'baseline' }), row({ label: 'swr' })], [], {
      callers: 200,
      loadMs: 50,
      when: '2026-12-05',
      machine: 'test',
    });
    expect(section.startsWith(EXPIRY_START)).toBe(true);
    expect(section.endsWith(EXPIRY_END)).toBe(true);
    expect(section).toMatch(/^\| swr +\|/m);
    const page = `# Benchmarks\n\ntext\n`;
    const once = spliceBetween(page, EXPIRY_START, EXPIRY_END, section);
    expect(once).toContain(section);
    const twice = spliceBetween(once, EXPIRY_START, EXPIRY_END, section.replace('swr', 'swr2'));
    expect(twice.split(EXPIRY_START)).toHaveLength(2);
    expect(twice).toMatch(/^\| swr2 +\|/m);
  });

  it('writes what Prettier would: docs/benchmarks.md passes `prettier --check` after a run', async () => {
    const targets = expiryTargets([row({ role: 'baseline' }), row({ label: 'memokit, `refreshAhead: 0.8`' })]);
    const section = expirySection(
      [row({ role: 'baseline' }), row({ label: 'memokit, `refreshAhead: 0.8`' })],
      targets,
      {
        callers: 200,
        loadMs: 50,
        when: '2026-12-05',
        machine: 'test',
      },
    );
    const page = spliceBetween('# Benchmarks\n\ntext\n', EXPIRY_START, EXPIRY_END, section);
    const options = (await prettier.resolveConfig('docs/benchmarks.md')) ?? {};
    expect(await prettier.format(page, { ...options, parser: 'markdown' })).toBe(page);
  });
});
