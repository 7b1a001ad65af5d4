import { Controller, Get, Module, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { Authenticated, InternalOnly, Public, Roles } from './auth-decision.decorators';
import { AuthGuardModule } from './auth-guard.module';
import { type AuthGuardModuleOptions } from './auth-guard.options';

const INTERNAL_SECRET = 'mQ4tZ8wR2yB6nJ0cV5xK9pL3hG7fD1sA';

@Controller('reports')
class ReportsController {
  @Public()
  @Get('summary')
  summary(): string {
    return 'ok';
  }

  @Get(['list', 'all'])
  list(): string {
    return 'forgotten';
  }

  @Put(':id')
  update(): string {
    return 'forgotten too';
  }

  @Roles('editor')
  @Get('edit')
  edit(): string {
    return 'needs a token';
  }

  @MessagePattern({ cmd: 'reports.rebuild' })
  rebuild(): string {
    return 'forgotten message';
  }

  helper(): string {
    return 'not a route';
  }
}

@InternalOnly()
@Controller()
class DecidedController {
  @Get('decided')
  decided(): string {
    return 'ok';
  }

  @Authenticated()
  @Get('decided/me')
  me(): string {
    return 'ok';
  }
}

async function startApp(controllers: (new () => unknown)[], options: AuthGuardModuleOptions): Promise<NestFastifyApplication> {
  @Module({ imports: [AuthGuardModule.forRoot(options)], controllers })
  class CheckedModule {}

  const app = await NestFactory.create<NestFastifyApplication>(CheckedModule, new FastifyAdapter(), { logger: false });

  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();

    throw error;
  }

  return app;
}

describe('AuthDecisionCheck', () => {
  it('refuses to start and lists undecided handlers', async () => {
    const startup = startApp([ReportsController, DecidedController], { internalSecret: INTERNAL_SECRET });
    const error = (await startup.then(
      () => undefined,
      (reason: unknown) => reason,
    )) as Error;

    expect(error).toBeInstanceOf(Error);

    const lines = error.message.split('\n');

    expect(lines[0]).toBe(
      'Refusing to start: 5 handler(s) fail the access check. Add @Public(), @InternalOnly(), @Authenticated() or @Roles(...) to each:',
    );
    expect(lines.slice(1).sort()).toEqual([
      '- DecidedController.me (GET /decided/me): needs a user token, but AuthGuardModule.forRoot() has no jwt settings',
      '- ReportsController.edit (GET /reports/edit): needs a user token, but AuthGuardModule.forRoot() has no jwt settings',
      '- ReportsController.list (GET /reports/list, /reports/all): no access decision',
      '- ReportsController.rebuild (message {"cmd":"reports.rebuild"}): no access decision',
      '- ReportsController.update (PUT /reports/:id): no access decision',
    ]);
  });

  it('starts when every handler has a decision', async () => {
    const app = await startApp([DecidedController], {
      internalSecret: INTERNAL_SECRET,
      jwt: { publicKeys: { 'k-1': { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }, issuer: 'https://auth.test', audience: 'api' },
    });

    await app.close();

    expect(app).toBeDefined();
  });
});
