import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Put,
} from '@nestjs/common';
import { CacheModeService } from '../cache-mode.js';
import type { Order, Preferences, User } from '../catalog/catalog.database.js';
import { refusedAs422 } from '../catalog/products.controller.js';
import { Ctx, type RequestContext } from '../request-context.js';
import { UsersService, type UserPatch } from './users.service.js';

function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundException(`No ${what}`);
  return value;
}

/** Validates an update body: `{ name?: string, email?: string }`, at least one of them. */
function userPatch(body: unknown): UserPatch {
  if (typeof body !== 'object' || body === null) throw new BadRequestException('Expected a JSON object');
  const { name, email, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new BadRequestException(`Unknown field(s): ${unknown.join(', ')}`);
  for (const [field, value] of [
    ['name', name],
    ['email', email],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new BadRequestException(`${field} must be a non-empty string`);
    }
  }
  if (name === undefined && email === undefined) throw new BadRequestException('Nothing to update');
  return {
    ...(name === undefined ? {} : { name: name as string }),
    ...(email === undefined ? {} : { email: email as string }),
  };
}

@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly mode: CacheModeService,
  ) {}

  @Get(':id')
  async get(@Param('id', ParseIntPipe) id: number): Promise<User> {
    return found(await this.mode.read(() => this.users.getUser(id)), `user ${id}`);
  }

  @Get(':id/preferences')
  async preferences(@Param('id', ParseIntPipe) id: number): Promise<Preferences> {
    return found(await this.mode.read(() => this.users.getPreferences(id)), `user ${id}`);
  }

  @Get(':id/orders')
  orders(@Ctx() ctx: RequestContext, @Param('id', ParseIntPipe) id: number): Promise<Order[]> {
    return this.mode.read(() => this.users.getOrders(ctx, id));
  }

  @Put(':id')
  async update(@Param('id', ParseIntPipe) id: number, @Body() body: unknown): Promise<User> {
    return found(await refusedAs422(this.users.updateUser(id, userPatch(body))), `user ${id}`);
  }
}
