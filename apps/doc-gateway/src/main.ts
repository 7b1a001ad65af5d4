import { runService } from '@rokks/service-kit';

import { DOC_GATEWAY_SERVICE } from './doc-gateway-service';

void runService(DOC_GATEWAY_SERVICE);
