import { runService } from '@rokks/service-kit';

import { DATA_TRANSFORM_SERVICE } from './data-transform-service';

void runService(DATA_TRANSFORM_SERVICE);
