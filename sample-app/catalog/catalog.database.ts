import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConstraintError, PostgresDriver, SqliteDriver, type SqlDriver, type SqlExecutor, type SqlRow } from './sql.js';

export { ConstraintError } from './sql.js';

export interface Product {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly priceCents: number;
  readonly stock: number;
  /** Incremented by the database in the transaction of every update. */
  readonly version: number;
  /** ISO timestamp of the last update. */
  readonly updatedAt: string;
}

export interface User {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly version: number;
}

export interface Preferences {
  readonly userId: number;
  readonly currency: 'EUR' | 'USD' | 'GBP';
  readonly newsletter: boolean;
}

/** An order line joined with its product's name. */
export interface Order {
  readonly id: number;
  readonly userId: number;
  readonly productId: number;
  readonly productName: string;
  readonly quantity: number;
  readonly orderedAt: string;
}

/** The tables the database counts queries for. */
export type TableName = 'products' | 'users' | 'preferences' | 'orders';

export const CATEGORIES = [
  'books',
  'games',
  'garden',
  'kitchen',
  'music',
  'office',
  'outdoors',
  'pets',
  'sports',
  'tools',
  'toys',
  'beauty',
] as const;
export const PAGE_SIZE = 20;
/** The catalog's price cap, enforced by a CHECK constraint (a write above it fails in the database). */
export const MAX_PRICE_CENTS = 100_000_000;
export const DEFAULT_SEED_PRODUCTS = 10_000;
export const DEFAULT_SEED_USERS = 1_000;

