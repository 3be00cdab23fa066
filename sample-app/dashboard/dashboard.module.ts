import { Module } from '@nestjs/common';
import { AdviceController } from './advice.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { ExplainController } from './explain.controller.js';
import { HealthController, HealthState } from './health.controller.js';
import { StatsController } from './stats.controller.js';

@Module({
  controllers: [DashboardController, StatsController, ExplainController, AdviceController, HealthController],
  providers: [HealthState],
  exports: [HealthState],
})
export class DashboardModule {}
