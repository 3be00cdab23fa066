import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger, type INestApplicationContext, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

/** Applications and testing modules opened by a test, closed by {@link closeAll}. */
const open = new Set<INestApplicationContext>();

/**
 * Compiles and initializes a testing module (init() runs onModuleInit: the
 * explorer binds there). A module whose init failed is not closed afterwards:
 * Nest 11's close() would throw the init error again.
 */
export async function bootstrap(metadata: ModuleMetadata): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  open.add(moduleRef);
  try {
    await moduleRef.init();
  } catch (error) {
    open.delete(moduleRef);
    throw error;
  }
  return moduleRef;
}

/** Closes what the test opened (call it in afterEach), so jest exits without --forceExit. */
export async function closeAll(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((app) => app.close()));
}

/** Registers an application opened another way (createNestApplication) for {@link closeAll}. */
export function track<T extends INestApplicationContext>(app: T): T {
  open.add(app);
  return app;
}

/** Records what Nest's Logger warns, instead of printing it. */
export function captureWarnings(): { readonly messages: string[]; restore(): void } {
  const messages: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    messages.push(String(message));
  });
  return { messages, restore: () => spy.mockRestore() };
}