/** Options of {@link CatalogDatabase.open}. */
export interface CatalogDatabaseOptions {
  /**
   * `postgres://…`: PostgreSQL through `pg`. Omitted: SQLite (better-sqlite3).
   *
   * @default undefined
   */
  url?: string | undefined;
  /**
   * The SQLite file; several processes may share it (WAL). Seeded when its
   * tables are empty.
   *
   * @default a private file in a new temp dir, removed on close
   */
  sqliteFile?: string | undefined;
  /** Products seeded into an empty database. @default 10000 */
  seedProducts?: number | undefined;
  /** Users seeded into an empty database (each with preferences and 0 to 8 orders). @default 1000 */
  seedUsers?: number | undefined;
  /** Extra milliseconds before every counted query (a far-away database). @default 0 */
  latencyMs?: number | undefined;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents BETWEEN 0 AND ${MAX_PRICE_CENTS}),
    stock INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS products_category_id ON products (category, id)',
  `CREATE TABLE IF NOT EXISTS product_changes (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (product_id, version)
  )`,
  `CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 1
  )`,
  `CREATE TABLE IF NOT EXISTS preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    newsletter INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity INTEGER NOT NULL,
    ordered_at TEXT NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS orders_user_id ON orders (user_id, id)',
];

const PRODUCT_COLUMNS = 'id, name, category, price_cents AS "priceCents", stock, version, updated_at AS "updatedAt"';
const USER_COLUMNS = 'id, name, email, version';

const SQL = {
  product: `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1`,
  pageAll: `SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY id LIMIT $1 OFFSET $2`,
  pageOfCategory: `SELECT ${PRODUCT_COLUMNS} FROM products WHERE category = $1 ORDER BY id LIMIT $2 OFFSET $3`,
  categories: 'SELECT DISTINCT category FROM products ORDER BY category',
  bumpProduct: 'UPDATE products SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING version',
  patchProduct: `UPDATE products SET name = COALESCE($1, name), price_cents = COALESCE($2, price_cents) WHERE id = $3 RETURNING ${PRODUCT_COLUMNS}`,
  logChange:
    'INSERT INTO product_changes (product_id, version, name, price_cents, changed_at) VALUES ($1, $2, $3, $4, $5)',
  deleteProduct: 'DELETE FROM products WHERE id = $1 RETURNING id',
  user: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
  updateUser: `UPDATE users SET name = COALESCE($1, name), email = COALESCE($2, email), version = version + 1 WHERE id = $3 RETURNING ${USER_COLUMNS}`,
  preferences: 'SELECT user_id AS "userId", currency, newsletter FROM preferences WHERE user_id = $1',
  orders: `SELECT o.id, o.user_id AS "userId", o.product_id AS "productId", p.name AS "productName", o.quantity, o.ordered_at AS "orderedAt"
    FROM orders o JOIN products p ON p.id = o.product_id WHERE o.user_id = $1 ORDER BY o.id`,
} as const;

/** A small deterministic PRNG (mulberry32), so both databases get the same catalog. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = ['Sturdy', 'Quiet', 'Bright', 'Compact', 'Classic', 'Nimble', 'Rustic', 'Deluxe', 'Essential'];
const NOUNS: Readonly<Record<(typeof CATEGORIES)[number], readonly string[]>> = {
  books: ['Atlas', 'Cookbook', 'Novel', 'Field Guide', 'Anthology'],
  games: ['Puzzle', 'Card Game', 'Board Game', 'Dice Set', 'Strategy Game'],
  garden: ['Trowel', 'Planter', 'Hose', 'Seed Kit', 'Pruner'],
  kitchen: ['Kettle', 'Skillet', 'Grinder', 'Knife', 'Dutch Oven'],
  music: ['Ukulele', 'Metronome', 'Songbook', 'Harmonica', 'Capo'],
  office: ['Notebook', 'Desk Lamp', 'Stapler', 'Monitor Stand', 'Fountain Pen'],
  outdoors: ['Tent', 'Lantern', 'Backpack', 'Hammock', 'Water Filter'],
  pets: ['Leash', 'Cat Tree', 'Dog Bed', 'Feeder', 'Chew Toy'],
  sports: ['Yoga Mat', 'Jump Rope', 'Football', 'Racket', 'Kettlebell'],
  tools: ['Hammer', 'Drill', 'Level', 'Wrench Set', 'Tape Measure'],
  toys: ['Kite', 'Robot Kit', 'Plush Bear', 'Train Set', 'Building Blocks'],
  beauty: ['Hair Dryer', 'Face Cream', 'Brush Set', 'Perfume', 'Razor'],
};
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Radia', 'Ken', 'Frances', 'Dennis'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Perlman', 'Thompson'];
const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;
const SEEDED_AT = '2026-01-01T00:00:00.000Z';

/** Multi-row INSERTs of at most 500 rows (one statement per batch, the same SQL on both engines). */
async function insertRows(tx: SqlExecutor, table: string, columns: readonly string[], rows: unknown[][]) {
  for (let start = 0; start < rows.length; start += 500) {
    const batch = rows.slice(start, start + 500);
    let n = 0;
    const values = batch.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ');
    await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
  }
}

async function seed(tx: SqlExecutor, products: number, users: number): Promise<void> {
  const next = random(20260101);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const productRows: unknown[][] = [];
  for (let id = 1; id <= products; id++) {
    const category = CATEGORIES[(id - 1) % CATEGORIES.length] as (typeof CATEGORIES)[number];
    const name = `${pick(ADJECTIVES)} ${pick(NOUNS[category])} ${String.fromCharCode(65 + (id % 26))}${id}`;
    productRows.push([id, name, category, 299 + Math.floor(next() * 500) * 100, Math.floor(next() * 200), SEEDED_AT]);
  }
  await insertRows(tx, 'products', ['id', 'name', 'category', 'price_cents', 'stock', 'updated_at'], productRows);
  const userRows: unknown[][] = [];
  const preferenceRows: unknown[][] = [];
  const orderRows: unknown[][] = [];
  for (let id = 1; id <= users; id++) {
    const first = FIRST_NAMES[(id - 1) % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[((id - 1) * 3) % LAST_NAMES.length] as string;
    userRows.push([id, `${first} ${last}`, `${first}.${last}${id}@example.com`.toLowerCase()]);
    preferenceRows.push([id, CURRENCIES[id % CURRENCIES.length], id % 2 === 0 ? 1 : 0]);
    const count = 1 + Math.floor(next() * 8);
    for (let k = 0; k < count; k++) {
      // Popular products first: a skewed pick over the catalog.
      const productId = 1 + Math.floor(next() ** 3 * products);
      const day = 1 + Math.floor(next() * 28);
      orderRows.push([
        orderRows.length + 1,
        id,
        productId,
        1 + Math.floor(next() * 3),
        `2025-11-${String(day).padStart(2, '0')}`,
      ]);
    }
  }
  await insertRows(tx, 'users', ['id', 'name', 'email'], userRows);
  await insertRows(tx, 'preferences', ['user_id', 'currency', 'newsletter'], preferenceRows);
  await insertRows(tx, 'orders', ['id', 'user_id', 'product_id', 'quantity', 'ordered_at'], orderRows);
}

function count(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new TypeError(`CatalogDatabase: ${name} must be a positive integer, got ${String(value)}`);
  }
  return n;
}

/** A postgres URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * The catalog's database: SQLite embedded by default, PostgreSQL with a
 * `postgres://` URL; the same schema and the same queries on both. Every query
 * it runs is counted (per table), so the sample app can show what the cache
 * saves. Writes are transactions that increment the row's `version`.
 *
 * @example
 * const db = await CatalogDatabase.open({ seedProducts: 500 });
 * await db.findProduct(1);
 * db.queries; // 1
 * await db.close();
 */
