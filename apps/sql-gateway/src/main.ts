import { runService } from '@rokks/service-kit';

import { SQL_GATEWAY_SERVICE } from './sql-gateway-service';

void runService(SQL_GATEWAY_SERVICE);
