import { createServer } from 'node:net';

import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, type ClientProxy, MessagePattern, type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';

import { InternalOnly, Public } from './auth-decision.decorators';
import { AuthGuardModule } from './auth-guard.module';

const INTERNAL_SECRET = 'mQ4tZ8wR2yB6nJ0cV5xK9pL3hG7fD1sA';

@Controller()
class JobsMessages {
  @Public()
  @MessagePattern({ cmd: 'jobs.ping' })
  ping(): string {
    return 'pong';
  }

  @InternalOnly()
  @MessagePattern({ cmd: 'jobs.submit' })
  submit(): string {
    return 'accepted';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const address = server.address();

  await new Promise<void>((resolve) => server.close(() => resolve()));

  if (address === null || typeof address === 'string') {
    throw new Error('no TCP port was assigned');
  }

  return address.port;
}

async function startMessaging(rpcTransportAuthenticated: boolean): Promise<{ app: NestFastifyApplication; client: ClientProxy }> {
  @Module({ imports: [AuthGuardModule.forRoot({ internalSecret: INTERNAL_SECRET, rpcTransportAuthenticated })], controllers: [JobsMessages] })
  class MessagingModule {}

  const port = await freePort();
  const app = await NestFactory.create<NestFastifyApplication>(MessagingModule, new FastifyAdapter(), { logger: false });

  app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');

  const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });

  return { app, client };
}

describe('RokksAuthGuard on message handlers', () => {
  it('runs public handlers and denies internal ones by default', async () => {
    const { app, client } = await startMessaging(false);

    try {
      await expect(firstValueFrom(client.send<string>({ cmd: 'jobs.ping' }, {}))).resolves.toBe('pong');
      await expect(firstValueFrom(client.send<string>({ cmd: 'jobs.submit' }, {}))).rejects.toBeDefined();
    } finally {
      await client.close();
      await app.close();
    }
  });

  it('runs internal handlers on an authenticated transport', async () => {
    const { app, client } = await startMessaging(true);

    try {
      await expect(firstValueFrom(client.send<string>({ cmd: 'jobs.submit' }, {}))).resolves.toBe('accepted');
    } finally {
      await client.close();
      await app.close();
    }
  });
});
