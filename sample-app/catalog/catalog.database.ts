import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Product {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly priceCents: number;
}

export interface User {
  readonly id: number;
  readonly name: string;
  readonly email: string;
}

export interface Preferences {
  readonly userId: number;
  readonly currency: 'EUR' | 'USD' | 'GBP';
  readonly newsletter: boolean;
}

export interface Order {
  readonly id: number;
  readonly userId: number;
  readonly productId: number;
  readonly quantity: number;
}

/** The tables the database counts queries for. */
export type TableName = 'products' | 'users' | 'preferences' | 'orders';

export const CATEGORIES = ['books', 'games', 'garden', 'kitchen'] as const;
export const PRODUCT_COUNT = 48;
export const USER_COUNT = 20;
export const PAGE_SIZE = 6;

/** Options of {@link CatalogDatabase}. */
export interface CatalogDatabaseOptions {
  /**
   * Milliseconds every query takes (a round trip to a real database).
   *
   * @default 25
   */
  latencyMs?: number;
  /**
   * Keep the mutable tables (products, users) as one JSON file per row in this
   * directory instead of in memory, so several processes (two instances of the
   * app on two ports) read and write the same data. Seeded on first use.
   *
   * @default undefined (in memory, private to the process)
   */
  dataDir?: string;
}

interface Row {
  readonly id: number;
}

/** Where a table's rows live. */
interface Table<T extends Row> {
  get(id: number): Promise<T | undefined>;
  all(): Promise<T[]>;
  put(row: T): Promise<void>;
  delete(id: number): Promise<boolean>;
}

class MemoryTable<T extends Row> implements Table<T> {
  readonly #rows: Map<number, T>;

  constructor(seed: readonly T[]) {
    this.#rows = new Map(seed.map((row) => [row.id, row]));
  }

  async get(id: number): Promise<T | undefined> {
    return this.#rows.get(id);
  }

