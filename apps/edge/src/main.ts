import { runService } from '@rokks/service-kit';

import { EDGE_SERVICE } from './edge-service';

void runService(EDGE_SERVICE);
