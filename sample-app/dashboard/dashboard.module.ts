import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller.js';
import { StatsController } from './stats.controller.js';

@Module({ controllers: [DashboardController, StatsController] })
export class DashboardModule {}
