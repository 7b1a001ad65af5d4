import { runService } from '@rokks/service-kit';

import { WORKER_SERVICE } from './worker-service';

void runService(WORKER_SERVICE);
