import { runService } from '@rokks/service-kit';

import { AUTH_SERVICE } from './auth-service';

void runService(AUTH_SERVICE);