export class CatalogDatabase {
  readonly engine: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly latencyMs: number;
  readonly #driver: SqlDriver;
  readonly #cleanup: (() => void) | undefined;
  readonly #counts: Record<TableName, number> = { products: 0, users: 0, preferences: 0, orders: 0 };
  #transactions = 0;

  private constructor(driver: SqlDriver, location: string, latencyMs: number, cleanup: (() => void) | undefined) {
    this.engine = driver.engine;
    this.#driver = driver;
    this.location = location;
    this.latencyMs = latencyMs;
    this.#cleanup = cleanup;
  }

  /** Connects, creates the schema if absent and seeds an empty database (one transaction; safe to race). */
  static async open(options: CatalogDatabaseOptions = {}): Promise<CatalogDatabase> {
    const latencyMs = options.latencyMs ?? 0;
    if (!Number.isFinite(latencyMs) || latencyMs < 0) {
      throw new TypeError(`CatalogDatabase: latencyMs must be a nonnegative number, got ${String(latencyMs)}`);
    }
    const products = count('seedProducts', options.seedProducts, DEFAULT_SEED_PRODUCTS);
    const users = count('seedUsers', options.seedUsers, DEFAULT_SEED_USERS);
    let driver: SqlDriver;
    let location: string;
    let cleanup: (() => void) | undefined;
    if (options.url !== undefined && options.url !== '') {
      if (!/^postgres(ql)?:\/\//.test(options.url)) {
        throw new TypeError(`DATABASE_URL must be a postgres:// URL, got ${JSON.stringify(redact(options.url))}`);
      }
      driver = new PostgresDriver(options.url);
      location = redact(options.url);
    } else {
      let file = options.sqliteFile;
      if (file === undefined || file === '') {
        const dir = mkdtempSync(join(tmpdir(), 'memokit-catalog-'));
        file = join(dir, 'catalog.sqlite');
        cleanup = () => rmSync(dir, { recursive: true, force: true });
      }
      driver = new SqliteDriver(file);
      location = file;
    }
    try {
      await driver.transaction(async (tx) => {
        // Several processes may start on one empty database: the first seeds, the others wait and see rows.
        if (driver.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7215001)');
        for (const statement of SCHEMA) await tx.query(statement);
        const [row] = await tx.query<{ id: number }>('SELECT id FROM products LIMIT 1');
        if (row === undefined) await seed(tx, products, users);
      });
    } catch (error) {
      await driver.close().catch(() => {});
      cleanup?.();
      throw error;
    }
    return new CatalogDatabase(driver, location, latencyMs, cleanup);
  }

