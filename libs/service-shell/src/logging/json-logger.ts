import { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { Logger } from 'pino';

/**
 * Log bytes held in memory while the log reader is slow or gone. Past it, lines are dropped
 * (and counted) rather than blocking: a service that cannot log must still answer, drain and
 * shut down.
 */
export const logBufferBytesMax = 16 * 1024 * 1024;

/**
 * Structured JSON logs (one object per line) through pino, for Nest and for our own code.
 * Redaction is a last line of defence: code must not log secrets in the first place.
 *
 * Lines go to stdout asynchronously through a bounded buffer (sonic-boom, pino's own
 * destination): a synchronous write to a pipe nobody reads blocks the main thread for good,
 * and with it every timer, including the shutdown deadline. closeLogs empties the buffer
 * within a bound before the process exits. Dropped lines are counted (metric log_lines_dropped).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  // Opening process.stdout through libuv puts fd 1 in non-blocking mode. Without it, an
  // asynchronous write to a full pipe blocks a thread-pool thread, and process.exit waits for
  // that thread for ever; with it, the write fails with EAGAIN and is retried on a timer.
  void process.stdout;
  const destination = pino.destination({ dest: 1, sync: false, maxLength: logBufferBytesMax });
  destination.on('drop', () => {
    droppedLogLines += 1;
  });
  destinations.add(destination);
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.auth_token', '*.temp_password', '*.password', '*.secret', '*.apiKey', '*.token'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFieldsOfActiveSpan,
    },
    destination,
  );
}

/**
 * The trace and span of the work a line is logged in, under the names of OpenTelemetry's log data
 * model, so a log line leads to its trace and back. Without tracing (no OTEL_EXPORTER_OTLP_ENDPOINT)
 * the API is a no-op with no active span, and lines carry nothing more.
 */
export function traceFieldsOfActiveSpan(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: context.traceFlags.toString(16).padStart(2, '0') };
}

type LogDestination = ReturnType<typeof pino.destination>;
const destinations = new Set<LogDestination>();
let droppedLogLines = 0;

/** Lines dropped because the buffer was full: the log reader was too slow or gone. */
export function droppedLogLineCount(): number {
  return droppedLogLines;
}

/**
 * Writes what is buffered and closes the log, waiting at most timeoutMs; whatever is still
 * unwritten then is discarded, so the exit that follows cannot block on a full pipe (pino would
 * otherwise flush synchronously on exit). For the last moments of a process: lines logged after
 * this are lost. Resolves true when everything was written.
 */
export async function closeLogs(timeoutMs: number): Promise<boolean> {
  const closed = await Promise.all([...destinations].map((destination) => closeWithin(destination, timeoutMs)));
  return closed.every(Boolean);
}

function closeWithin(destination: LogDestination, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      destination.destroy();
      resolve(false);
    }, timeoutMs);
    destination.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    // end() writes what is buffered, then emits close; destroy() drops it and disarms pino's exit flush.
    try {
      destination.end();
    } catch {
      // Already destroyed: nothing more can be written.
      clearTimeout(timer);
      resolve(false);
    }
  });
}

/** Adapts pino to Nest's LoggerService so framework messages are JSON too. */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
