// Prints the log lines of every process of the development stack on one
// terminal: each line carries the name of the service that wrote it.
//
// Formats: `pretty` (default) prints one short coloured line per record.
// `json` passes pino lines through unchanged and wraps other output in a
// JSON object, so tools can parse the whole stream.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_COLOURS = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 35 };
const OMITTED_FIELDS = new Set([
  'level',
  'time',
  'service',
  'pid',
  'hostname',
  'msg',
  'err',
  'context',
  'req',
  'res',
  'responseTime',
]);
const MAX_VALUE_LENGTH = 200;
// Nest writes one info line per module and route at every start. The
// service kit logs them at debug already; this covers the registry, which
// starts Nest itself.
const NEST_STARTUP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);
const NAME_WIDTH = 14;

export class LogPrinter {
  /**
   * @param {{ format: 'pretty' | 'json', level: string, colour: boolean, write?: (text: string) => void }} options
   */
  constructor(options) {
    if (!(options.format === 'pretty' || options.format === 'json')) {
      throw new Error(`Invalid log format "${options.format}": use pretty or json.`);
    }

    if (LEVELS[options.level] === undefined && options.level !== 'silent') {
      throw new Error(
        `Invalid log level "${options.level}": use one of ${Object.keys(LEVELS).join(', ')}.`,
      );
    }

    this.format = options.format;
    this.minimum = options.level === 'silent' ? Infinity : LEVELS[options.level];
    this.colour = options.colour;
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  /** Prints one line of a child process's output under `service`. */
  printChildLine(service, line, stream) {
    const record = parseRecord(line);

    if (record === undefined) {
      this.printRecord({
        level: stream === 'stderr' ? 'warn' : 'info',
        time: new Date().toISOString(),
        service,
        msg: line,
        stream,
      });

      return;
    }

    if (effectiveLevel(record) < this.minimum) {
      return;
    }

    if (this.format === 'json') {
      this.write(`${line}\n`);

      return;
    }

    // The process's name, not the record's `service` field: a service may log
    // a `service` field of its own (the registry names the services it
    // enrolls), which overrides the base field in the JSON line.
    this.printRecord({ ...record, service });
  }

  /** Prints a line of the launcher itself. */
  log(level, fields, message) {
    this.printRecord({
      level,
      time: new Date().toISOString(),
      service: 'launcher',
      pid: process.pid,
      ...fields,
      msg: message,
    });
  }

  /** Prints text as it is (the summary table); in json format it becomes one record. */
  printBlock(text, fields = {}) {
    if (this.format === 'json') {
      this.log('info', { ...fields, text }, 'summary');

      return;
    }

    this.write(`${text}\n`);
  }

  printRecord(record) {
    const level = typeof record.level === 'string' ? record.level : 'info';

    if ((LEVELS[level] ?? LEVELS.info) < this.minimum) {
      return;
    }

    if (this.format === 'json') {
      this.write(`${JSON.stringify(record)}\n`);

      return;
    }

    this.write(`${this.formatPretty(level, record)}\n`);
  }

  formatPretty(level, record) {
    const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
    const name = String(record.service).padEnd(NAME_WIDTH).slice(0, NAME_WIDTH);
    const label = level.toUpperCase().padEnd(5);
    const fields = Object.entries(record)
      .filter(([key, value]) => !OMITTED_FIELDS.has(key) && value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    const error = describeError(record.err, LEVELS[level] >= LEVELS.error);
    const text = [record.msg ?? '', ...describeRequest(record), ...fields].join(' ') + error;

    return `${this.paint(90, time)} ${this.paint(36, name)} ${this.paint(LEVEL_COLOURS[level] ?? 0, label)} ${text}`;
  }

  paint(code, text) {
    return this.colour && code !== 0 ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}

function effectiveLevel(record) {
  const level = LEVELS[record.level] ?? LEVELS.info;
  const startupChatter = level === LEVELS.info && NEST_STARTUP_CONTEXTS.has(record.context);

  return startupChatter ? LEVELS.debug : level;
}

/** Returns the JSON object on a line, or undefined for any other text. */
export function parseRecord(line) {
  if (!line.startsWith('{')) {
    return undefined;
  }

  try {
    const value = JSON.parse(line);

    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function formatValue(value) {
  const text =
    typeof value === 'string'
      ? /\s/.test(value)
        ? JSON.stringify(value)
        : value
      : JSON.stringify(value);

  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

// Request lines of pino-http show method, URL, status and duration instead
// of the whole request and response objects.
function describeRequest(record) {
  if (typeof record.req !== 'object' || record.req === null) {
    return [];
  }

  const status =
    typeof record.res === 'object' && record.res !== null ? record.res.statusCode : undefined;
  const duration = typeof record.responseTime === 'number' ? `${record.responseTime}ms` : undefined;

  return [record.req.method, record.req.url, status, duration]
    .filter((part) => part !== undefined)
    .map(String);
}

// Errors show their message; at error and fatal also the stack, indented.
function describeError(error, withStack) {
  if (typeof error !== 'object' || error === null) {
    return '';
  }

  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  const stack =
    withStack && typeof error.stack === 'string' ? error.stack.split('\n').slice(1) : [];

  return [` err="${message}"`, ...stack.map((line) => `\n    ${line.trim()}`)].join('');
}
