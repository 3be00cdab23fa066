import { describe, expect, it } from '@jest/globals';
import { compressed, CorruptEntryError, defaultSerializer, MemoryStore } from '../../lib/index.js';

describe('compression (seed 004 serializers): large values compressed, small ones as they are', () => {
  const value = {
    rows: Array.from({ length: 500 }, (_, i) => ({ id: i, at: new Date(i), tags: new Set(['a', 'b']) })),
  };

  it.each(['gzip', 'brotli'] as const)(
    'round-trips losslessly with %s and is smaller than the plain text',
    (algorithm) => {
      const serializer = compressed(defaultSerializer, { algorithm, threshold: 100 });
      const plain = defaultSerializer.serialize(value);
      const packed = serializer.serialize(value);
      expect(packed.startsWith('z:')).toBe(true);
      expect(packed.length).toBeLessThan(plain.length / 3);
      expect(serializer.deserialize(packed)).toEqual(value);
    },
  );

  it('leaves values under the threshold uncompressed', () => {
    const serializer = compressed(defaultSerializer, { threshold: 1024 });
    const text = serializer.serialize({ small: true });
    expect(text).toBe(`p:${defaultSerializer.serialize({ small: true })}`);
    expect(serializer.deserialize(text)).toEqual({ small: true });
  });

  it('names the algorithm in the format, so differently compressed entries never decode as each other', () => {
    expect(compressed(defaultSerializer).format).toBe(`${defaultSerializer.format}+gz`);
    expect(compressed(defaultSerializer, { algorithm: 'brotli' }).format).toBe(`${defaultSerializer.format}+br`);
    expect(() => compressed().deserialize('garbage')).toThrow('not a compressed memokit value');
  });

  it('works for memory snapshots too', async () => {
    const store = new MemoryStore();
    await store.set('k', value);
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'memokit-z-')), 'snap.json');
    const serializer = compressed(defaultSerializer, { threshold: 10 });
    await store.snapshot(path, serializer);
    const restored = new MemoryStore();
    expect(await restored.restore(path, serializer)).toEqual({ restored: 1, dropped: 0 });
    expect((await restored.get('k'))?.value).toEqual(value);
  });

  it.each(['gzip', 'brotli'] as const)(
    'stops decompressing %s past maxDecompressedSize: a small planted bomb is an error, not gigabytes',
    (algorithm) => {
      const serializer = compressed(defaultSerializer, { algorithm, threshold: 1, maxDecompressedSize: '1mb' });
      // 8 MiB of one character compresses to a few kilobytes.
      const bomb = serializer.serialize('x'.repeat(8 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(64 * 1024);
      expect(() => serializer.deserialize(bomb)).toThrow(/more than 1048576 bytes \(option "maxDecompressedSize"\)/);
      // Values within the limit still round-trip.
      const fits = 'y'.repeat(512 * 1024);
      expect(serializer.deserialize(serializer.serialize(fits))).toBe(fits);
    },
  );

  it('rejects bad options with messages naming them', () => {
    expect(() => compressed(defaultSerializer, { algorithm: 'zstd' as never })).toThrow(
      /"algorithm" must be 'gzip' or 'brotli'/,
    );
    expect(() => compressed(defaultSerializer, { threshold: 0 })).toThrow(/"threshold" must be a positive integer/);
    expect(() => compressed(defaultSerializer, { maxDecompressedSize: '0kb' as never })).toThrow(/maxDecompressedSize/);
    expect(() => compressed({} as never)).toThrow(TypeError);
  });
});

describe('compression: text it cannot read is a corrupt entry', () => {
  it('throws a CorruptEntryError for text it did not write, damaged bytes and decompression bombs', () => {
    const serializer = compressed(defaultSerializer, { threshold: 1, maxDecompressedSize: 1024 });
    const unknown = catchError(() => serializer.deserialize('garbage'));
    expect(unknown).toBeInstanceOf(CorruptEntryError);
    expect((unknown as CorruptEntryError).code).toBe('E_CORRUPT_ENTRY');

    const damaged = catchError(() => serializer.deserialize(`z:${Buffer.from('not gzip').toString('base64')}`));
    expect(damaged).toBeInstanceOf(CorruptEntryError);
    // The zlib error is the cause (an Error of Node's realm, not jest's: compared by its code).
    expect((damaged as CorruptEntryError).cause).toHaveProperty('code', 'Z_DATA_ERROR');
    expect((damaged as CorruptEntryError).message).toMatch(/^the stored entry cannot be decoded \(/);

    const bomb = catchError(() => serializer.deserialize(serializer.serialize('x'.repeat(4096))));
    expect(bomb).toBeInstanceOf(CorruptEntryError);
    expect((bomb as CorruptEntryError).message).toMatch(/more than 1024 bytes \(option "maxDecompressedSize"\)/);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}
