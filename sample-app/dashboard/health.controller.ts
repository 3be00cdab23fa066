import { Controller, Get, Header, HttpCode, Injectable, Post, ServiceUnavailableException } from '@nestjs/common';
import { CatalogDatabase, type TableName } from '../catalog/catalog.database.js';

/** Whether the app finished starting (its cache store answered); set by `main.ts`. */
@Injectable()
export class HealthState {
  ready = false;
}

/** The body of `GET /db/stats`. */
export interface DbStatsResponse {
  readonly engine: 'sqlite' | 'postgres';
  /** Real SQL statements this process ran since start (or the last reset); each statement of a transaction counts. */
  readonly queries: number;
  readonly transactions: number;
  readonly queriesByTable: Record<TableName, number>;
}

@Controller()
export class HealthController {
  constructor(
    private readonly state: HealthState,
    private readonly db: CatalogDatabase,
  ) {}

  /** 200 `{ ok: true }` once the database is open and the cache store answered; 503 before. */
  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(): { ok: true } {
    if (!this.state.ready) throw new ServiceUnavailableException('starting');
    return { ok: true };
  }

  @Get('db/stats')
  @Header('Cache-Control', 'no-store')
  dbStats(): DbStatsResponse {
    return {
      engine: this.db.engine,
      queries: this.db.queries,
      transactions: this.db.transactions,
      queriesByTable: this.db.queriesByTable(),
    };
  }

  /** Sets the query counters to 0 (a load run measures from here). */
  @Post('db/stats/reset')
  @HttpCode(204)
  reset(): void {
    this.db.resetCounts();
  }
}
