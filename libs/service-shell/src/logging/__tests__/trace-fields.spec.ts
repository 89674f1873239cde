import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { traceFieldsOfActiveSpan } from '../json-logger';

describe('traceFieldsOfActiveSpan (mixed into every log line)', () => {
  it('is empty when tracing is off', () => {
    expect(traceFieldsOfActiveSpan()).toEqual({});
  });

  it("names the active span's trace and span, so a log line leads to its trace", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const tracer = new TracerProvider().getTracer('test');
    try {
      const [fields, ids] = await tracer.startActiveSpan('work', async (span) => {
        await new Promise((resolve) => setImmediate(resolve));
        const seen = traceFieldsOfActiveSpan();
        span.end();
        return [seen, span.spanContext()] as const;
      });
      expect(fields).toEqual({ trace_id: ids.traceId, span_id: ids.spanId, trace_flags: '01' });
      expect(fields.trace_id).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      context.disable();
      trace.disable();
    }
  });
});
