import 'reflect-metadata';

import { AUTH_DECISION_KEY, Authenticated, Public, Roles } from './auth-decision.decorators';
import { type Role } from './authenticated-user';

describe('access decorators', () => {
  it('store the decision on the handler', () => {
    class Example {
      @Roles('viewer', 'editor')
      read(): string {
        return 'read';
      }
    }

    expect(Reflect.getMetadata(AUTH_DECISION_KEY, Example.prototype.read)).toEqual({ kind: 'roles', roles: ['viewer', 'editor'] });
  });

  it('reject two decisions on one handler', () => {
    expect(() => {
      class Conflicting {
        @Public()
        @Authenticated()
        read(): string {
        return 'read';
      }
      }

      return Conflicting;
    }).toThrow('read has more than one access decorator; keep exactly one.');
  });

  it('reject two decisions on one class', () => {
    expect(() => {
      @Public()
      @Authenticated()
      class Conflicting {}

      return Conflicting;
    }).toThrow('Conflicting has more than one access decorator');
  });

  it('reject an empty role list', () => {
    expect(() => Roles()).toThrow('@Roles() needs at least one role');
  });

  it('reject an unknown role', () => {
    expect(() => Roles('owner' as Role)).toThrow('Unknown role "owner"');
  });
});