  /** Queries run so far, over every table (each statement of a transaction counts). */
  get queries(): number {
    return Object.values(this.#counts).reduce((sum, n) => sum + n, 0);
  }

  /** Transactions committed or rolled back so far. */
  get transactions(): number {
    return this.#transactions;
  }

  /** Queries run so far, per table. */
  queriesByTable(): Record<TableName, number> {
    return { ...this.#counts };
  }

  /** Sets the counters back to 0. */
  resetCounts(): void {
    for (const table of Object.keys(this.#counts) as TableName[]) this.#counts[table] = 0;
    this.#transactions = 0;
  }

  async #counted<T extends SqlRow>(
    on: SqlExecutor,
    table: TableName,
    sql: string,
    params: readonly unknown[],
  ): Promise<T[]> {
    this.#counts[table]++;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    return on.query<T>(sql, params);
  }

  #query<T extends SqlRow>(table: TableName, sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.#counted<T>(this.#driver, table, sql, params);
  }

  #transaction<T>(
    work: (
      run: <R extends SqlRow>(table: TableName, sql: string, params: readonly unknown[]) => Promise<R[]>,
    ) => Promise<T>,
  ): Promise<T> {
    this.#transactions++;
    return this.#driver.transaction((tx) => work((table, sql, params) => this.#counted(tx, table, sql, params)));
  }

  async findProduct(id: number): Promise<Product | null> {
    const [row] = await this.#query<Product & SqlRow>('products', SQL.product, [id]);
    return row ?? null;
  }

  /** One page ({@link PAGE_SIZE}) of products, optionally of one category, by id. */
  listProducts(category: string | undefined, page: number): Promise<Product[]> {
    const offset = (page - 1) * PAGE_SIZE;
    return category === undefined
      ? this.#query<Product & SqlRow>('products', SQL.pageAll, [PAGE_SIZE, offset])
      : this.#query<Product & SqlRow>('products', SQL.pageOfCategory, [category, PAGE_SIZE, offset]);
  }

  /** The categories that have products. */
  async categories(): Promise<string[]> {
    return (await this.#query<{ category: string }>('products', SQL.categories, [])).map((r) => r.category);
  }

  /**
   * One transaction: increment the version (which locks the row), apply the
   * patch, record the change. A patch the database refuses (a price above
   * {@link MAX_PRICE_CENTS}) throws a {@link ConstraintError} and leaves the
   * row, its version and the change log as they were.
   */
  updateProduct(id: number, patch: { name?: string; priceCents?: number }): Promise<Product | null> {
    return this.#transaction(async (run) => {
      const now = new Date().toISOString();
      const [bumped] = await run<{ version: number }>('products', SQL.bumpProduct, [now, id]);
      if (bumped === undefined) return null;
      const [product] = await run<Product & SqlRow>('products', SQL.patchProduct, [
        patch.name ?? null,
        patch.priceCents ?? null,
        id,
      ]);
      if (product === undefined) throw new Error(`product ${id} vanished inside its own transaction`);
      await run('products', SQL.logChange, [id, product.version, product.name, product.priceCents, now]);
      return product;
    });
  }

  deleteProduct(id: number): Promise<boolean> {
    return this.#transaction(async (run) => (await run('products', SQL.deleteProduct, [id])).length > 0);
  }

  async findUser(id: number): Promise<User | null> {
    const [row] = await this.#query<User & SqlRow>('users', SQL.user, [id]);
    return row ?? null;
  }

  /** One transaction; an email another user has throws a {@link ConstraintError}. */
  updateUser(id: number, patch: { name?: string; email?: string }): Promise<User | null> {
    return this.#transaction(async (run) => {
      const [row] = await run<User & SqlRow>('users', SQL.updateUser, [patch.name ?? null, patch.email ?? null, id]);
      return row ?? null;
    });
  }

  async findPreferences(userId: number): Promise<Preferences | null> {
    const [row] = await this.#query<{ userId: number; currency: Preferences['currency']; newsletter: number }>(
      'preferences',
      SQL.preferences,
      [userId],
    );
    return row === undefined ? null : { userId: row.userId, currency: row.currency, newsletter: row.newsletter === 1 };
  }

  /** A user's orders joined with their products' names. */
  findOrders(userId: number): Promise<Order[]> {
    return this.#query<Order & SqlRow>('orders', SQL.orders, [userId]);
  }

  /** Closes the connection (pool) and removes a private temp file. */
  async close(): Promise<void> {
    await this.#driver.close();
    this.#cleanup?.();
  }
}

/** Whether `error` is a write the database refused. */
export const isConstraintError = (error: unknown): error is ConstraintError => error instanceof ConstraintError;