  async all(): Promise<T[]> {
    return [...this.#rows.values()].sort((a, b) => a.id - b.id);
  }

  async put(row: T): Promise<void> {
    this.#rows.set(row.id, row);
  }

  async delete(id: number): Promise<boolean> {
    return this.#rows.delete(id);
  }
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** One JSON file per row; writes are atomic (write to a temporary file, then rename). */
class DirectoryTable<T extends Row> implements Table<T> {
  readonly #dir: string;
  readonly #ready: Promise<void>;

  constructor(dir: string, seed: readonly T[]) {
    this.#dir = dir;
    this.#ready = this.#seed(seed);
  }

  async #seed(seed: readonly T[]): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const marker = join(this.#dir, '.seeded');
    try {
      await readFile(marker);
      return;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    // 'wx': a row another process already wrote (or changed) is kept.
    const create = (file: string, text: string) =>
      writeFile(file, text, { flag: 'wx' }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
    await Promise.all(seed.map((row) => create(this.#file(row.id), JSON.stringify(row))));
    await create(marker, new Date().toISOString());
  }

  #file(id: number): string {
    return join(this.#dir, `${id}.json`);
  }

  async get(id: number): Promise<T | undefined> {
    await this.#ready;
    try {
      return JSON.parse(await readFile(this.#file(id), 'utf8')) as T;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async all(): Promise<T[]> {
    await this.#ready;
    const ids = (await readdir(this.#dir))
      .map((name) => /^(\d+)\.json$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number);
    const rows = await Promise.all(ids.map((id) => this.get(id)));
    return rows.filter((row): row is Awaited<T> => row !== undefined).sort((a, b) => a.id - b.id);
  }

  async put(row: T): Promise<void> {
    await this.#ready;
    const temporary = `${this.#file(row.id)}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, JSON.stringify(row));
    await rename(temporary, this.#file(row.id));
  }

  async delete(id: number): Promise<boolean> {
    await this.#ready;
    try {
      await rm(this.#file(id));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

const ADJECTIVES = ['Sturdy', 'Quiet', 'Bright', 'Compact', 'Classic', 'Nimble'];
const NOUNS: Readonly<Record<(typeof CATEGORIES)[number], readonly string[]>> = {
  books: ['Atlas', 'Cookbook', 'Novel', 'Field Guide'],
  games: ['Puzzle', 'Card Game', 'Board Game', 'Dice Set'],
  garden: ['Trowel', 'Planter', 'Hose', 'Seed Kit'],
  kitchen: ['Kettle', 'Skillet', 'Grinder', 'Knife'],
};
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Radia', 'Ken', 'Frances', 'Dennis'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Perlman', 'Thompson'];

function seedProducts(): Product[] {
  return Array.from({ length: PRODUCT_COUNT }, (_, i) => {
    const id = i + 1;
    const category = CATEGORIES[i % CATEGORIES.length] as (typeof CATEGORIES)[number];
    const nouns = NOUNS[category];
    const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${nouns[Math.floor(i / CATEGORIES.length) % nouns.length]}`;
    return { id, name, category, priceCents: 499 + ((id * 7919) % 90) * 100 };
  });
}

function seedUsers(): User[] {
  return Array.from({ length: USER_COUNT }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[(i * 3) % LAST_NAMES.length] as string;
    return { id: i + 1, name: `${first} ${last}`, email: `${first}.${last}${i + 1}@example.com`.toLowerCase() };
  });
}

/**
 * A stand-in for a real database: every query takes {@link CatalogDatabaseOptions.latencyMs}
 * and is counted, so the sample app can show what the cache saves.
 */
export class CatalogDatabase {
  readonly latencyMs: number;
  readonly storage: 'memory' | 'directory';
  readonly #products: Table<Product>;
  readonly #users: Table<User>;
  readonly #counts: Record<TableName, number> = { products: 0, users: 0, preferences: 0, orders: 0 };

  constructor(options: CatalogDatabaseOptions = {}) {
    const { latencyMs = 25, dataDir } = options;
    if (!Number.isFinite(latencyMs) || latencyMs < 0) {
      throw new TypeError(`CatalogDatabase: latencyMs must be a nonnegative number, got ${String(latencyMs)}`);
    }
    this.latencyMs = latencyMs;
    this.storage = dataDir === undefined ? 'memory' : 'directory';
    this.#products =
      dataDir === undefined
        ? new MemoryTable(seedProducts())
        : new DirectoryTable(join(dataDir, 'products'), seedProducts());
    this.#users =
      dataDir === undefined ? new MemoryTable(seedUsers()) : new DirectoryTable(join(dataDir, 'users'), seedUsers());
  }

  /** Queries run so far, over every table. */
  get queries(): number {
    return Object.values(this.#counts).reduce((sum, n) => sum + n, 0);
  }

  /** Queries run so far, per table. */
  queriesByTable(): Record<TableName, number> {
    return { ...this.#counts };
  }

  findProduct(id: number): Promise<Product | null> {
    return this.#query('products', async () => (await this.#products.get(id)) ?? null);
  }

  /** One page of products, optionally of one category, by id. */
  listProducts(category: string | undefined, page: number): Promise<Product[]> {
    return this.#query('products', async () => {
      const all = await this.#products.all();
      const matching = category === undefined ? all : all.filter((p) => p.category === category);
      return matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    });
  }

  updateProduct(id: number, patch: Partial<Omit<Product, 'id'>>): Promise<Product | null> {
    return this.#query('products', async () => {
      const product = await this.#products.get(id);
      if (product === undefined) return null;
      const updated: Product = { ...product, ...patch, id };
      await this.#products.put(updated);
      return updated;
    });
  }

  deleteProduct(id: number): Promise<boolean> {
    return this.#query('products', () => this.#products.delete(id));
  }

  findUser(id: number): Promise<User | null> {
    return this.#query('users', async () => (await this.#users.get(id)) ?? null);
  }

  updateUser(id: number, patch: Partial<Omit<User, 'id'>>): Promise<User | null> {
    return this.#query('users', async () => {
      const user = await this.#users.get(id);
      if (user === undefined) return null;
      const updated: User = { ...user, ...patch, id };
      await this.#users.put(updated);
      return updated;
    });
  }

  /** Read-only: derived from the user id. */
  findPreferences(userId: number): Promise<Preferences | null> {
    return this.#query('preferences', async () => {
      if (!Number.isSafeInteger(userId) || userId < 1 || userId > USER_COUNT) return null;
      const currencies = ['EUR', 'USD', 'GBP'] as const;
      return { userId, currency: currencies[userId % currencies.length] ?? 'EUR', newsletter: userId % 2 === 0 };
    });
  }

  /** Read-only: three orders per user, derived from the user id. */
  findOrders(userId: number): Promise<Order[]> {
    return this.#query('orders', async () => {
      if (!Number.isSafeInteger(userId) || userId < 1 || userId > USER_COUNT) return [];
      return [0, 1, 2].map((k) => ({
        id: userId * 100 + k,
        userId,
        productId: ((userId * 5 + k * 11) % PRODUCT_COUNT) + 1,
        quantity: 1 + ((userId + k) % 3),
      }));
    });
  }

  async #query<T>(table: TableName, run: () => Promise<T>): Promise<T> {
    this.#counts[table]++;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    return run();
  }
}
