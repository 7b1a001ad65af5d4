import { AuthGuardModule } from './auth-guard.module';

describe('AuthGuardModule.forRoot', () => {
  it.each([
    ['empty', '', 'is empty'],
    ['short', 'short-secret-value', 'is shorter than 32 characters'],
    ['placeholder', 'changeme-changeme-changeme-changeme', 'contains the well-known word "changeme"'],
  ])('rejects a %s internal secret', (_case, internalSecret, problem) => {
    expect(() => AuthGuardModule.forRoot({ internalSecret })).toThrow(`Invalid internalSecret for AuthGuardModule.forRoot(): it ${problem}`);
  });

  it('rejects an HMAC algorithm', () => {
    expect(() =>
      AuthGuardModule.forRoot({
        internalSecret: 'mQ4tZ8wR2yB6nJ0cV5xK9pL3hG7fD1sA',
        jwt: { publicKeys: {}, issuer: 'i', audience: 'a', algorithms: ['HS256' as 'ES256'] },
      }),
    ).toThrow(/Invalid JWT algorithms \[HS256\]/);
  });
});
