import { brotliCompressSync, brotliDecompressSync, gzipSync, gunzipSync } from 'node:zlib';
import { parseByteSize, type ByteSize } from '../util/byte-size.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions, positiveInt } from '../util/options.js';
import { defaultSerializer } from './envelope.js';
import { CorruptEntryError } from './errors.js';
import { assertSerializer, type Serializer } from './serializer.js';

/**
 * Options of {@link compressed}.
 *
 * @example
 * ```ts
 * compressed(defaultSerializer, { algorithm: 'brotli', threshold: 4096 });
 * ```
 */
export interface CompressionOptions {
  /**
   * `'gzip'` (fast, everywhere) or `'brotli'` (smaller, slower to write).
   *
   * @default 'gzip'
   */
  algorithm?: 'gzip' | 'brotli';
  /**
   * Values whose serialized text is at least this many characters are
   * compressed; smaller ones are stored as they are (compression would cost
   * more than it saves).
   *
   * @default 1024
   */
  threshold?: number;
  /**
   * Most bytes one value may decompress to. A stored value is untrusted
   * input: a few kilobytes of compressed text can expand to gigabytes (a
   * decompression bomb). Past this limit decompression stops and the entry
   * reads as corrupt (a counted miss), never as an allocation without bound.
   * Bytes, or `'512kb'` / `'64mb'`.
   *
   * @default '64mb'
   */
  maxDecompressedSize?: ByteSize;
}

const PLAIN = 'p:';
const PACKED = 'z:';

/**
 * Wraps a {@link Serializer} so that large values are compressed with
 * node:zlib (gzip or brotli) before they reach the store. The format name
 * records the algorithm, so entries written without compression (or with
 * another algorithm) read as misses rather than garbage. Text it did not
 * write, damaged bytes and values past `maxDecompressedSize` throw a
 * {@link CorruptEntryError} when read.
 *
 * @param inner - the serializer to wrap
 * @default inner: defaultSerializer
 * @example
 * ```ts
 * import { compressed, defaultSerializer, RedisStore } from 'memokit';
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379', serializer: compressed(defaultSerializer, { threshold: 2048 }) });
 * ```
 */
export function compressed(inner: Serializer = defaultSerializer, options: CompressionOptions = {}): Serializer {
  const where = 'compressed()';
  assertSerializer(inner, where);
  assertKnownOptions(where, options, ['algorithm', 'threshold', 'maxDecompressedSize']);
  const algorithm = options.algorithm ?? 'gzip';
  if (algorithm !== 'gzip' && algorithm !== 'brotli') throw new TypeError(messages.BAD_COMPRESSION(where, algorithm));
  const threshold = positiveInt(where, 'threshold', options.threshold, 1024);
  const pack = algorithm === 'gzip' ? gzipSync : brotliCompressSync;
  const maxOutputLength = parseByteSize(options.maxDecompressedSize ?? '64mb', where, 'maxDecompressedSize');
  const decompress = algorithm === 'gzip' ? gunzipSync : brotliDecompressSync;
  const unpack = (bytes: Buffer): Buffer => {
    try {
      return decompress(bytes, { maxOutputLength });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new CorruptEntryError(messages.DECOMPRESSED_TOO_LARGE(where, maxOutputLength), { cause: error });
      }
      throw new CorruptEntryError(messages.CORRUPT_ENTRY(error instanceof Error ? error.message : String(error)), {
        cause: error,
      });
    }
  };
  return {
    format: `${inner.format}+${algorithm === 'gzip' ? 'gz' : 'br'}`,
    serialize(value: unknown): string {
      const text = inner.serialize(value);
      if (text.length < threshold) return PLAIN + text;
      return PACKED + pack(Buffer.from(text, 'utf8')).toString('base64');
    },
    deserialize(text: string): unknown {
      if (text.startsWith(PLAIN)) return inner.deserialize(text.slice(PLAIN.length));
      if (!text.startsWith(PACKED))
        throw new CorruptEntryError(messages.CORRUPT_ENTRY('not a compressed memokit value'));
      return inner.deserialize(unpack(Buffer.from(text.slice(PACKED.length), 'base64')).toString('utf8'));
    },
  };
}
