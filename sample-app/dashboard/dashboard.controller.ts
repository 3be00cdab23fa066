import { Controller, Get, Header, HttpCode } from '@nestjs/common';
import { DASHBOARD_HTML } from './dashboard.page.js';

/** Serves the live cache dashboard: one static page that polls `GET /cache/stats` every second. */
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return DASHBOARD_HTML;
  }

  /** Browsers ask for it; answer without a 404 in the console. */
  @Get('favicon.ico')
  @HttpCode(204)
  favicon(): void {}
}
